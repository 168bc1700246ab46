"""Password reset: same answer for known and unknown addresses, a single-use link built from
the configured address, other sessions ended, requests limited."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from consult.auth.models import User
from consult.core import clock
from consult.extensions import db
from tests.conftest import PASSWORD, csrf_token
from tests.factories import UserFactory
from tests.smtp import links, text_of

NEW_PASSWORD = "a brand new password"


def _request(client, email, **kwargs):
    token = csrf_token(client, "/password/forgot")
    return client.post("/password/forgot", data={"email": email, "csrf_token": token}, **kwargs)


def _without_token(response) -> str:
    return re.sub(r'name="csrf_token"[^>]*value="[^"]+"', "", response.get_data(as_text=True))


def _reset_path(mailbox) -> str:
    (link,) = [u for u in links(mailbox.wait(1)[-1]) if "/password/reset/" in u]
    assert link.startswith("https://consult.example.org/password/reset/")
    return link.removeprefix("https://consult.example.org")


def _choose(client, path, password=NEW_PASSWORD):
    """Open the e-mailed link, then choose a password on the token-free page it leads to."""
    opened = client.get(path)
    if opened.status_code != 303:
        return opened
    assert opened.headers["Location"] == "/password/reset"
    token = csrf_token(client, "/password/reset")
    return client.post(
        "/password/reset", data={"password": password, "confirm": password, "csrf_token": token}
    )


@pytest.fixture
def delegate(app):
    return UserFactory(email="d@example.org", name="Dana")


def test_known_and_unknown_addresses_get_the_same_answer(client, delegate, mailbox):
    known = _request(client, "d@example.org")
    unknown = _request(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    # The pages differ only in the CSRF token, which carries a timestamp.
    assert _without_token(known) == _without_token(unknown)
    assert "If an account uses this address" in known.get_data(as_text=True)
    (message,) = mailbox.wait(1)
    assert message["To"] == "d@example.org"
    assert "Dear Dana," in text_of(message)
    assert len(mailbox.messages) == 1


def test_forged_host_header_does_not_reach_the_link(client, delegate, mailbox):
    forged = {"Host": "evil.org", "X-Forwarded-Host": "evil.org"}
    page = client.get("/password/forgot", headers=forged).get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(
        "/password/forgot", data={"email": "d@example.org", "csrf_token": token}, headers=forged
    )
    assert response.status_code == 200
    text = text_of(mailbox.wait(1)[0])
    assert "evil.org" not in text
    _reset_path(mailbox)  # asserts the configured address


def test_reset_sets_password_signs_in_and_ends_other_sessions(app, client, auth, delegate, mailbox):
    elsewhere = app.test_client()
    token = csrf_token(elsewhere, "/login")
    elsewhere.post(
        "/login", data={"email": "d@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert elsewhere.get("/").status_code == 200
    _request(client, "d@example.org")
    response = _choose(client, _reset_path(mailbox))
    assert response.status_code == 302
    assert client.get("/").status_code == 200  # signed in here
    assert elsewhere.get("/").status_code == 302  # the other session has ended
    auth.logout()
    assert auth.login_form("d@example.org", PASSWORD).status_code == 200  # old password refused
    assert auth.login_form("d@example.org", NEW_PASSWORD).status_code == 302


def test_reset_link_is_single_use(app, client, delegate, mailbox):
    _request(client, "d@example.org")
    path = _reset_path(mailbox)
    assert _choose(client, path).status_code == 302
    other = app.test_client()
    response = _choose(other, path, "yet another password")
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)


def test_reset_link_expires_after_two_hours(client, delegate, mailbox):
    _request(client, "d@example.org")
    path = _reset_path(mailbox)
    with clock.freeze(clock.now() + timedelta(hours=2, seconds=1)):
        assert client.get(path).status_code == 400
        assert _choose(client, path).status_code == 400
    assert db.session.get(User, delegate.id).check_password(PASSWORD)


def test_reset_link_is_refused_after_a_password_change(client, delegate, mailbox):
    _request(client, "d@example.org")
    path = _reset_path(mailbox)
    user = db.session.get(User, delegate.id)
    user.set_password("changed meanwhile, elsewhere")
    db.session.commit()
    assert _choose(client, path).status_code == 400
    assert db.session.get(User, delegate.id).check_password("changed meanwhile, elsewhere")


def test_a_newer_link_replaces_the_older(client, delegate, mailbox):
    _request(client, "d@example.org")
    first = _reset_path(mailbox)
    _request(client, "d@example.org")
    mailbox.wait(2)
    second = _reset_path(mailbox)
    assert client.get(first).status_code == 400
    assert client.get(second).status_code == 303


def test_deactivated_account_gets_no_link(client, mailbox):
    UserFactory(email="gone@example.org", active=False)
    response = _request(client, "gone@example.org")
    assert response.status_code == 200
    assert mailbox.messages == []


def test_requests_for_one_address_are_limited(client, delegate, mailbox):
    for _ in range(3):
        assert _request(client, "d@example.org").status_code == 200
    limited = _request(client, "d@example.org")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert len(mailbox.wait(3)) == 3


def test_requests_from_one_address_are_limited(client, delegate):
    statuses = [_request(client, f"u{i}@example.org").status_code for i in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429


def test_reset_message_in_french(client, mailbox):
    UserFactory(email="f@example.org", name="Françoise", locale="fr")
    _request(client, "f@example.org")
    (message,) = mailbox.wait(1)
    assert message["Subject"].startswith("Choisir un nouveau mot de passe")
    assert "Bonjour Françoise," in text_of(message)
    assert "votre mot de passe reste inchangé" in text_of(message)
    assert "Pour choisir un nouveau mot de passe, ouvrez ce lien\u00a0:" in text_of(message)


def test_invalid_address_gets_a_clear_message(client):
    response = _request(client, "not an address")
    assert response.status_code == 400
    assert "Enter an e-mail address such as name@example.org." in response.get_data(as_text=True)


def test_forgotten_password_link_on_sign_in_page(client):
    page = client.get("/login").get_data(as_text=True)
    assert re.search(r'href="/password/forgot"', page)
