"""Sign-in, sign-out, sessions and sign-in limits."""

from __future__ import annotations

import pytest

from tests.conftest import PASSWORD, csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory


def test_login_page_shows_form(client):
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="email"' in page.data
    assert b'name="csrf_token"' in page.data


def test_delegate_signs_in_and_sees_member_name(client, auth):
    member = MemberFactory(name="Republic of Testland")
    UserFactory(email="d@example.org", member=member)
    response = auth.login_form("d@example.org")
    assert response.status_code == 302
    home = client.get("/")
    assert "Republic of Testland" in home.get_data(as_text=True)


def test_admin_signs_in_and_sees_administration(client, auth):
    AdminFactory(email="a@example.org")
    auth.login_form("a@example.org")
    assert "Administration" in client.get("/").get_data(as_text=True)


def test_email_is_case_insensitive(client, auth):
    UserFactory(email="d@example.org")
    assert auth.login_form("D@Example.ORG").status_code == 302


@pytest.mark.parametrize("email", ["d@example.org", "nobody@example.org"])
def test_wrong_password_and_unknown_email_look_the_same(client, auth, email):
    UserFactory(email="d@example.org")
    response = auth.login_form(email, "wrong password")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "The e-mail address or password is not correct." in text
    assert email not in text.split("<form")[0]


def test_wrong_password_message_in_french(client, auth):
    UserFactory(email="d@example.org")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "d@example.org", "password": "nope", "csrf_token": token},
        headers={"Accept-Language": "fr"},
    )
    assert "L’adresse électronique ou le mot de passe est incorrect." in response.get_data(
        as_text=True
    )


def test_missing_csrf_token_gives_clear_message(client):
    UserFactory(email="d@example.org")
    response = client.post("/login", data={"email": "d@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_logout_ends_session_and_replayed_cookie_is_refused(app, client, auth):
    UserFactory(email="d@example.org")
    auth.login_form("d@example.org")
    cookie = client.get_cookie("session").value
    assert auth.logout().status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    response = replay.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_logout_by_get_is_not_allowed(client, auth):
    UserFactory(email="d@example.org")
    auth.login_form("d@example.org")
    assert client.get("/logout").status_code == 405


def test_session_fixation_key_dropped_at_login(client, auth):
    UserFactory(email="d@example.org")
    with client.session_transaction() as session:
        session["planted"] = "x"
    auth.login_form("d@example.org")
    with client.session_transaction() as session:
        assert "planted" not in session


@pytest.mark.parametrize(
    "target", ["//evil.org", "https://evil.org", "javascript:alert(1)", "/\\evil.org"]
)
def test_next_must_be_local(client, target):
    UserFactory(email="d@example.org")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={"email": "d@example.org", "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert response.headers["Location"] == "/"


def test_next_local_path_is_followed(client):
    UserFactory(email="d@example.org")
    token = csrf_token(client)
    response = client.post(
        "/login",
        data={
            "email": "d@example.org",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/x?y=1",
        },
    )
    assert response.headers["Location"] == "/x?y=1"


def test_deactivated_user_loses_session(client, auth):
    from consult.extensions import db

    user = UserFactory(email="d@example.org")
    auth.login_form("d@example.org")
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_a_limited_page_says_its_limit_and_others_say_none(client, auth):
    """The sign-in form's answers carry its limit and what is left of it; a page without a
    limit carries no limit headers."""
    UserFactory(email="d@example.org")
    first = auth.login_form("d@example.org", "wrong")
    second = auth.login_form("d@example.org", "wrong")
    assert int(first.headers["X-RateLimit-Limit"]) in (10, 50)  # per account, per address
    assert int(second.headers["X-RateLimit-Remaining"]) == (
        int(first.headers["X-RateLimit-Remaining"]) - 1
    )
    assert "X-RateLimit-Reset" in second.headers
    page = client.get("/login")
    assert page.status_code == 200
    assert not [name for name, _ in page.headers.items() if name.startswith("X-RateLimit")]


def test_failed_logins_are_limited_per_account(client, auth):
    UserFactory(email="d@example.org")
    statuses = [auth.login_form("d@example.org", "wrong").status_code for _ in range(11)]
    assert statuses[:10] == [200] * 10
    assert statuses[10] == 429
    limited = auth.login_form("d@example.org")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers


def test_successful_logins_do_not_count(client, auth):
    UserFactory(email="d@example.org")
    for _ in range(12):
        assert auth.login_form("d@example.org").status_code == 302
        auth.logout()


def test_language_switch_is_remembered_for_the_user(client, auth):
    UserFactory(email="d@example.org")
    auth.login_form("d@example.org")
    token = csrf_token(client, "/")
    client.post("/language", data={"lang": "es", "csrf_token": token, "next": "/"})
    client2 = client.application.test_client()
    AuthLogin = type(auth)
    AuthLogin(client2).login_form("d@example.org")
    page = client2.get("/").get_data(as_text=True)
    assert 'lang="es"' in page


def test_passwords_are_hashed_with_scrypt_outside_the_tests(app, tmp_path):
    """The suite's one-round PBKDF2 is a testing setting only; a hash names its own method,
    so an account whose hash was made with scrypt still signs in under either setting."""
    from consult import create_app
    from consult.auth.models import User

    production_like = create_app(
        "development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"}
    )
    with production_like.app_context():
        user = User()
        user.set_password("a long enough password")
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a long enough password")
    assert not user.check_password("a wrong password")

    tested = User()
    tested.set_password("a long enough password")
    assert tested.password_hash.startswith("pbkdf2:sha256:1$")


def test_idle_sessions_end_and_activity_is_recorded_to_the_minute(client, auth):
    import time

    from consult.auth.session import IDLE_SECONDS, SEEN_RESOLUTION

    UserFactory(email="idle@example.org")
    auth.login_form("idle@example.org")
    assert client.get("/").status_code == 200
    # Pages within the minute do not send the cookie again.
    assert "Set-Cookie" not in client.get("/").headers
    with client.session_transaction() as session:
        session["seen_at"] = int(time.time()) - SEEN_RESOLUTION - 5
    assert "Set-Cookie" in client.get("/").headers
    with client.session_transaction() as session:
        assert session["seen_at"] >= int(time.time()) - 5
        session["seen_at"] = int(time.time()) - IDLE_SECONDS - 1
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_session_cookie_past_its_lifetime_is_refused_though_it_was_accepted(
    app, client, auth, monkeypatch
):
    """The session's cookie is verified once per process and kept (core.assets): its age is
    checked all the same, and an altered cookie is checked in full."""
    import time

    UserFactory(email="aged@example.org")
    auth.login_form("aged@example.org")
    assert client.get("/").status_code == 200
    assert client.get("/").status_code == 200  # the kept contents
    cookie = client.get_cookie("session")
    assert cookie is not None
    altered = cookie.value[:-2] + ("AA" if not cookie.value.endswith("AA") else "BB")
    client.set_cookie("session", altered)
    assert client.get("/").status_code == 302  # signed in no more
    client.set_cookie("session", cookie.value)
    assert client.get("/").status_code == 200
    later = time.time() + app.permanent_session_lifetime.total_seconds() + 60
    monkeypatch.setattr(time, "time", lambda: later)  # the cookie's clock (itsdangerous')
    with app.test_request_context("/", headers={"Cookie": f"session={cookie.value}"}):
        from flask import request

        assert dict(app.session_interface.open_session(app, request)) == {}


def test_an_app_with_rate_limits_turned_off_starts_and_serves(tmp_path):
    """RATELIMIT_ENABLED=false (a benchmark's client, an operator's choice) registers no
    limiter check before requests: the app must still start, and sign-in still answers."""
    from consult import create_app

    unlimited = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "RATELIMIT_ENABLED": False,
        },
    )
    assert unlimited.test_client().get("/login").status_code == 200
