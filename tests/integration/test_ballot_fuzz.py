"""Hypothesis fuzzing of the ballot form: never a 500; stored text comes back unchanged."""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.ballots.models import Response
from consult.extensions import db
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import hidden_fields
from tests.strategies import NO_SURROGATES

# Lone surrogates cannot travel in a real request: browsers send UTF-8, and bytes that are not
# valid UTF-8 are decoded as U+FFFD (test_invalid_utf8_is_not_an_error covers that case).
texts = st.one_of(
    st.text(alphabet=NO_SURROGATES, max_size=300),
    st.sampled_from(
        ["\x00", "\u202eRTL", "a\u200bb", "😀" * 50, "'; DROP TABLE answer;--", "=1+1", "x" * 5000]
    ),
)
ranks = st.one_of(
    st.sampled_from(["", "1", "2", "3", "0", "-1", "1e3", "٣", "99999999999"]),
    st.text(alphabet=NO_SURROGATES, max_size=5),
)


def expected(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").strip())


def test_ballot_form_fuzz(client, auth):
    member = MemberFactory()
    UserFactory(email="fuzz@example.org", member=member)
    c = build_consultation()
    q = c.questions
    auth.login("fuzz@example.org")

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(r1=ranks, r2=ranks, r3=ranks, writein=texts, comment=texts, text=texts, value=ranks)
    def run(r1, r2, r3, writein, comment, text, value):
        fields = hidden_fields(client, "idm-2010")
        data = {
            f"q{q[0].id}-rank-{q[0].options[0].id}": r1,
            f"q{q[0].id}-rank-{q[0].options[1].id}": r2,
            f"q{q[0].id}-rank-{q[0].options[2].id}": r3,
            f"q{q[0].id}-writein": writein,
            f"q{q[2].id}-value": value,
            f"q{q[3].id}-text": text,
            "comment": comment,
            **fields,
            "action": "submit",
        }
        response = client.post("/consultations/idm-2010", data=data)
        assert response.status_code in (303, 400), response.status_code
        if response.status_code == 303:
            stored = db.session.scalars(sa.select(Response)).one()
            assert stored.comment == expected(comment)
            assert stored.receipt in client.get("/consultations/idm-2010/receipt").get_data(
                as_text=True
            )

    run()


def test_invalid_utf8_is_not_an_error(client, auth):
    UserFactory(email="d@example.org")
    build_consultation()
    auth.login("d@example.org")
    fields = hidden_fields(client, "idm-2010")
    body = "&".join(f"{k}={v}" for k, v in fields.items()) + "&comment=%ff%fe&action=draft"
    response = client.post(
        "/consultations/idm-2010",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (303, 400)
