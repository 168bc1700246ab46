"""Between the builder's forms and its services: typed times, problems shown on fields."""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from wtforms import Form

from consult.config import LANGUAGES, TRANSLATIONS
from consult.consultations.checks import Issue, Problem
from consult.consultations.document import Text
from consult.consultations.messages import describe, time_problem
from consult.consultations.timeinput import TimeInputError, format_local, parse_local
from consult.core import formpage
from consult.core.formpage import add_error
from consult.core.refusals import Invalid


def zone() -> str:
    return str(current_app.config["TIMEZONE"])


def read_time(field, *, required: bool = True) -> datetime | None:
    """The UTC moment typed in a date-time field, or None with the error on the field."""
    text = (field.data or "").strip()
    if not text and not required:
        return None
    try:
        return parse_local(text, zone())
    except TimeInputError as error:
        add_error(field, time_problem(error.problem))
        return None


def show_time(field, moment: datetime | None) -> None:
    field.data = format_local(moment, zone())


def attach(form: Form, problems: list[Problem], aliases: dict[str, str] | None = None) -> list[str]:
    """Put each problem's message on its field; the messages of no field are returned."""
    return formpage.attach(form, Invalid(problems), describe, aliases)


def lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def scale_of(field) -> tuple[tuple[Text, ...], list[Problem]]:
    """Likert points from three textareas, one label per line, matched line by line."""
    data = field.data or {}
    en = lines(data.get("en"))
    problems: list[Problem] = []
    variants: dict[str, list[str]] = {}
    for lang in TRANSLATIONS:
        found = lines(data.get(lang))
        if found and len(found) != len(en):
            problems.append(Problem(f"scale-{lang}", Issue.SCALE_MISMATCH))
            found = []
        variants[lang] = found
    points = tuple(
        Text(
            label,
            variants["fr"][i] if variants["fr"] else "",
            variants["es"][i] if variants["es"] else "",
        )
        for i, label in enumerate(en)
    )
    return points, problems


def fill_scale(field, scale: list[dict[str, str]]) -> None:
    for lang in LANGUAGES:
        values = [p.get(lang, "") for p in scale]
        field.form[lang].data = "\n".join(values) if all(values) else ""
