"""Helpers for the builder tests: an administrator's session and table snapshots."""

from __future__ import annotations

import re

import sqlalchemy as sa
from flask.testing import FlaskClient

from consult.ballots import services as ballots
from consult.consultations.models import Consultation, Option, Question, invitation
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.conftest import session_csrf_token
from tests.factories import AdminFactory

ADMIN = "secretariat@example.org"
TABLES = (
    "consultation",
    "question",
    "option",
    "invitation",
    "option_suggestion",
    "outcome_selection",
    "erratum",
    "audit_event",
)


def sign_in_admin(auth) -> None:
    AdminFactory(email=ADMIN)
    auth.login(ADMIN)


def token(client: FlaskClient) -> str:
    """The session's CSRF token, for a form of the builder (the builder's pages are read by
    the tests of the builder, not for their token)."""
    return session_csrf_token(client)


def post(client: FlaskClient, path: str, data: dict | None = None, **kwargs):
    """POST as the signed-in administrator, with the session's CSRF token."""
    return client.post(path, data={**(data or {}), "csrf_token": token(client)}, **kwargs)


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the builder's tables (and the audit trail), to show nothing changed."""
    db.session.rollback()
    out = {}
    with db.engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).all()  # noqa: S608 - fixed names
            out[table] = [tuple(map(str, row)) for row in rows]
    return out


def consultation(slug: str = "idm-2010") -> Consultation:
    db.session.rollback()
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()


def text(response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    import html

    body = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return " ".join(html.unescape(body).split())


def audit_actions() -> list[str]:
    db.session.rollback()
    return list(db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)))


def submit(slug: str, user, ranks: dict[int, int], write_in: str = "", action: str = "submit"):
    """A delegate's ballot through the real submit path."""
    c = ballots.load_consultation(slug)
    q = c.questions[0]
    form = {f"q{q.id}-rank-{q.options[p - 1].id}": [str(r)] for p, r in ranks.items()}
    if write_in:
        form[f"q{q.id}-writein"] = [write_in]
    response = ballots.current_response(c.id, user.member_id)
    outcome = ballots.save(
        c,
        user,
        form,
        submit=action == "submit",
        base_version=response.version if response else 0,
        token="",
    )
    assert not isinstance(outcome, list), outcome


__all__ = ["Option", "Question", "invitation"]
