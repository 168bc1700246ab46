"""Translatable texts of consultations, questions and options, and what is still untranslated."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from consult.config import TRANSLATIONS
from consult.consultations.document import Text

#: The translatable fields of each kind of object, in the order the builder shows them.
FIELDS = {
    "consultation": ("title", "summary", "outcome", "rationale"),
    "question": ("prompt", "help"),
    "option": ("label", "description"),
}


def get_text(obj: Any, name: str) -> Text:
    """The English column and its French and Spanish variants."""
    variants = obj.translations or {}
    return Text(
        getattr(obj, name) or "",
        variants.get("fr", {}).get(name, ""),
        variants.get("es", {}).get(name, ""),
    )


def set_text(obj: Any, name: str, text: Text) -> bool:
    """Store ``text`` (English column, fr/es in ``translations``); True when it changed."""
    changed = get_text(obj, name) != text
    setattr(obj, name, text.en)
    variants = {lang: dict(fields) for lang, fields in (obj.translations or {}).items()}
    for lang in TRANSLATIONS:
        value = getattr(text, lang)
        if value:
            variants.setdefault(lang, {})[name] = value
        else:
            variants.get(lang, {}).pop(name, None)
    obj.translations = {lang: fields for lang, fields in variants.items() if fields}
    return changed


@dataclass(frozen=True)
class Missing:
    """A text whose English is filled in but a translation is not."""

    where: str  # "consultation", "question 2", "question 2, option 3"
    field: str
    langs: tuple[str, ...]


def missing_translations(consultation: Any) -> list[Missing]:
    """Every filled English text of the consultation lacking its French or Spanish version."""
    found: list[Missing] = []

    def check(obj: Any, kind: str, where: str) -> None:
        for name in FIELDS[kind]:
            text = get_text(obj, name)
            if not text.en:
                continue
            langs = tuple(lang for lang in TRANSLATIONS if not getattr(text, lang))
            if langs:
                found.append(Missing(where, name, langs))

    check(consultation, "consultation", "consultation")
    for qn, question in enumerate(consultation.questions, start=1):
        check(question, "question", f"{qn}")
        for on, option in enumerate(question.options, start=1):
            check(option, "option", f"{qn}.{on}")
        for pn, point in enumerate(question.scale or [], start=1):
            if point.get("en"):
                langs = tuple(lang for lang in TRANSLATIONS if not point.get(lang))
                if langs:
                    found.append(Missing(f"{qn}", f"scale.{pn}", langs))
    return found
