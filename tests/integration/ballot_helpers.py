"""Helpers to fill the ballot form as a delegate would."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask.testing import FlaskClient

from consult.auth.models import User
from consult.ballots import services
from consult.ballots.models import Answer, Response, Revision
from consult.consultations.models import Consultation
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.integration.results_helpers import assert_in_step

_HIDDEN = re.compile(r'<input type="hidden" name="(csrf_token|version|token)" value="([^"]*)">')


@contextmanager
def database_fails_at(words: str) -> Iterator[None]:
    """The database fails (a disk I/O error) on the first statement that contains ``words``,
    wherever the save sends it (on PostgreSQL a submission's writes are one statement)."""

    def fail(_conn, _cursor, statement, *_args) -> None:
        if words in statement:
            raise sa.exc.OperationalError(statement, {}, Exception("disk I/O error"))

    sa.event.listen(db.engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", fail)


def hidden_fields(client: FlaskClient, slug: str) -> dict[str, str]:
    page = client.get(f"/consultations/{slug}").get_data(as_text=True)
    return dict(_HIDDEN.findall(page))


def ids(consultation: Consultation) -> dict[str, int]:
    """q1..q4 = question ids; q1o1.. = option ids, by position."""
    out: dict[str, int] = {}
    for qi, q in enumerate(consultation.questions, start=1):
        out[f"q{qi}"] = q.id
        for oi, o in enumerate(q.options, start=1):
            out[f"q{qi}o{oi}"] = o.id
    return out


def ranking_form(c: Consultation, ranks: dict[int, str], **extra: str) -> dict[str, object]:
    """Form fields ranking options of the first question by position: {position: rank}."""
    q = c.questions[0]
    form: dict[str, object] = {
        f"q{q.id}-rank-{o.id}": ranks.get(i, "") for i, o in enumerate(q.options, start=1)
    }
    form.update(extra)
    return form


def post_ballot(
    client: FlaskClient, slug: str, form: dict[str, object], action: str = "submit", **hidden: str
):
    fields = hidden_fields(client, slug)
    fields.update(hidden)
    data = {**form, **fields, "action": action}
    return client.post(f"/consultations/{slug}", data=data)


def submit_and_check(consultation: Consultation, user: User, form: dict[str, list[str]]) -> None:
    """Submit ``form`` for the user's member through the save the ballot page calls (on the
    member's current version), and check that the results' counts stay in step."""
    response = services.current_response(consultation.id, user.member_id)
    version = response.version if response else 0
    outcome = services.save(consultation, user, form, submit=True, base_version=version, token="")
    assert not isinstance(outcome, list), outcome
    assert_in_step([consultation])


def snapshot() -> tuple:
    """Everything a ballot write touches, to prove that nothing changed."""
    rows = []
    for model in (Response, Answer, Revision, AuditEvent):
        rows.append(tuple(tuple(r) for r in db.session.execute(sa.select(model.__table__)).all()))
    return tuple(rows)
