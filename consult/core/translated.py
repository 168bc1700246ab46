"""Content in three languages: English columns plus a ``translations`` JSON column."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Mapped, mapped_column


class TranslatedMixin:
    """Adds ``translations`` = ``{"fr": {"title": ...}, "es": {...}}`` beside English columns."""

    translations: Mapped[dict[str, Any]] = mapped_column(default=dict)

    def localized(self, field: str, locale: str) -> str:
        """The field in ``locale``, falling back to English when no translation exists."""
        variant = (self.translations or {}).get(locale, {}).get(field)
        return variant if variant else (getattr(self, field) or "")
