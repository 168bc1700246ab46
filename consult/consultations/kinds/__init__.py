"""The registry of question kinds: one module per kind, everything else asks here (pure).

How to add a kind: ``docs/question-kinds.md``. The interface:

* :func:`get` (``QuestionKind`` or its value → the kind), :data:`KINDS` in menu order;
* :func:`settings_of` / :func:`store_settings`: a question's settings (columns and
  ``Question.settings``) as one mapping, and back;
* :func:`normalised`: the settings a kind keeps (the others return to their defaults);
* :func:`check_question` / :func:`check_ready`: content rules, for the builder, the YAML import
  and the opening.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from consult.consultations.checks import Issue, Problem
from consult.consultations.enums import QuestionKind, TallyMethod
from consult.consultations.kinds.base import (
    COMMON,
    Kind,
    QuestionShape,
    Setting,
    SettingType,
    default_of,
    register_defaults,
)
from consult.consultations.kinds.choices import Choose, Single
from consult.consultations.kinds.funding import Funding
from consult.consultations.kinds.grid import Grid
from consult.consultations.kinds.likert import Likert
from consult.consultations.kinds.number import Number, canonical
from consult.consultations.kinds.options import answer_options
from consult.consultations.kinds.ranking import Ranking
from consult.consultations.kinds.text import Text as FreeText
from consult.core.text import Text

KINDS: tuple[Kind, ...] = (
    Ranking(),
    Choose(),
    Single(),
    Likert(),
    Grid(),
    Number(),
    Funding(),
    FreeText(),
)
_BY_NAME: dict[str, Kind] = {k.name.value: k for k in KINDS}
if set(_BY_NAME) != {k.value for k in QuestionKind}:
    raise RuntimeError("every QuestionKind needs its module in consult.consultations.kinds")

#: Every setting of every kind, once (the first declaration wins the order).
SETTINGS: dict[str, Setting] = {s.name: s for s in COMMON}
register_defaults(COMMON)
for _kind in KINDS:
    register_defaults(_kind.settings)
    for _setting in _kind.settings:
        SETTINGS.setdefault(_setting.name, _setting)
#: Settings kept in columns of ``question`` (the ballot check compares them too).
COLUMN_SETTINGS = tuple(name for name, s in SETTINGS.items() if s.column)


def get(kind: str) -> Kind:
    """The kind named ``kind`` (a ``QuestionKind`` or its value); ``KeyError`` if unknown."""
    return _BY_NAME[str(kind)]


def names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def option_kinds() -> frozenset[str]:
    """Kinds whose answers pick among options."""
    return frozenset(k.name.value for k in KINDS if k.has_options)


def voting_kinds() -> frozenset[str]:
    """Kinds that are votes: observers answer them only when observers may vote."""
    return frozenset(k.name.value for k in KINDS if k.is_vote)


# Settings ----------------------------------------------------------------------------------


def _from_stored(setting: Setting, value: Any) -> Any:
    if setting.type is SettingType.SCALE:
        return tuple(Text.from_stored(p) for p in value or ())
    if setting.type is SettingType.TEXT:
        return Text.from_stored(value)
    if setting.type is SettingType.DECIMAL:
        return None if value is None else Decimal(str(value))
    if setting.type is SettingType.METHOD and value is not None:
        return str(value)
    return setting.default if value is None and setting.default is not None else value


def _to_stored(setting: Setting, value: Any) -> Any:
    if setting.type is SettingType.SCALE:
        return [t.stored() for t in value]
    if setting.type is SettingType.METHOD:
        return TallyMethod(value)
    if setting.type is SettingType.TEXT:
        return value.stored() if value.en or value.fr or value.es else None
    if setting.type is SettingType.DECIMAL:
        return None if value is None else canonical(value)
    return value


def normalised(kind: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """Every setting: those of ``kind`` as given (or their default), the others at their
    default, so that a question never keeps a setting its kind does not use."""
    own = {s.name for s in (*COMMON, *get(kind).settings)}
    return {
        name: given.get(name, s.default) if name in own else s.default
        for name, s in SETTINGS.items()
    }


def settings_of(question: Any) -> dict[str, Any]:
    """A stored question's settings (columns and ``settings``) as one mapping of values."""
    extra = getattr(question, "settings", None) or {}
    out: dict[str, Any] = {}
    for name, s in SETTINGS.items():
        stored = getattr(question, name) if s.column else extra.get(name)
        out[name] = _from_stored(s, stored)
    return out


def store_settings(question: Any, values: Mapping[str, Any]) -> list[str]:
    """Write ``values`` (from :func:`normalised`) into ``question``; the names that changed.
    Settings at their default are left out of ``Question.settings``."""
    changed: list[str] = []
    extra = dict(getattr(question, "settings", None) or {})
    for name, value in values.items():
        s = SETTINGS[name]
        new = _to_stored(s, value)
        if s.column:
            if getattr(question, name) != new:
                changed.append(name)
                setattr(question, name, new)
            continue
        default = _to_stored(s, s.default)
        if extra.get(name, default) != new:
            changed.append(name)
        if new is None or new == default:
            extra.pop(name, None)
        else:
            extra[name] = new
    if hasattr(question, "settings"):
        question.settings = extra
    return changed


# Checks ------------------------------------------------------------------------------------


def shape_of(question: Any) -> QuestionShape:
    """The shape of a stored question, for the checks."""
    return QuestionShape(
        kind=str(question.kind),
        prompt=question.prompt,
        options=tuple(o.label for o in question.options),
        settings=settings_of(question),
    )


def check_question(q: QuestionShape, *, for_opening: bool = False) -> list[Problem]:
    """A prompt, and settings that agree with each other and with the options (each kind
    states its rules)."""
    problems: list[Problem] = []
    if not q.prompt:
        problems.append(Problem("prompt", Issue.REQUIRED))
    return problems + get(q.kind).check(q, for_opening=for_opening)


def check_ready(questions: Sequence[QuestionShape], invited: int) -> list[Problem]:
    """Problems that prevent opening: nobody invited, no question, or a question not
    complete."""
    problems: list[Problem] = []
    if invited < 1:
        problems.append(Problem("invitations", Issue.NO_INVITEES))
    if not questions:
        return [*problems, Problem("questions", Issue.NO_QUESTIONS)]
    for number, q in enumerate(questions, start=1):
        problems += [
            Problem(f"questions.{number}.{p.field}", p.issue, {**p.params, "question": number})
            for p in check_question(q, for_opening=True)
        ]
    return problems


__all__ = [
    "COLUMN_SETTINGS",
    "COMMON",
    "KINDS",
    "SETTINGS",
    "Kind",
    "QuestionShape",
    "Setting",
    "SettingType",
    "answer_options",
    "check_question",
    "check_ready",
    "default_of",
    "get",
    "names",
    "normalised",
    "option_kinds",
    "settings_of",
    "shape_of",
    "store_settings",
    "voting_kinds",
]
