"""The consultation services read responses through Core stubs (``consultations/responses.py``)
so as not to import ballots, and the delegate pages the documents' table
(``ballots/queries.ATTACHMENT``) so as not to import documents: every column a stub names is a
column of the model, of the same type family, in the same table."""

import pytest
import sqlalchemy as sa

from consult.ballots.models import Answer, Response
from consult.ballots.queries import ATTACHMENT
from consult.consultations.enums import ResponseStatus
from consult.consultations.responses import SUBMITTED, answer, response
from consult.documents.models import Attachment


@pytest.mark.parametrize(
    ("stub", "model"), [(response, Response), (answer, Answer), (ATTACHMENT, Attachment)]
)
def test_every_stub_column_is_a_column_of_the_model(stub, model):
    table = model.__table__
    assert stub.name == table.name
    for column in stub.columns:
        assert column.name in table.c, f"{table.name}.{column.name} is gone from the model"
        real = table.c[column.name].type
        assert isinstance(column.type, sa.String) == isinstance(real, sa.String | sa.Enum), (
            f"{table.name}.{column.name}: the stub reads it as {column.type}, the model has {real}"
        )


def test_the_stub_compares_with_the_stored_status():
    assert SUBMITTED == ResponseStatus.SUBMITTED == "submitted"
