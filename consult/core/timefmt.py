"""Times shown in the organisation's time zone, with the zone named."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime


def format_moment(moment: datetime, timezone: str, locale: str) -> str:
    """E.g. ``15 December 2026, 18:00 CET (Europe/Zurich)`` in the reader's language."""
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    text = format_datetime(local, format="d MMMM y, HH:mm", tzinfo=zone, locale=locale)
    return f"{text} {local.tzname()} ({timezone})"
