"""Delegates and administrators managed from the browser; removal ends sessions at once."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.auth.models import Role, User
from consult.ballots.models import Response, Revision
from consult.core.audit import AuditEvent
from consult.core.security_log import SecurityEvent
from consult.extensions import db
from consult.mail.models import OutboxMessage
from tests.conftest import PASSWORD, AuthActions, session_csrf_token, signed_in_client
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import hidden_fields, ranking_form
from tests.smtp import links, text_of


@pytest.fixture
def admin(client, auth):
    AdminFactory(email="admin@example.org", name="Head of Secretariat")
    auth.login("admin@example.org")
    return client


def _post(client, path, data=None, **kwargs):
    return client.post(
        path, data={**(data or {}), "csrf_token": session_csrf_token(client)}, **kwargs
    )


def _user(email) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_invite_a_delegate_from_the_member_page(admin, mailbox):
    member = MemberFactory(name="Testland")
    page = admin.get(f"/admin/members/{member.id}").get_data(as_text=True)
    assert f'href="/admin/members/{member.id}/delegates/new"' in page
    response = _post(
        admin,
        f"/admin/members/{member.id}/delegates/new",
        {"name": "Nadia Nouvelle", "email": "Nadia@Example.org", "locale": "fr"},
    )
    assert response.status_code == 302
    user = _user("nadia@example.org")
    assert (user.role, user.member_id, user.locale, user.password_hash) == (
        Role.DELEGATE,
        member.id,
        "fr",
        None,
    )
    (message,) = mailbox.wait(1)
    assert "Bonjour Nadia Nouvelle," in text_of(message)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Nadia Nouvelle is invited" in page
    assert "Invited" in page


def test_invitation_link_uses_configured_host_whatever_the_request_host(app, admin, mailbox):
    """AUTH-5: the administrator works on a forged Host; the link names the configured one."""
    member = MemberFactory()
    forged = {"Host": "evil.org", "X-Forwarded-Host": "evil.org"}
    browser = app.test_client()

    def token(path):
        page = browser.get(path, headers=forged).get_data(as_text=True)
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)

    signed_in = browser.post(
        "/login",
        data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token("/login")},
        headers=forged,
    )
    assert signed_in.status_code == 302
    path = f"/admin/members/{member.id}/delegates/new"
    response = browser.post(
        path,
        data={"name": "X", "email": "x@example.org", "locale": "en", "csrf_token": token(path)},
        headers=forged,
    )
    assert response.status_code == 302
    (message,) = mailbox.wait(1)
    assert "evil.org" not in text_of(message)
    assert links(message)
    assert all(u.startswith("https://consult.example.org/") for u in links(message))


def test_invite_refuses_an_address_already_used(admin):
    other = MemberFactory(name="Otherland")
    UserFactory(email="taken@example.org", member=other)
    member = MemberFactory()
    response = _post(
        admin,
        f"/admin/members/{member.id}/delegates/new",
        {"name": "X", "email": "taken@example.org", "locale": "en"},
    )
    assert response.status_code == 400
    assert "exists already (a delegate of Otherland)" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_invite_form_errors_are_announced(admin):
    member = MemberFactory()
    response = _post(
        admin, f"/admin/members/{member.id}/delegates/new", {"name": "", "email": "nope"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'role="alert"' in page
    assert 'href="#email"' in page
    assert "Enter the name." in page


def test_resend_gives_a_new_link_and_reports_delivery(admin, mailbox):
    member = MemberFactory()
    _post(
        admin,
        f"/admin/members/{member.id}/delegates/new",
        {"name": "R", "email": "r@example.org", "locale": "en"},
    )
    user = _user("r@example.org")
    mailbox.refuse = True
    response = _post(admin, f"/admin/users/{user.id}/resend", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 message could not be sent" in page
    assert "Not delivered yet" in page
    assert "451" in page
    mailbox.refuse = False
    assert len(mailbox.messages) == 1  # only the first invitation arrived


def test_resend_is_refused_once_the_password_is_chosen(admin):
    user = UserFactory(email="d@example.org")
    response = _post(admin, f"/admin/users/{user.id}/resend", follow_redirects=True)
    assert "has already chosen a password" in response.get_data(as_text=True)


def test_deactivating_a_delegate_ends_their_session_at_once(app, admin):
    user = UserFactory(email="d@example.org")
    delegate = signed_in_client(app, "d@example.org")
    assert delegate.get("/").status_code == 200
    assert _post(admin, f"/admin/users/{user.id}/deactivate", {"confirm": "yes"}).status_code == 302
    response = delegate.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert _user("d@example.org").active is False
    refused = _signed_in_attempt(app, "d@example.org")
    assert refused.status_code == 200  # the sign-in form again


def _signed_in_attempt(app, email):
    return AuthActions(app.test_client()).login_form(email)


def _ballot_state():
    db.session.expire_all()
    return (
        [(r.member_id, r.status.value, r.version) for r in db.session.scalars(sa.select(Response))],
        db.session.scalar(sa.select(sa.func.count()).select_from(Revision)),
    )


def test_moving_a_delegate_refuses_their_pending_save_with_403_and_no_change(app, admin):
    """SESS-4: removed from their state while signed in, with the ballot form open."""
    first, second = MemberFactory(name="First State"), MemberFactory(name="Second State")
    user = UserFactory(email="d@example.org", member=first)
    consultation = build_consultation()
    delegate = signed_in_client(app, "d@example.org")
    fields = hidden_fields(delegate, "idm-2010")  # the form is open in the delegate's browser
    before = _ballot_state()
    response = _post(admin, f"/admin/users/{user.id}/move", {"member": str(second.id)})
    assert response.status_code == 302
    assert _user("d@example.org").member_id == second.id
    save = delegate.post(
        "/consultations/idm-2010",
        data={**ranking_form(consultation, {1: "1", 2: "2"}), **fields, "action": "submit"},
    )
    assert save.status_code == 403
    assert "Your session has ended, so nothing was saved." in save.get_data(as_text=True)
    assert _ballot_state() == before
    assert delegate.get("/").status_code == 302  # signed out for every later request
    moved = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "delegate_moved"))
    assert moved.details["from_member"] == first.id


def test_deactivated_delegate_pending_save_gets_403_and_no_change(app, admin):
    user = UserFactory(email="d@example.org")
    consultation = build_consultation()
    delegate = signed_in_client(app, "d@example.org")
    fields = hidden_fields(delegate, "idm-2010")
    before = _ballot_state()
    _post(admin, f"/admin/users/{user.id}/deactivate", {"confirm": "yes"})
    save = delegate.post(
        "/consultations/idm-2010",
        data={**ranking_form(consultation, {1: "1"}), **fields, "action": "submit"},
    )
    assert save.status_code == 403
    assert _ballot_state() == before
    # The refusal is in the security log (the save's write lock, held on SQLite since the
    # request began, is given up first rather than making the log wait and lose it).
    refused = db.session.execute(
        sa.select(SecurityEvent.reason, SecurityEvent.status, SecurityEvent.user_id).where(
            SecurityEvent.path == "/consultations/idm-2010"
        )
    ).all()
    assert refused == [("session ended", 403, user.id)]


def test_move_form_refuses_the_same_member(admin):
    member = MemberFactory()
    user = UserFactory(member=member)
    response = _post(admin, f"/admin/users/{user.id}/move", {"member": str(member.id)})
    assert response.status_code == 400
    assert "already belongs to this member" in response.get_data(as_text=True)


def test_edit_name_and_language(admin):
    user = UserFactory(email="d@example.org")
    _post(admin, f"/admin/users/{user.id}/edit", {"name": "Dora Renamed", "locale": "es"})
    changed = _user("d@example.org")
    assert (changed.name, changed.locale) == ("Dora Renamed", "es")


def test_administrators_are_managed_the_same_way(app, admin, mailbox):
    page = admin.get("/admin/administrators").get_data(as_text=True)
    assert "Head of Secretariat" in page
    response = _post(
        admin,
        "/admin/administrators/new",
        {"name": "Second Admin", "email": "second@example.org", "locale": "en"},
    )
    assert response.status_code == 302
    second = _user("second@example.org")
    assert (second.role, second.member_id) == (Role.ADMIN, None)
    (message,) = mailbox.wait(1)
    assert "administer the consultation platform" in text_of(message)
    myself = _user("admin@example.org")
    refused = _post(
        admin,
        f"/admin/users/{myself.id}/deactivate",
        {"confirm": "yes"},
        follow_redirects=True,
    )
    assert "You cannot deactivate your own account." in refused.get_data(as_text=True)
    assert _user("admin@example.org").active is True
    assert (
        _post(admin, f"/admin/users/{second.id}/deactivate", {"confirm": "yes"}).status_code == 302
    )
    assert _user("second@example.org").active is False


def test_the_last_active_administrator_cannot_be_deactivated(app):
    from consult.auth import accounts

    only = AdminFactory(email="only@example.org")
    other = AdminFactory(email="other@example.org", active=False)
    with pytest.raises(accounts.AccountError, match="last admin"):
        accounts.deactivate(other.id, only.id)


def test_invitation_messages_stay_in_the_outbox_until_sent(admin, mailbox):
    member = MemberFactory()
    mailbox.refuse = True
    response = _post(
        admin,
        f"/admin/members/{member.id}/delegates/new",
        {"name": "Q", "email": "q@example.org", "locale": "en"},
    )
    assert response.status_code == 302  # the account exists whatever the mail server says
    assert _user("q@example.org") is not None
    (row,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.sent_at is None
    assert row.attempts == 1
