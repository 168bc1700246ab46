"""Times shown in the organisation's time zone, with the zone named."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

#: English dates in the international (day month year) order of the organisation's documents.
_DATE_LOCALE = {"en": "en_GB"}


def format_day(day: date, locale: str) -> str:
    """A day as the organisation's documents write it: ``2 February 2026``, ``2 février 2026``."""
    return format_date(day, format="long", locale=_DATE_LOCALE.get(locale, locale))


@lru_cache(maxsize=4096)  # the same deadlines on every page view; Babel's formatting is slow
def format_moment(moment: datetime, timezone: str, locale: str) -> str:
    """E.g. ``15 December 2026, 18:00 CET (Europe/Zurich)``, ``15 de diciembre de 2026, 18:00 …``.

    The date follows the reader's locale pattern (Babel's long date); the time is on 24 hours.
    """
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    day = format_day(local.date(), locale)
    time = format_time(local, format="HH:mm", tzinfo=zone, locale=locale)
    return f"{day}, {time} {local.tzname()} ({timezone})"
