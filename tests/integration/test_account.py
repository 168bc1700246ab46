"""Delegates help themselves: language, password, the other delegates of their member; the
Administration finds delegates across members."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from consult.auth.models import User
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.conftest import PASSWORD, session_csrf_token, signed_in_client
from tests.factories import AdminFactory, MemberFactory, UserFactory
from tests.integration.test_members import count_queries

NEW_PASSWORD = "a brand new passphrase"


def _post(client, path, data):
    return client.post(path, data={**data, "csrf_token": session_csrf_token(client)})


def _change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return _post(
        client,
        "/account/password",
        {"current": current, "password": new, "confirm": new if confirm is None else confirm},
    )


def _user(email) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.fixture
def kenya():
    member = MemberFactory(code="KEN", name="Kenya", translations={"fr": {"name": "Kenya"}})
    UserFactory(email="wanjiru@example.org", name="Wanjiru", member=member)
    UserFactory(email="otieno@example.org", name="Otieno", member=member, password_hash=None)
    UserFactory(email="former@example.org", name="Former", member=member, active=False)
    UserFactory(email="other@example.org", name="Someone Else", member=MemberFactory())
    return member


def test_account_page_lists_the_active_delegates_of_the_member_only(app, kenya):
    client = signed_in_client(app, "wanjiru@example.org")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/account/"' in home
    page = client.get("/account/").get_data(as_text=True)
    assert "Delegates of Kenya" in page
    assert "wanjiru@example.org" in page
    assert "otieno@example.org" in page
    assert "Invited, has not chosen a password yet" in page
    assert "former@example.org" not in page
    assert "other@example.org" not in page


def test_change_password_keeps_this_session_and_ends_the_others(app, kenya):
    here = signed_in_client(app, "wanjiru@example.org")
    elsewhere = signed_in_client(app, "wanjiru@example.org")
    response = _change(here)
    assert response.status_code == 303
    page = here.get("/account/").get_data(as_text=True)
    assert "Your password is changed. Your other sessions have ended." in page
    assert elsewhere.get("/").status_code == 302  # back to the sign-in page
    assert _user("wanjiru@example.org").check_password(NEW_PASSWORD)
    assert not _user("wanjiru@example.org").check_password(PASSWORD)
    signed_in_client(app, "wanjiru@example.org", NEW_PASSWORD, form=True)
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "password_changed" in actions


@pytest.mark.parametrize(
    ("current", "new", "confirm", "message"),
    [
        ("wrong password here", NEW_PASSWORD, None, "This is not your current password."),
        (PASSWORD, "short", None, "The password needs between 10 and 200 characters."),
        (PASSWORD, NEW_PASSWORD, "something different", "The two passwords are not the same."),
        ("", NEW_PASSWORD, None, "Enter your current password."),
    ],
)
def test_refused_password_change_says_why_and_changes_nothing(
    app, kenya, current, new, confirm, message
):
    client = signed_in_client(app, "wanjiru@example.org")
    before = _user("wanjiru@example.org")
    hash_before, nonce_before = before.password_hash, before.session_nonce
    response = _change(client, current, new, confirm)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert 'role="alert"' in page
    after = _user("wanjiru@example.org")
    assert (after.password_hash, after.session_nonce) == (hash_before, nonce_before)
    assert client.get("/").status_code == 200  # still signed in


def test_wrong_current_password_is_rate_limited(app, kenya):
    client = signed_in_client(app, "wanjiru@example.org")
    for _ in range(10):
        assert _change(client, "wrong password here").status_code == 400
    limited = _change(client, "wrong password here")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    refused = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "password_change_refused")
    )
    assert refused == 10


def test_password_change_without_csrf_token_is_refused(app, kenya):
    client = signed_in_client(app, "wanjiru@example.org")
    response = client.post(
        "/account/password",
        data={"current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    )
    assert response.status_code == 400
    assert _user("wanjiru@example.org").check_password(PASSWORD)


def test_choose_language_for_pages_and_messages(app, kenya):
    client = signed_in_client(app, "wanjiru@example.org")
    response = _post(client, "/account/language", {"locale": "fr"})
    assert response.status_code == 303
    page = client.get("/account/").get_data(as_text=True)
    assert 'lang="fr"' in page
    assert "La langue est enregistrée." in page
    assert _user("wanjiru@example.org").locale == "fr"
    bad = _post(client, "/account/language", {"locale": "xx"})
    assert bad.status_code == 400
    assert _user("wanjiru@example.org").locale == "fr"


def test_account_page_needs_sign_in(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.fixture
def admin(app):
    AdminFactory(email="admin@example.org")
    return signed_in_client(app, "admin@example.org")


def test_administration_finds_delegates_across_members(admin, kenya):
    cote = MemberFactory(code="CIV", name="Côte d'Ivoire")
    UserFactory(email="kouame@example.org", name="Kouamé", member=cote)
    by_member = admin.get("/admin/delegates?q=cote").get_data(as_text=True)
    assert "kouame@example.org" in by_member
    assert "wanjiru@example.org" not in by_member
    by_name = admin.get("/admin/delegates?q=KOUAME").get_data(as_text=True)
    assert "kouame@example.org" in by_name
    by_code = admin.get("/admin/delegates?q=ken").get_data(as_text=True)
    assert "wanjiru@example.org" in by_code
    assert "otieno@example.org" in by_code
    assert "former@example.org" not in by_code
    invited = admin.get("/admin/delegates?status=invited").get_data(as_text=True)
    assert "otieno@example.org" in invited
    assert "wanjiru@example.org" not in invited
    gone = admin.get("/admin/delegates?status=inactive").get_data(as_text=True)
    assert "former@example.org" in gone
    everyone = admin.get("/admin/delegates?status=all&q=example.org").get_data(as_text=True)
    assert "5 delegates" in everyone


@pytest.mark.parametrize(
    ("query", "status"),
    [("?page=abc", 200), ("?page=99999999999999", 200), ("?status=%00", 400), ("?q=%00", 400)],
)
def test_odd_search_values_never_fail(admin, kenya, query, status):
    """Odd values are ignored; a NUL is refused (400) as in any request."""
    assert admin.get("/admin/delegates" + query).status_code == status


def test_delegate_search_pages_and_query_count(admin):
    member = MemberFactory()
    for i in range(60):
        UserFactory(email=f"d{i:02d}@example.org", name=f"Delegate {i:02d}", member=member)
    admin.get("/admin/delegates")
    with count_queries() as first:
        page_one = admin.get("/admin/delegates").get_data(as_text=True)
    with count_queries() as second:
        page_two = admin.get("/admin/delegates?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in page_one
    assert "d00@example.org" in page_one
    assert "d59@example.org" not in page_one
    assert "d59@example.org" in page_two
    assert first["n"] == second["n"]


def test_delegates_may_not_search(app, kenya):
    client = signed_in_client(app, "wanjiru@example.org")
    assert client.get("/admin/delegates").status_code == 403
