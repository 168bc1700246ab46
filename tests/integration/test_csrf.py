"""CSRF tokens as a browser sees them: a new one in every page (no bytes repeated between
compressed responses, BREACH), each accepted by every form of its session, refused from another
session, altered, or once expired."""

from __future__ import annotations

import re
import time
from difflib import SequenceMatcher

import pytest

from consult.core import csrf
from tests.conftest import csrf_token
from tests.factories import UserFactory


def _common_run(a: str, b: str) -> int:
    """The length of the longest run of characters ``a`` and ``b`` share."""
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match().size


@pytest.mark.parametrize("path", ["/login", "/"])
def test_every_page_carries_a_token_of_its_own_and_each_is_accepted(client, auth, path):
    """``/login``: a form's CSRF field; ``/``: the layout's ``csrf_token()``."""
    if path == "/":
        UserFactory(email="d@example.org")
        auth.login("d@example.org")
    first, second = csrf_token(client, path), csrf_token(client, path)
    assert first != second
    # Random bytes apart: the same secret is never sent twice in a compressed page.
    assert _common_run(first, second) < 8
    for token in (first, second):
        response = client.post("/language", data={"lang": "fr", "next": "/", "csrf_token": token})
        assert response.status_code == 302


def test_a_token_of_another_session_is_refused(app, client, auth):
    UserFactory(email="d@example.org")
    auth.login("d@example.org")
    theirs = csrf_token(app.test_client(), "/login")
    response = client.post("/language", data={"lang": "fr", "next": "/", "csrf_token": theirs})
    assert response.status_code == 400
    assert "This form has expired or was not sent from this site." in response.get_data(
        as_text=True
    )
    assert client.get("/").status_code == 200  # still signed in


def test_an_altered_token_is_refused(client):
    token = csrf_token(client)
    middle = len(token) // 2
    altered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    for forged in (altered, token[:-4], "not-a-token", token + "AAAA"):
        response = client.post("/language", data={"lang": "fr", "csrf_token": forged})
        assert response.status_code == 400


def test_a_valid_token_with_characters_added_is_refused(client):
    """Characters outside the token's alphabet, added to a valid token under the mask, make
    it a forgery (itsdangerous's decoding would skip them)."""
    signed = csrf.unmask(csrf_token(client))
    assert signed is not None
    for forged in (signed + "!!!", signed + "\x00", signed + " ", signed[:-1] + "~" + signed[-1]):
        response = client.post("/language", data={"lang": "fr", "csrf_token": csrf.mask(forged)})
        assert response.status_code == 400, forged
    accepted = client.post("/language", data={"lang": "fr", "csrf_token": csrf.mask(signed)})
    assert accepted.status_code == 302


def test_a_token_is_accepted_until_it_expires(app, client, monkeypatch):
    """A token is signed at most ``csrf.PERIOD`` seconds before the page that shows it: it is
    accepted for the configured time limit less that, and refused after the limit."""
    UserFactory(email="d@example.org")
    token = csrf_token(client)
    shown = time.time()
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    form = {"email": "d@example.org", "password": "wrong password", "csrf_token": token}

    monkeypatch.setattr(time, "time", lambda: shown + limit - csrf.PERIOD - 1)
    accepted = client.post("/login", data=form).get_data(as_text=True)
    assert "The e-mail address or password is not correct." in accepted

    monkeypatch.setattr(time, "time", lambda: shown + limit + 1)
    expired = client.post("/login", data=form).get_data(as_text=True)
    assert "The sign-in form had expired. Please enter your password again." in expired


def test_a_page_shown_after_the_period_carries_a_newly_signed_token(app, client, monkeypatch):
    """Signed once per period, not once per process: a page shown later expires later."""
    first = csrf.unmask(csrf_token(client))
    later = time.time() + csrf.PERIOD + 1
    monkeypatch.setattr(time, "time", lambda: later)
    second = csrf.unmask(csrf_token(client))
    assert first != second
    assert first is not None
    assert second is not None
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", second)  # Flask-WTF's signed form
    limit = app.config["WTF_CSRF_TIME_LIMIT"]
    monkeypatch.setattr(time, "time", lambda: later + limit - 1)
    response = client.post("/language", data={"lang": "fr", "csrf_token": second})
    assert response.status_code == 302


def test_a_token_accepted_once_is_still_refused_from_another_session(app, client):
    """A token this process has verified is kept (its signature not checked again), and
    still belongs to its session alone."""
    token = csrf_token(client)
    form = {"lang": "fr", "next": "/", "csrf_token": token}
    assert client.post("/language", data=form).status_code == 302
    assert client.post("/language", data=form).status_code == 302
    other = app.test_client()
    csrf_token(other)  # a session with a secret of its own
    refused = other.post("/language", data=form)
    assert refused.status_code == 400
    assert "This form has expired or was not sent from this site." in refused.get_data(as_text=True)


def test_a_token_accepted_once_is_refused_under_a_new_secret_key(app, client, monkeypatch):
    """The tokens' own key (``WTF_CSRF_SECRET_KEY``) changed: the session stays, its tokens
    signed under the old key are refused, kept or not."""
    token = csrf_token(client)
    form = {"lang": "fr", "next": "/", "csrf_token": token}
    assert client.post("/language", data=form).status_code == 302
    monkeypatch.setitem(app.config, "WTF_CSRF_SECRET_KEY", "another key for this test")
    assert client.post("/language", data=form).status_code == 400
    fresh = csrf_token(client)
    assert client.post("/language", data={**form, "csrf_token": fresh}).status_code == 302


def test_over_https_a_post_needs_a_referrer_of_this_site(client):
    token = csrf_token(client)
    form = {"lang": "fr", "next": "/", "csrf_token": token}
    secure = {"base_url": "https://localhost"}
    assert client.post("/language", data=form, **secure).status_code == 400
    foreign = {"Referer": "https://elsewhere.example/"}
    assert client.post("/language", data=form, headers=foreign, **secure).status_code == 400
    own = {"Referer": "https://localhost/"}
    assert client.post("/language", data=form, headers=own, **secure).status_code == 302
