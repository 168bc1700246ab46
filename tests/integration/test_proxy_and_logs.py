"""The client's address behind a proxy (PROXY-1, RL-1), request ids and tokens kept out of
logs (LOG-1)."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult import register_proxy
from consult.core.security_log import SecurityEvent, SecurityKind
from consult.extensions import db
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory
from tests.smtp import links

PROXY = "10.0.0.2"


def failed_login(client, email: str, **headers: str):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": "wrong password", "csrf_token": token},
        environ_base={"REMOTE_ADDR": PROXY},
        headers=headers,
    )


@pytest.fixture
def three_per_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_LIMIT_ADDRESS", "3 per 15 minutes")


@pytest.fixture
def behind_one_proxy(app, monkeypatch):
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # restored afterwards
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    register_proxy(app)


def test_without_a_configured_proxy_forwarded_addresses_are_ignored(client, three_per_address):
    """Anyone can send X-Forwarded-For: it must not buy a fresh rate-limit bucket."""
    for n in range(3):
        forged = failed_login(client, f"u{n}@example.org", **{"X-Forwarded-For": f"192.0.2.{n}"})
        assert forged.status_code == 200
    refused = failed_login(client, "u9@example.org", **{"X-Forwarded-For": "192.0.2.77"})
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(
    client, three_per_address, behind_one_proxy
):
    for n in range(3):
        for client_address in ("198.51.100.7", "198.51.100.8"):
            response = failed_login(
                client, f"u{n}@example.org", **{"X-Forwarded-For": client_address}
            )
            assert response.status_code == 200
    fourth = failed_login(client, "u4@example.org", **{"X-Forwarded-For": "198.51.100.7"})
    assert fourth.status_code == 429
    other = failed_login(client, "u4@example.org", **{"X-Forwarded-For": "198.51.100.9"})
    assert other.status_code == 200


def test_a_client_cannot_prepend_addresses_past_the_trusted_proxy(
    client, three_per_address, behind_one_proxy
):
    """The proxy appends the address it saw; only that last entry is believed."""
    for n in range(3):
        forged = f"192.0.2.{n}, 198.51.100.7"
        response = failed_login(client, f"u{n}@example.org", **{"X-Forwarded-For": forged})
        assert response.status_code == 200
    again = failed_login(
        client, "u5@example.org", **{"X-Forwarded-For": "192.0.2.50, 198.51.100.7"}
    )
    assert again.status_code == 429


def recorded_request_id(client, **environ: str) -> str:
    token = csrf_token(client, "/login")
    client.post(
        "/login",
        data={"email": "nobody@example.org", "password": "wrong", "csrf_token": token},
        environ_base=environ,
    )
    db.session.expire_all()
    event = db.session.scalars(  # failed sign-ins are security events
        sa.select(SecurityEvent)
        .where(SecurityEvent.kind == SecurityKind.SIGN_IN_FAILED)
        .order_by(SecurityEvent.id.desc())
        .limit(1)
    ).one()
    return event.request_id


def test_a_safe_request_id_is_kept(client):
    assert recorded_request_id(client, HTTP_X_REQUEST_ID="req-2027.01_af39") == "req-2027.01_af39"


@pytest.mark.parametrize(
    "unsafe",
    [
        "abc\r\nforged log line",
        "\x1b[31mred\x1b[0m",
        "a" * 41,
        "spaces are not ids",
        "-starts-with-a-hyphen",
        "é",
    ],
)
def test_an_unsafe_request_id_is_replaced(client, unsafe):
    recorded = recorded_request_id(client, HTTP_X_REQUEST_ID=unsafe)
    assert re.fullmatch(r"[0-9a-f]{32}", recorded), recorded


def test_an_opened_link_leaves_the_address_and_the_logged_one_is_dead(app, client, mailbox):
    from consult.auth import accounts
    from consult.auth.models import Role
    from consult.mail import outbox

    admin = AdminFactory()
    accounts.invite(
        admin.id,
        email="new@example.org",
        name="New",
        role=Role.DELEGATE,
        member_id=MemberFactory().id,
        locale=None,
    )
    outbox.deliver()
    (link,) = [u for u in links(mailbox.wait(1)[0]) if "/invitation/" in u]
    logged = link.removeprefix("https://consult.example.org")
    token = logged.rsplit("/", 1)[1]
    opened = client.get(logged)
    assert opened.status_code == 303
    assert opened.headers["Location"] == "/invitation"
    assert opened.headers["Cache-Control"] == "no-store"
    page = client.get("/invitation")
    assert page.status_code == 200
    assert token not in page.get_data(as_text=True)
    # Someone replaying the address from an access log finds a dead link.
    replay = app.test_client().get(logged)
    assert replay.status_code == 400
    assert "This link cannot be used" in replay.get_data(as_text=True)
    # The browser that opened it can still choose the password.
    csrf = csrf_token(client, "/invitation")
    chosen = client.post(
        "/invitation",
        data={
            "password": "a long new password",
            "confirm": "a long new password",
            "csrf_token": csrf,
        },
    )
    assert chosen.status_code == 302
