"""Lifecycle of a consultation: draft → open → closed → published (pure rules)."""

from __future__ import annotations

import enum
from datetime import datetime


class Status(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"


class Phase(enum.StrEnum):
    """What a delegate experiences, derived from the status and the clock."""

    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


def phase(status: Status, opens_at: datetime | None, closes_at: datetime, now: datetime) -> Phase:
    """Derive the phase: an open consultation accepts answers from ``opens_at`` until
    ``closes_at``; the closing instant itself is already closed (the deadline is exclusive)."""
    if status is Status.DRAFT:
        return Phase.NOT_YET_OPEN
    if status is not Status.OPEN or now >= closes_at:
        return Phase.CLOSED
    if opens_at is not None and now < opens_at:
        return Phase.NOT_YET_OPEN
    return Phase.OPEN
