"""Creating consultations from a plain description (tests, benchmarks), and shared look-ups."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from consult.consultations import document
from consult.consultations.importing import describe_in_english, import_documents
from consult.consultations.models import Consultation, by_slug
from consult.consultations.responses import response
from consult.extensions import db


def create_consultation(
    data: dict[str, Any], now: datetime, actor_id: int | None = None
) -> Consultation:
    """Create a consultation described as in the YAML format (times may be relative to ``now``
    in days: ``opens_in_days``, ``closes_in_days``), through the same checks as an import."""
    docs = document.read(data, describe=describe_in_english, now=now)
    return import_documents(docs, actor_id=actor_id)[0]


def load(slug: str) -> Consultation | None:
    """The consultation with its questions, options and who suggested them."""
    return db.session.scalar(by_slug(slug))


def has_responses(session: Session | Any, consultation_id: int) -> bool:
    """Whether any member has saved a response (draft or submitted)."""
    return bool(
        session.scalar(
            sa.select(sa.literal(1)).where(response.c.consultation_id == consultation_id).limit(1)
        )
    )


def response_counts(consultation_id: int) -> dict[str, int]:
    """Responses by status (``draft``, ``submitted``)."""
    rows = db.session.execute(
        sa.select(response.c.status, sa.func.count())
        .where(response.c.consultation_id == consultation_id)
        .group_by(response.c.status)
    )
    return {str(status): n for status, n in rows}
