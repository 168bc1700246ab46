"""Routes, roles, CSRF and headers, enumerated from the app itself."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation

PUBLIC = {
    "auth.login",
    "auth.language",
    "auth.logout",
    "static",
    # reached from an e-mail by someone not signed in (tests/integration/test_invitations.py,
    # test_password_reset.py)
    "auth.invitation_link",
    "auth.accept_invitation",
    "auth.reset_link",
    "auth.reset_password",
    "auth.forgot_password",
}


EXAMPLES = {"id": "1", "slug": "idm-2010", "token": "x" * 43}


def concrete(rule) -> str:
    """The rule with a well-formed value for each parameter (its converter's kind)."""
    return re.sub(
        r"<([^:<>]+):(\w+)>",
        lambda m: EXAMPLES.get(m.group(1)) or m.group(1).split("(")[1].split(",")[0],
        rule.rule,
    )


def routes(app, method):
    return [r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint not in PUBLIC]


def test_every_private_route_redirects_anonymous_to_login(app, client):
    build_consultation()
    for rule in routes(app, "GET"):
        response = client.get(concrete(rule))
        assert response.status_code == 302, rule.rule
        assert "/login" in response.headers["Location"]


def test_every_post_route_refuses_missing_csrf_token(app, client, auth):
    UserFactory(email="d@example.org")
    build_consultation()
    auth.login("d@example.org")
    posts = [r for r in app.url_map.iter_rules() if "POST" in r.methods]
    assert posts
    for rule in posts:
        response = client.post(concrete(rule), data={"comment": "x", "version": "0"})
        assert response.status_code == 400, rule.rule


def test_admin_routes_forbidden_to_delegates(app, client, auth):
    UserFactory(email="d@example.org")
    build_consultation()
    auth.login("d@example.org")
    admin_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/admin")]
    assert admin_rules
    token = csrf_token(client, "/")
    for rule in admin_rules:
        if "GET" in rule.methods:
            assert client.get(concrete(rule)).status_code == 403, rule.rule
        if "POST" in rule.methods:
            response = client.post(concrete(rule), data={"csrf_token": token})
            assert response.status_code == 403, rule.rule


def test_delegate_routes_forbidden_to_admins(app, client, auth):
    AdminFactory(email="a@example.org")
    build_consultation()
    auth.login("a@example.org")
    assert client.get("/consultations/idm-2010").status_code == 403


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_security_headers_replace_a_views_own_and_keep_its_policy():
    """A view's own X-Frame-Options or Cache-Control is replaced (one header each, ours), its
    own Content-Security-Policy kept; HTTPS gets Strict-Transport-Security."""
    from flask import Flask, Response
    from flask_login import LoginManager, UserMixin

    from consult.core.headers import CSP, init_headers

    app = Flask(__name__)
    manager = LoginManager(app)

    class Someone(UserMixin):
        id = "1"

    manager.request_loader(lambda _request: Someone())
    init_headers(app)

    @app.route("/own")
    def own() -> Response:
        response = Response("ok")
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Cache-Control"] = "public, max-age=60"
        response.headers["Content-Security-Policy"] = "default-src 'none'"
        return response

    @app.route("/plain")
    def plain() -> str:
        return "ok"

    client = app.test_client()
    own_headers = client.get("/own").headers
    assert own_headers.getlist("X-Frame-Options") == ["DENY"]
    assert own_headers.getlist("Cache-Control") == ["no-store"]
    assert own_headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
    assert "Strict-Transport-Security" not in own_headers
    secure = client.get("/plain", base_url="https://localhost").headers
    assert secure.getlist("Content-Security-Policy") == [CSP]
    assert secure.getlist("X-Frame-Options") == ["DENY"]
    assert secure.getlist("Cross-Origin-Opener-Policy") == ["same-origin"]
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert secure.getlist("Cache-Control") == ["no-store"]


def test_authenticated_pages_are_not_cached(client, auth):
    UserFactory(email="d@example.org")
    auth.login("d@example.org")
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_trace_and_unknown_methods_get_405(client):
    assert client.open("/login", method="TRACE").status_code == 405


def test_oversized_body_gets_413(client):
    response = client.post("/login", data={"email": "x" * (600 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_no_template_marks_user_data_safe():
    from pathlib import Path

    for path in (Path(__file__).parents[2] / "consult" / "templates").rglob("*.html"):
        text = path.read_text()
        assert "|safe" not in text, path
        assert "autoescape false" not in text, path


@pytest.mark.parametrize("payload", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_names_and_comments_are_escaped(client, auth, payload):
    member = MemberFactory(name=payload)
    UserFactory(email="d@example.org", member=member, name=payload)
    auth.login("d@example.org")
    page = client.get("/").get_data(as_text=True)
    assert payload not in page
    assert "&lt;" in page


def test_production_cookie_flags(monkeypatch, tmp_path):
    from consult.core import clock, keyfile

    monkeypatch.setenv("CONSULT_RECEIPT_KEYS_FILE", str(tmp_path / "keys"))
    keyfile.rotate(tmp_path / "keys", clock.now())
    from consult import create_app

    app = create_app(
        "production",
        {
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x" * 40,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
        },
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_NAME"].startswith("__Host-")
