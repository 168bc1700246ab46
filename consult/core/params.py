"""The one way to read an id or a short name from a URL, a query string or a form.

Ids are positive integers written in ASCII digits that fit the id columns (``INTEGER``: 32
bits on PostgreSQL, 64 on SQLite): ``"²"`` (which ``str.isdigit`` accepts), Arabic-Indic or
full-width digits, signs, spaces and larger numbers are not ids, so they never reach the
database (both fail on integers that overflow their columns). Short names (slugs) are
lowercase ASCII words joined by hyphens.

In a URL, ``<id:name>``, ``<slug:name>`` and ``<token:name>`` answer 404 for anything else;
in a query string or a form, :func:`parse_id` gives None and :func:`form_id` (a WTForms
``coerce``) raises ``ValueError``, which the form shows as an invalid choice.
"""

from __future__ import annotations

import re

from werkzeug.routing import BaseConverter, ValidationError

#: The largest id PostgreSQL's INTEGER holds (SQLite's holds more).
ID_MAX = 2**31 - 1
_ID = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", re.ASCII)
SLUG_MAX = 80


def parse_id(text: object) -> int | None:
    """The id written in ``text``, or None when it is not a bounded positive ASCII integer."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if value <= ID_MAX else None


def form_id(value: object) -> int:
    """WTForms ``coerce`` for a field holding an id: an int or ``ValueError``."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= ID_MAX:
        return value
    parsed = parse_id(value)
    if parsed is None:
        raise ValueError("not an id")
    return parsed


def is_slug(text: object) -> bool:
    """Whether ``text`` is a well-formed short name (the pattern and the length)."""
    return isinstance(text, str) and len(text) <= SLUG_MAX and bool(SLUG.match(text))


class IdConverter(BaseConverter):
    """``<id:name>``: a bounded positive integer in ASCII digits, else 404."""

    regex = r"[0-9]+"
    weight = 50
    part_isolating = True

    def to_python(self, value: str) -> int:
        parsed = parse_id(value)
        if parsed is None:
            raise ValidationError()
        return parsed

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]


class SlugConverter(BaseConverter):
    """``<slug:name>``: a consultation's short name, else 404."""

    regex = r"[a-z0-9-]+"
    part_isolating = True

    def to_python(self, value: str) -> str:
        if not is_slug(value):
            raise ValidationError()
        return value


class TokenConverter(BaseConverter):
    """``<token:name>``: a link's secret as :mod:`secrets` writes it (URL-safe base64)."""

    regex = r"[A-Za-z0-9_-]{1,128}"
    part_isolating = True


CONVERTERS: dict[str, type[BaseConverter]] = {
    "id": IdConverter,
    "slug": SlugConverter,
    "token": TokenConverter,
}
