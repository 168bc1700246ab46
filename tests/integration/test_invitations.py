"""Invitations: a single-use link, read from a real SMTP server, to choose a password."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.auth import accounts
from consult.auth.models import AccountToken, Role, User
from consult.core import clock
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import OutboxMessage
from tests.conftest import csrf_token
from tests.factories import AdminFactory, MemberFactory, build_consultation
from tests.smtp import html_of, links, text_of

NEW_PASSWORD = "a new long password"


def _invite(admin, member, email="new@example.org", locale=None, name="Nouvelle Déléguée"):
    """Invite as the service does, then deliver as the end of a request would."""
    user = accounts.invite(
        admin.id, email=email, name=name, role=Role.DELEGATE, member_id=member.id, locale=locale
    )
    outbox.deliver()
    return user


def _link(mailbox, index=-1) -> str:
    message = mailbox.wait(1)[index]
    (link,) = [u for u in links(message) if "/invitation/" in u]
    return link


def _path(link: str) -> str:
    return re.sub(r"^https://consult\.example\.org", "", link)


def _open(client, path):
    """Follow the e-mailed link: the token leaves the address for the session."""
    response = client.get(path)
    assert response.status_code == 303, response.status_code
    assert response.headers["Location"] == "/invitation"
    return response


def _accept(client, path=None, password=NEW_PASSWORD, confirm=None):
    """Open the link (when given), then choose a password on the token-free page."""
    if path is not None:
        _open(client, path)
    token = csrf_token(client, "/invitation")
    return client.post(
        "/invitation",
        data={"password": password, "confirm": confirm or password, "csrf_token": token},
    )


def auth_works(client, password) -> bool:
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"email": "new@example.org", "password": password, "csrf_token": token}
    )
    return response.status_code == 302


@pytest.fixture
def admin(app):
    return AdminFactory(email="admin@example.org")


def test_invitation_in_english_leads_to_signed_in_delegate_seeing_open_consultations(
    client, admin, mailbox
):
    member = MemberFactory(name="Republic of Testland")
    build_consultation()
    _invite(admin, member, name="Ana Delegate")
    (message,) = mailbox.wait(1)
    assert message["To"] == "new@example.org"
    assert message["Subject"] == (
        "Your account on the consultation platform of the International Dialogue on Migration"
    )
    text = text_of(message)
    assert "Dear Ana Delegate," in text
    assert "on behalf of Republic of Testland" in text
    link = _link(mailbox)
    assert link.startswith("https://consult.example.org/invitation/")
    assert link in html_of(message)
    page = client.get(_path(link), follow_redirects=True)
    assert page.status_code == 200
    assert page.request.path == "/invitation"
    assert "Choose your password" in page.get_data(as_text=True)
    assert "<h1>Choose your password</h1>" in page.get_data(as_text=True)
    assert "<title>Choose your password ·" in page.get_data(as_text=True)
    response = _accept(client)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Ana Delegate" in home
    assert "IDM 2010 theme" in home


def test_invitation_in_french(client, admin, mailbox):
    member = MemberFactory(code="FRA", name="France", translations={"fr": {"name": "France"}})
    _invite(admin, member, locale="fr")
    (message,) = mailbox.wait(1)
    assert message["Subject"] == (
        "Votre compte sur la plateforme de consultation "
        "«\u00a0Dialogue international sur la migration\u00a0»"
    )
    text = text_of(message)
    assert "Bonjour Nouvelle Déléguée," in text
    assert "au nom de France" in text
    assert "Ce lien ne peut servir qu’une fois" in text
    assert "Pour choisir votre mot de passe et vous connecter, ouvrez ce lien\u00a0:" in text
    assert message["Content-Language"] == "fr"


def test_link_is_single_use(client, admin, mailbox):
    _invite(admin, MemberFactory())
    path = _path(_link(mailbox))
    assert _accept(client, path).status_code == 302
    other = client.application.test_client()
    page = other.get(path)
    assert page.status_code == 400
    assert "This link cannot be used" in page.get_data(as_text=True)
    token = csrf_token(other, "/login")
    response = other.post(
        "/invitation",
        data={"password": "another password!", "confirm": "another password!", "csrf_token": token},
    )
    assert response.status_code == 400
    assert "This link cannot be used" in response.get_data(as_text=True)
    assert auth_works(other, "another password!") is False


def test_expired_link_is_refused(client, admin, mailbox):
    _invite(admin, MemberFactory())
    path = _path(_link(mailbox))
    with clock.freeze(clock.now() + timedelta(days=7, seconds=1)):
        page = client.get(path)
    assert page.status_code == 400
    assert "has expired" in page.get_data(as_text=True)


def test_link_just_before_expiry_still_works(client, admin, mailbox):
    _invite(admin, MemberFactory())
    path = _path(_link(mailbox))
    with clock.freeze(clock.now() + timedelta(days=7) - timedelta(seconds=5)):
        assert _accept(client, path).status_code == 302


def test_link_is_refused_after_a_password_change(client, admin, mailbox):
    user = _invite(admin, MemberFactory())
    path = _path(_link(mailbox))
    fresh = db.session.get(User, user.id)
    fresh.set_password("set some other way, e.g. the CLI")
    db.session.commit()
    assert client.get(path).status_code == 400


def test_resent_invitation_replaces_the_earlier_link(client, admin, mailbox):
    user = _invite(admin, MemberFactory())
    first = _path(_link(mailbox))
    accounts.resend_invitation(admin.id, user.id)
    outbox.deliver()
    mailbox.wait(2)
    second = _path(_link(mailbox, -1))
    assert first != second
    assert client.get(first).status_code == 400
    assert _accept(client, second).status_code == 302


def test_deactivated_account_cannot_use_its_invitation(client, admin, mailbox):
    user = _invite(admin, MemberFactory())
    path = _path(_link(mailbox))
    accounts.deactivate(admin.id, user.id)
    assert client.get(path).status_code == 400


def test_weak_or_mismatched_password_changes_nothing(client, admin, mailbox):
    user = _invite(admin, MemberFactory())
    path = _path(_link(mailbox))
    short = _accept(client, path, "short")
    assert short.status_code == 400
    assert "between 10 and 200 characters" in short.get_data(as_text=True)
    assert 'aria-invalid="true"' in short.get_data(as_text=True)
    mismatch = _accept(client, None, NEW_PASSWORD, "something else entirely")
    assert "The two passwords are not the same." in mismatch.get_data(as_text=True)
    assert db.session.get(User, user.id).password_hash is None
    assert _accept(client).status_code == 302  # the opened link still works


def test_only_a_digest_of_the_token_is_stored_and_the_sent_body_is_erased(admin, mailbox):
    _invite(admin, MemberFactory())
    raw = _link(mailbox).rsplit("/", 1)[1]
    assert len(raw) >= 43  # 32 random bytes: 256 bits
    db.session.expire_all()
    token = db.session.scalars(sa.select(AccountToken)).one()
    assert raw not in token.digest
    (row,) = db.session.scalars(sa.select(OutboxMessage)).all()
    assert row.sent_at is not None
    assert raw not in row.body_text + row.body_html


def test_existing_email_is_refused(admin):
    member = MemberFactory()
    _invite(admin, member, email="taken@example.org")
    with pytest.raises(accounts.EmailTaken):
        _invite(admin, member, email="Taken@Example.org ")
