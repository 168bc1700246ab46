"""A text in the three official languages (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from consult.config import TRANSLATIONS


@dataclass(frozen=True)
class Text:
    """A text in the three languages (French and Spanish may be empty)."""

    en: str = ""
    fr: str = ""
    es: str = ""

    def translations(self) -> dict[str, str]:
        return {lang: value for lang in TRANSLATIONS if (value := getattr(self, lang))}

    @property
    def empty(self) -> bool:
        return not (self.en or self.fr or self.es)

    def stored(self) -> dict[str, str]:
        """As kept in a JSON column: ``{"en": ..., "fr": ..., "es": ...}`` (empty ones left out)."""
        return {"en": self.en, **self.translations()}

    @classmethod
    def from_stored(cls, value: dict[str, str] | None) -> Text:
        value = value or {}
        return cls(value.get("en", ""), value.get("fr", ""), value.get("es", ""))

    def get(self, locale: str) -> str:
        """The text in ``locale``, else the English."""
        return str(getattr(self, locale, "") or self.en)
