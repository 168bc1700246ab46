"""The security event log (AC-1 logging, AUD-4, issue 14): refused access with who, what and
where, CSRF failures, rate-limit hits and failed sign-ins; no secret in it, control characters
encoded; administrators read it on the audit page with a filter."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from consult.ballots.models import Response, Revision
from consult.core import security_log
from consult.core.logtext import encode
from consult.core.security_log import SecurityEvent, SecurityKind
from consult.extensions import db
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form


def events(kind: SecurityKind | None = None) -> list[SecurityEvent]:
    db.session.rollback()
    query = sa.select(SecurityEvent).order_by(SecurityEvent.id)
    if kind is not None:
        query = query.where(SecurityEvent.kind == kind)
    return list(db.session.scalars(query))


def every_stored_text() -> str:
    """All the security log holds, as one text (to look for secrets in it)."""
    with db.engine.connect() as conn:
        rows = conn.execute(sa.select(SecurityEvent.__table__)).all()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def test_probing_another_members_response_is_refused_and_logged(client, auth):
    """AC-1: a delegate of A trying B's ballot, receipt and revisions by slug, number, query
    parameter and form field is refused, nothing changes, and each refusal says who and what."""
    a, b = MemberFactory(code="XAA"), MemberFactory(code="XBB")
    prober = UserFactory(email="a@example.org", member=a)
    UserFactory(email="b@example.org", member=b)
    c = build_consultation()
    auth.login_form("b@example.org")
    assert post_ballot(client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    auth.logout()
    before = [(r.member_id, r.revision) for r in db.session.scalars(sa.select(Response))]
    auth.login_form("a@example.org")
    token = csrf_token(client, "/")
    probes = [
        client.get("/consultations/idm-2010/revisions/1"),  # B's first revision, not A's
        client.get(f"/consultations/idm-2010/revisions/1?member={b.id}"),
        client.get("/consultations/idm-2099"),  # not a consultation shown to A
        client.get(f"/admin/members/{b.id}"),
        client.post(
            "/admin/consultations/idm-2010/export/responses.csv", data={"csrf_token": token}
        ),
    ]
    assert [p.status_code for p in probes] == [404, 404, 404, 403, 403]
    assert [(r.member_id, r.revision) for r in db.session.scalars(sa.select(Response))] == before
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1
    refused = events(SecurityKind.ACCESS_REFUSED)
    assert [(e.status, e.method, e.path) for e in refused] == [
        (404, "GET", "/consultations/idm-2010/revisions/1"),
        (404, "GET", f"/consultations/idm-2010/revisions/1?member={b.id}"),
        (404, "GET", "/consultations/idm-2099"),
        (403, "GET", f"/admin/members/{b.id}"),
        (403, "POST", "/admin/consultations/idm-2010/export/responses.csv"),
    ]
    assert {(e.user_id, e.member_id, e.address) for e in refused} == {
        (prober.id, a.id, "127.0.0.1")
    }
    assert refused[0].endpoint == "ballots.revision"
    assert all(e.request_id for e in refused)


def test_csrf_failures_are_logged_without_the_token(client, auth):
    UserFactory(email="d@example.org")
    auth.login_form("d@example.org")
    forged = "forged-token-value-1234567890"
    assert client.post("/logout", data={"csrf_token": forged}).status_code == 400
    assert client.post("/language", data={"lang": "fr"}).status_code == 400
    logged = events(SecurityKind.CSRF_FAILED)
    assert [(e.path, e.status) for e in logged] == [("/logout", 400), ("/language", 400)]
    assert logged[1].reason == "The CSRF token is missing."
    assert logged[0].user_id is not None
    assert forged not in every_stored_text()


def test_secrets_in_links_and_queries_are_not_kept(app):
    secret = "s3cr3t-reset-token-value-abcdefghijklmnop"
    with app.test_request_context(f"/password/reset/{secret}?token={secret}&next=/x"):
        security_log.record(SecurityKind.ACCESS_REFUSED, status=400)
    (event,) = events(SecurityKind.ACCESS_REFUSED)
    assert event.path == "/password/reset/…?token=%E2%80%A6&next=%2Fx"
    assert event.endpoint == "auth.reset_link"
    assert secret not in every_stored_text()


def test_failed_sign_ins_and_the_limit_are_logged_without_the_password(client, auth):
    """AUTH-2: every attempt logged; the limit's hits too; never the password."""
    UserFactory(email="d@example.org")
    statuses = [
        auth.login_form("d@example.org", "wrong-password-123").status_code for _ in range(11)
    ]
    assert statuses[-1] == 429
    failed = events(SecurityKind.SIGN_IN_FAILED)
    assert len(failed) == 10
    assert {e.email for e in failed} == {"d@example.org"}
    (limited,) = events(SecurityKind.RATE_LIMITED)
    assert limited.status == 429
    assert limited.endpoint == "auth.login"
    assert "wrong-password-123" not in every_stored_text()


def test_control_characters_are_encoded_in_the_log_and_its_lines(client, auth, caplog):
    """AUD-4: CR, LF and ANSI codes typed by someone cannot forge or colour a log line."""
    typed = "x\r\n2026-12-04 INFO admin signed in\x1b[31m@example.org"
    with caplog.at_level(logging.WARNING, logger="consult.security"):
        auth.login_form(typed, "wrong-password-123")
    (event,) = events(SecurityKind.SIGN_IN_FAILED)
    assert event.email == encode(typed.lower())
    assert "\r" not in event.email
    assert "\n" not in event.email
    assert "\x1b" not in event.email
    assert "\\x0d\\x0a" in event.email
    assert "\\x1b[31m" in event.email
    (line,) = [r.getMessage() for r in caplog.records if r.name == "consult.security"]
    assert "\n" not in line
    assert "\x1b" not in line


def test_administrators_read_the_security_events_with_a_filter(client, auth):
    AdminFactory(email="admin@example.org")
    UserFactory(email="d@example.org")
    auth.login_form("d@example.org")
    client.get("/admin/members")  # refused
    client.post("/logout", data={})  # CSRF failure
    auth.logout()
    auth.login_form("admin@example.org")
    page = client.get("/admin/audit/security").get_data(as_text=True)
    assert "Access refused" in page
    assert "<code>GET /admin/members</code>" in page
    assert "Form not from this site" in page
    filtered = client.get("/admin/audit/security?kind=csrf_failed").get_data(as_text=True)
    assert "<code>POST /logout</code>" in filtered
    assert "<code>GET /admin/members</code>" not in filtered
    assert client.get("/admin/audit/security?kind=nonsense").status_code == 400
    assert 'href="/admin/audit/security"' in client.get("/admin/audit/").get_data(as_text=True)


def test_encode_escapes_what_could_forge_a_line():
    assert encode("a\r\nb\tc\x00\x1b[0m\u202e\u2028\\") == (
        "a\\x0d\\x0ab\\x09c\\x00\\x1b[0m\\u202e\\u2028\\\\"
    )
    assert encode("é😀 fine") == "é😀 fine"
    assert encode("x" * 500, 10) == "x" * 9 + "…"
