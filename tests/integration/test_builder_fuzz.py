"""Whatever is typed into the builder, the answer is a saved text or a clear refusal — never a
500 — the same way on SQLite and PostgreSQL (VAL-2)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consult.consultations.checks import LIMITS
from consult.core.plaintext import clean_text
from tests.factories import build_consultation
from tests.integration.builder_helpers import consultation, post, sign_in_admin
from tests.strategies import text

NASTY = st.one_of(
    text(max_size=40),
    st.text(alphabet=st.sampled_from("\x00\x07\u200b\u202eé<>&\"'=+-@\r\n\t 😀"), max_size=20),
    st.sampled_from(["", " ", "\x00", "=1+1", "<script>alert(1)</script>", "x" * 301, "\u0301"]),
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def draft(client, auth):
    sign_in_admin(auth)
    c = build_consultation("idm-2011", status="draft")
    return c.questions[0]


@FUZZ
@given(label=NASTY, french=NASTY, description=NASTY)
def test_option_texts(client, draft, label, french, description):
    before = consultation("idm-2011").questions[0].options[2].label
    response = post(
        client,
        f"/admin/consultations/idm-2011/options/{draft.options[2].id}",
        {"label-en": label, "label-fr": french, "description-es": description},
    )
    assert response.status_code in (303, 400), response.status_code
    option = consultation("idm-2011").questions[0].options[2]
    if response.status_code == 303:
        assert option.label == clean_text(label, LIMITS["label"])[0]  # NFC, line ends, spaces
        assert option.label.strip()
        assert len(option.label) <= LIMITS["label"]
        assert "\x00" not in option.label + option.localized("label", "fr")
    else:
        assert option.label == before  # unchanged


@FUZZ
@given(slug=NASTY, title=NASTY, reference=NASTY, when=NASTY)
def test_settings(client, draft, slug, title, reference, when):
    before = consultation("idm-2011").title
    response = post(
        client,
        "/admin/consultations/idm-2011/settings",
        {"slug": slug, "title-en": title, "reference": reference, "closes_at": when},
    )
    assert response.status_code in (303, 400), response.status_code
    if response.status_code == 400:
        assert consultation("idm-2011").title == before


@FUZZ
@given(positions=st.lists(NASTY, min_size=3, max_size=3))
def test_positions(client, draft, positions):
    data = {f"position-{o.id}": p for o, p in zip(draft.options, positions, strict=True)}
    response = post(
        client, f"/admin/consultations/idm-2011/questions/{draft.id}/options/order", data
    )
    assert response.status_code in (303, 400), response.status_code
    stored = [o.position for o in consultation("idm-2011").questions[0].options]
    assert stored == [1, 2, 3]


@FUZZ
@given(action=NASTY, member=NASTY, since=NASTY)
def test_audit_filters(client, draft, action, member, since):
    response = client.get(
        "/admin/audit/", query_string={"action": action, "member": member, "since": since}
    )
    assert response.status_code in (200, 400), response.status_code
