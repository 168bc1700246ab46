"""Content in three languages: English columns plus a ``translations`` JSON column."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Mapped, mapped_column


def in_language(
    translations: Mapping[str, Any] | None, field: str, locale: str, english: str
) -> str:
    """``field`` in ``locale`` from a ``translations`` mapping, else the English text; for rows
    read without their model (results, report) as for models."""
    variant = ((translations or {}).get(locale) or {}).get(field)
    return variant if variant else (english or "")


class Localized:
    """``localized`` for a plain row (a frozen dataclass read without its model) that has the
    model's English columns and its ``translations``."""

    __slots__ = ()
    translations: Mapping[str, Any]

    def localized(self, field: str, locale: str) -> str:
        """The field in ``locale``, falling back to English when no translation exists."""
        return in_language(self.translations, field, locale, getattr(self, field))


class TranslatedMixin:
    """Adds ``translations`` = ``{"fr": {"title": ...}, "es": {...}}`` beside English columns."""

    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)

    def localized(self, field: str, locale: str) -> str:
        """The field in ``locale``, falling back to English when no translation exists."""
        return in_language(self.translations, field, locale, getattr(self, field))
