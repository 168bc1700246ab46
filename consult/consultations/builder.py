"""Building a consultation: its settings, questions and options, in order.

Every change runs in one ``write_transaction`` with an audit event; bad input raises
:class:`Invalid` with every problem found and writes nothing. Questions and options are
locked once any member has saved a response; the official tally method and what observers may
do are fixed at opening; dates move only through the lifecycle once opened.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from consult.config import LANGUAGES, TRANSLATIONS
from consult.consultations import checks, invitations, kinds, lifecycle
from consult.consultations.checks import Issue, Problem
from consult.consultations.document import Text
from consult.consultations.kinds import QuestionShape
from consult.consultations.lifecycle import Status
from consult.consultations.models import (
    Consultation,
    ObserversMay,
    Option,
    Question,
    QuestionKind,
    TallyMethod,
)
from consult.consultations.services import has_responses
from consult.consultations.texts import get_text, set_text
from consult.core import audit, clock, refusals
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.extensions import db

#: What a list of questions or of options is made of, when it is renumbered.
Positioned = TypeVar("Positioned", Question, Option)
NO_TEXT = Text()


class BuildError(Exception):
    """A builder change refused for a reason the administrator must be told."""


class Invalid(BuildError, refusals.Invalid):
    """Bad input; nothing was saved. ``problems`` name the fields."""

    problems: list[Problem]

    def __init__(self, problems: list[Problem]) -> None:
        refusals.Invalid.__init__(
            self, problems, ", ".join(f"{p.field}: {p.issue.value}" for p in problems)
        )


class LockReason(enum.StrEnum):
    RESPONSES = "responses"
    CLOSED = "closed"
    PUBLISHED = "published"
    NOT_DRAFT = "not_draft"


class Locked(BuildError):
    """The consultation has reached a point where this part no longer changes."""

    def __init__(self, reason: LockReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class NotFound(BuildError):
    """The question or option is not part of this consultation."""


@dataclass(frozen=True)
class Settings:
    slug: str
    title: Text
    reference: str
    summary: Text
    opens_at: datetime | None
    closes_at: datetime | None
    observers_may: str = "comment"
    results_attributed: bool = False


@dataclass(frozen=True)
class QuestionFields:
    """What the builder's question form gives: texts, and the kind's settings by name (see
    ``consultations/kinds``); settings not given take their defaults."""

    kind: str
    prompt: Text
    help: Text = NO_TEXT
    required: bool = False
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OptionFields:
    label: Text
    description: Text = NO_TEXT


# Texts ---------------------------------------------------------------------------------------


def clean_text(text: Text, name: str, kind: str, *, required: bool = False) -> tuple[Text, list]:
    """Each language cleaned and checked; problems name ``<name>-<lang>`` fields."""
    problems: list[Problem] = []
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        value, found = checks.clean(
            getattr(text, lang), f"{name}-{lang}", kind, required=required and lang == "en"
        )
        out[lang] = value
        problems += found
    return Text(**out), problems


# Transactions --------------------------------------------------------------------------------


def hold(session: DbSession, consultation_id: int) -> Consultation | None:
    """The consultation, its row held until the transaction ends (``FOR UPDATE`` on
    PostgreSQL; SQLite's write transaction holds the whole database already). Every change to a
    consultation (structure, cycle, documents, follow-up, reminders) takes it first, so that two
    changes run one after the other and the second sees what the first did."""
    return session.get(Consultation, consultation_id, with_for_update=True)


@contextmanager
def _editing(consultation_id: int) -> Iterator[tuple[Session, Consultation]]:
    """A write transaction holding the consultation's row (``FOR UPDATE`` on PostgreSQL)."""
    with write_transaction(db.session) as session:
        consultation = hold(session, consultation_id)
        if consultation is None:
            raise NotFound
        yield session, consultation


def structure_lock(
    session: DbSession, consultation: Consultation
) -> lifecycle.StructureLock | None:
    """Why the questions and options cannot change now (see ``lifecycle.structure_lock``)."""
    return lifecycle.structure_lock(
        consultation.status,
        consultation.closes_at,
        clock.now(),
        has_responses(session, consultation.id),
    )


def _check_structure(session: DbSession, consultation: Consultation) -> None:
    lock = structure_lock(session, consultation)
    if lock is not None:
        raise Locked(LockReason(lock.value))


def _question(consultation: Consultation, question_id: int) -> Question:
    for q in consultation.questions:
        if q.id == question_id:
            return q
    raise NotFound


def _option(consultation: Consultation, option_id: int) -> tuple[Question, Option]:
    for q in consultation.questions:
        for o in q.options:
            if o.id == option_id:
                return q, o
    raise NotFound


# Settings ------------------------------------------------------------------------------------


def clean_settings(
    session: DbSession, settings: Settings, current: Consultation | None
) -> tuple[dict[str, object], list[Problem]]:
    """The settings cleaned, and every problem with them (the slug must be free)."""
    problems: list[Problem] = []
    slug = settings.slug.strip().lower()
    problems += checks.check_slug(slug)
    taken = session.scalar(
        sa.select(Consultation.id).where(
            Consultation.slug == slug, Consultation.id != (current.id if current else -1)
        )
    )
    if slug and taken is not None:
        problems.append(Problem("slug", Issue.SLUG_TAKEN))
    title, found = clean_text(settings.title, "title", "title", required=True)
    problems += found
    summary, found = clean_text(settings.summary, "summary", "summary")
    problems += found
    reference, found = checks.clean(settings.reference, "reference", "reference")
    problems += found
    problems += checks.check_schedule(settings.opens_at, settings.closes_at)
    if settings.observers_may not in {o.value for o in ObserversMay}:
        problems.append(Problem("observers_may", Issue.REQUIRED))
    values: dict[str, object] = {
        "slug": slug,
        "title": title,
        "summary": summary,
        "reference": reference,
        "opens_at": settings.opens_at,
        "closes_at": settings.closes_at,
        "observers_may": settings.observers_may,
        "results_attributed": settings.results_attributed,
    }
    return values, problems


def create(settings: Settings, *, actor_id: int) -> Consultation:
    """A new draft inviting every member state and observer (change it on the invitations
    page)."""
    with write_transaction(db.session) as session:
        values, problems = clean_settings(session, settings, None)
        if problems:
            raise Invalid(problems)
        consultation = Consultation(
            slug=values["slug"],
            reference=values["reference"],
            status=Status.DRAFT,
            opens_at=values["opens_at"],
            closes_at=values["closes_at"],
            observers_may=ObserversMay(str(values["observers_may"])),
            results_attributed=values["results_attributed"],
            invite_all=True,
            invite_observers=True,
            translations={},
        )
        set_text(consultation, "title", values["title"])  # type: ignore[arg-type]
        set_text(consultation, "summary", values["summary"])  # type: ignore[arg-type]
        session.add(consultation)
        invitations.refresh(session, consultation)
        session.flush()
        audit.record(
            session,
            Action.CONSULTATION_CREATED,
            actor_id=actor_id,
            consultation_id=consultation.id,
            slug=consultation.slug,
        )
    return consultation


def update_settings(consultation_id: int, settings: Settings, *, actor_id: int) -> list[str]:
    """Save the settings; returns the names of the fields that changed.

    Once opened, the dates, the short name and what observers may do are kept as they are
    (the deadline moves through extend, close and reopen)."""
    with _editing(consultation_id) as (session, c):
        if not lifecycle.settings_editable(c.status):
            raise Locked(LockReason.PUBLISHED)
        draft = lifecycle.dates_editable(c.status)
        if not draft:
            settings = Settings(
                slug=c.slug,
                title=settings.title,
                reference=settings.reference,
                summary=settings.summary,
                opens_at=c.opens_at,
                closes_at=c.closes_at,
                observers_may=c.observers_may.value,
                results_attributed=settings.results_attributed,
            )
        values, problems = clean_settings(session, settings, c)
        if problems:
            raise Invalid(problems)
        changed = [
            name
            for name in ("slug", "reference", "opens_at", "closes_at", "results_attributed")
            if getattr(c, name) != values[name]
        ]
        if c.observers_may.value != values["observers_may"]:
            changed.append("observers_may")
        c.slug = values["slug"]  # type: ignore[assignment]
        c.reference = values["reference"]  # type: ignore[assignment]
        c.opens_at = values["opens_at"]  # type: ignore[assignment]
        c.closes_at = values["closes_at"]  # type: ignore[assignment]
        c.observers_may = ObserversMay(str(values["observers_may"]))
        c.results_attributed = bool(values["results_attributed"])
        for name in ("title", "summary"):
            if set_text(c, name, values[name]):  # type: ignore[arg-type]
                changed.append(name)
        if changed:
            audit.record(
                session,
                Action.CONSULTATION_UPDATED,
                actor_id=actor_id,
                consultation_id=c.id,
                fields=changed,
            )
    return changed


# Questions -----------------------------------------------------------------------------------


def _clean_question(
    fields: QuestionFields, options: Sequence[str]
) -> tuple[QuestionFields, list[Problem]]:
    """Texts cleaned, the kind's settings kept (the others at their defaults) and checked
    by the kind's rules against ``options`` (their English labels)."""
    problems: list[Problem] = []
    prompt, found = clean_text(fields.prompt, "prompt", "prompt", required=True)
    problems += found
    help_text, found = clean_text(fields.help, "help", "help")
    problems += found
    if fields.kind not in kinds.names():
        raise Invalid([*problems, Problem("kind", Issue.REQUIRED)])
    values = kinds.normalised(fields.kind, fields.settings)
    for name, value in values.items():
        setting = kinds.SETTINGS[name]
        if setting.type is kinds.SettingType.SCALE:
            points: list[Text] = []
            for i, point in enumerate(value, start=1):
                cleaned, found = clean_text(point, f"{name}-{i}", "scale", required=True)
                points.append(cleaned)
                problems += found
            values[name] = tuple(points)
        elif setting.type is kinds.SettingType.METHOD and value not in set(TallyMethod):
            problems.append(Problem(name, Issue.REQUIRED))
    cleaned_fields = QuestionFields(fields.kind, prompt, help_text, fields.required, values)
    shape = QuestionShape(
        kind=fields.kind,
        prompt=prompt.en or "-",
        options=tuple(options),
        settings={
            **values,
            **{
                name: tuple(Text(t.en or "-") for t in value)
                for name, value in values.items()
                if kinds.SETTINGS[name].type is kinds.SettingType.SCALE
            },
        },
    )
    for p in kinds.check_question(shape):
        if p.field.startswith("options."):
            problems.append(Problem("options", p.issue, p.params))
        elif not p.field.startswith("scale."):
            problems.append(p)
    return cleaned_fields, problems


def check_condition(earlier: Sequence[Question], condition: Any) -> list[Problem]:
    """A condition (``show_if``) names one of the ``earlier`` questions, a choice or a ranking, and
    some of its options: conditions on later questions, and so circles, are refused."""
    if not condition:
        return []
    target = next((q for q in earlier if q.id == condition.get("question")), None)
    if target is None:
        return [Problem("show_if", Issue.CONDITION_NOT_EARLIER)]
    if not kinds.get(target.kind).conditions_name_options:
        return [Problem("show_if", Issue.CONDITION_NO_OPTIONS)]
    known = {o.id for o in target.options}
    if not condition.get("options") or not set(condition["options"]) <= known:
        return [Problem("show_if", Issue.CONDITION_UNKNOWN_ANSWER)]
    return []


def check_references(earlier: Sequence[Question], kind: str, settings: Any) -> list[Problem]:
    """Settings that name another question (``options_from``) name an earlier one that has
    options."""
    problems: list[Problem] = []
    for setting in kinds.get(kind).settings:
        named = (settings or {}).get(setting.name)
        if setting.type is not kinds.SettingType.QUESTION or named is None:
            continue
        target = next((q for q in earlier if q.id == named), None)
        if target is None or not kinds.get(target.kind).has_options:
            problems.append(Problem(setting.name, Issue.OPTIONS_FROM_NOT_EARLIER))
    return problems


def _conditions_hold(questions: Sequence[Question]) -> None:
    """After a question, an option or the order changed: every condition still names an
    earlier question and options it has, and every question named for its options is
    earlier."""
    for i, q in enumerate(questions):
        problems = check_condition(questions[:i], (q.settings or {}).get("show_if"))
        if problems:
            raise Invalid([Problem("show_if", Issue.CONDITION_IN_USE, {"question": q.position})])
        if check_references(questions[:i], q.kind, q.settings):
            raise Invalid(
                [Problem("options_from", Issue.OPTIONS_FROM_IN_USE, {"question": q.position})]
            )


def _write_question(q: Question, fields: QuestionFields, *, method_locked: bool) -> list[str]:
    values = dict(fields.settings)
    if method_locked:
        values.pop("official_method", None)
    changed = kinds.store_settings(q, values)
    if q.required != fields.required:
        changed.insert(0, "required")
        q.required = fields.required
    for name in ("prompt", "help"):
        if set_text(q, name, getattr(fields, name)):
            changed.append(name)
    return changed


def add_question(
    consultation_id: int, fields: QuestionFields, labels: Sequence[str], *, actor_id: int
) -> Question:
    """Add a question at the end, with its first options (English labels, one per line)."""
    cleaned_labels: list[str] = []
    problems: list[Problem] = []
    least = kinds.get(fields.kind).min_options
    if fields.kind in kinds.option_kinds():
        for label in labels:
            text, found = checks.clean(label, "options", "label")
            problems += found
            if text:
                cleaned_labels.append(text)
        problems += [
            Problem("options", p.issue, p.params) for p in checks.check_labels(cleaned_labels)
        ]
        if len(cleaned_labels) < least and not problems:
            problems.append(Problem("options", Issue.TOO_FEW_OPTIONS, {"min": least}))
    cleaned, found = _clean_question(fields, [f"-{i}" for i in range(len(cleaned_labels))])
    problems += found
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        problems += check_condition(c.questions, cleaned.settings.get("show_if"))
        problems += check_references(c.questions, cleaned.kind, cleaned.settings)
        if problems:
            raise Invalid(problems)
        question = Question(position=len(c.questions) + 1, kind=QuestionKind(cleaned.kind))
        question.translations = {}
        question.settings = {}
        _write_question(question, cleaned, method_locked=False)
        for position, label in enumerate(cleaned_labels, start=1):
            option = Option(position=position, label=label, description="", translations={})
            question.options.append(option)
        c.questions.append(question)
        session.flush()
        audit.record(
            session,
            Action.QUESTION_ADDED,
            actor_id=actor_id,
            consultation_id=c.id,
            question=question.position,
            kind=question.kind.value,
            options=len(cleaned_labels),
        )
    return question


def update_question(
    consultation_id: int, question_id: int, fields: QuestionFields, *, actor_id: int
) -> list[str]:
    """Save a question's texts and settings (its kind stays); returns what changed."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        q = _question(c, question_id)
        fields = replace(fields, kind=q.kind.value)
        cleaned, problems = _clean_question(fields, [f"-{i}" for i in range(len(q.options))])
        earlier = c.questions[: c.questions.index(q)]
        problems += check_condition(earlier, cleaned.settings.get("show_if"))
        problems += check_references(earlier, q.kind, cleaned.settings)
        if problems:
            raise Invalid(problems)
        changed = _write_question(
            q, cleaned, method_locked=not lifecycle.voting_rules_editable(c.status)
        )
        if changed:
            audit.record(
                session,
                Action.QUESTION_UPDATED,
                actor_id=actor_id,
                consultation_id=c.id,
                question=q.position,
                fields=changed,
            )
    return changed


def remove_question(consultation_id: int, question_id: int, *, actor_id: int) -> None:
    """Remove a question and its options; the others close ranks."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        q = _question(c, question_id)
        position, prompt = q.position, q.prompt
        _conditions_hold([other for other in c.questions if other is not q])
        c.questions.remove(q)
        session.flush()
        _renumber(session, c.questions)
        audit.record(
            session,
            Action.QUESTION_REMOVED,
            actor_id=actor_id,
            consultation_id=c.id,
            question=position,
            prompt=prompt[:200],
        )


def _renumber(session: DbSession, items: Sequence[Positioned]) -> None:
    """Positions 1..n in list order, in two steps so that no two rows share a position."""
    for i, item in enumerate(items, start=1):
        item.position = -i
    session.flush()
    for i, item in enumerate(items, start=1):
        item.position = i
    session.flush()


def _read_positions(items: Sequence[Positioned], positions: Mapping[int, str]) -> list[int]:
    if set(positions) != {item.id for item in items}:
        raise Invalid([Problem("positions", Issue.POSITIONS_INCOMPLETE)])
    order, problems = checks.read_order(positions)
    if problems:
        raise Invalid([Problem(f"position-{p.field}", p.issue, p.params) for p in problems])
    return order


def _reorder(
    session: DbSession, items: list[Positioned], positions: Mapping[int, str]
) -> list[int] | None:
    """Put ``items`` (a relationship list) in the order typed and renumber them; the former
    positions in their new order, or None when nothing moved."""
    order = _read_positions(items, positions)
    before = [item.id for item in items]
    if order == before:
        return None
    by_id = {item.id: item for item in items}
    items[:] = [by_id[i] for i in order]
    _renumber(session, items)
    return [before.index(i) + 1 for i in order]


def reorder_questions(consultation_id: int, positions: Mapping[int, str], *, actor_id: int) -> None:
    """Put the questions in the order typed (``question id -> position``)."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        moved = _reorder(session, c.questions, positions)
        if moved is None:
            return
        _conditions_hold(c.questions)
        audit.record(
            session,
            Action.QUESTIONS_REORDERED,
            actor_id=actor_id,
            consultation_id=c.id,
            order=moved,
        )


# Options -------------------------------------------------------------------------------------


def _clean_option(
    fields: OptionFields, question: Question, current: Option | None
) -> tuple[OptionFields, list[Problem]]:
    label, problems = clean_text(fields.label, "label", "label", required=True)
    description, found = clean_text(fields.description, "description", "description")
    problems += found
    others = [o.label for o in question.options if o is not current]
    if label.en and checks.check_labels([*others, label.en]):
        problems.append(Problem("label-en", Issue.DUPLICATE_LABEL, {"label": label.en}))
    return OptionFields(label, description), problems


def add_option(
    consultation_id: int, question_id: int, fields: OptionFields, *, actor_id: int
) -> Option:
    """Add an option at the end of a question's options."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        q = _question(c, question_id)
        if not kinds.get(q.kind).has_options:
            raise NotFound
        cleaned, problems = _clean_option(fields, q, None)
        if problems:
            raise Invalid(problems)
        option = Option(position=len(q.options) + 1, translations={})
        set_text(option, "label", cleaned.label)
        set_text(option, "description", cleaned.description)
        q.options.append(option)
        session.flush()
        audit.record(
            session,
            Action.OPTION_ADDED,
            actor_id=actor_id,
            consultation_id=c.id,
            question=q.position,
            option=option.position,
            label=option.label,
        )
    return option


def update_option(
    consultation_id: int, option_id: int, fields: OptionFields, *, actor_id: int
) -> list[str]:
    """Save an option's label and background; returns what changed."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        q, o = _option(c, option_id)
        cleaned, problems = _clean_option(fields, q, o)
        if problems:
            raise Invalid(problems)
        changed = [
            name for name in ("label", "description") if set_text(o, name, getattr(cleaned, name))
        ]
        if changed:
            audit.record(
                session,
                Action.OPTION_UPDATED,
                actor_id=actor_id,
                consultation_id=c.id,
                question=q.position,
                option=o.position,
                fields=changed,
            )
    return changed


def _check_bounds_after(q: Question, removed: Option) -> None:
    """The question's rules still hold without ``removed`` (e.g. choose-N bounds)."""
    shape = replace(
        kinds.shape_of(q), options=tuple(o.label for o in q.options if o is not removed)
    )
    problems = kinds.get(q.kind).check(shape, for_opening=False)
    if problems:
        raise Invalid(problems)
    for i, other in enumerate(q.consultation.questions, start=1):
        condition = (other.settings or {}).get("show_if") or {}
        if condition.get("question") == q.id and removed.id in condition.get("options", []):
            raise Invalid([Problem("show_if", Issue.CONDITION_IN_USE, {"question": i})])


def remove_option(consultation_id: int, option_id: int, *, actor_id: int) -> None:
    """Remove an option; refused when the choose-N bounds would exceed the options left."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        q, o = _option(c, option_id)
        _check_bounds_after(q, o)
        position, label = o.position, o.label
        q.options.remove(o)
        session.flush()
        _renumber(session, q.options)
        audit.record(
            session,
            Action.OPTION_REMOVED,
            actor_id=actor_id,
            consultation_id=c.id,
            question=q.position,
            option=position,
            label=label,
        )


def reorder_options(
    consultation_id: int, question_id: int, positions: Mapping[int, str], *, actor_id: int
) -> None:
    """Put a question's options in the order typed (``option id -> position``)."""
    with _editing(consultation_id) as (session, c):
        _check_structure(session, c)
        q = _question(c, question_id)
        moved = _reorder(session, q.options, positions)
        if moved is None:
            return
        audit.record(
            session,
            Action.OPTIONS_REORDERED,
            actor_id=actor_id,
            consultation_id=c.id,
            question=q.position,
            order=moved,
        )


def merge_options(
    consultation_id: int, question_id: int, survivor_id: int, absorbed_id: int, *, actor_id: int
) -> Option:
    """Fold one option into another, in a draft.

    The survivor keeps its label; its background gains a paragraph noting the absorbed
    option's label and background (in each language where either has a translation), the
    absorbed option is recorded in ``merged_from``, and whoever suggested it now counts as
    suggesting the survivor.
    """
    with _editing(consultation_id) as (session, c):
        if c.status is not Status.DRAFT:
            raise Locked(LockReason.NOT_DRAFT)
        _check_structure(session, c)
        q = _question(c, question_id)
        options = {o.id: o for o in q.options}
        if survivor_id not in options or absorbed_id not in options:
            raise NotFound
        if survivor_id == absorbed_id:
            raise Invalid([Problem("absorbed", Issue.SAME_OPTION)])
        _check_bounds_after(q, options[absorbed_id])
        survivor, absorbed = options[survivor_id], options[absorbed_id]
        label, description = get_text(absorbed, "label"), get_text(absorbed, "description")
        set_text(survivor, "description", _merged_description(survivor, label, description))
        entry = {
            "label": label.en,
            "description": description.en,
            "translations": {
                lang: {
                    k: v
                    for k, v in (
                        ("label", getattr(label, lang)),
                        ("description", getattr(description, lang)),
                    )
                    if v
                }
                for lang in TRANSLATIONS
                if getattr(label, lang) or getattr(description, lang)
            },
        }
        survivor.merged_from = [*(survivor.merged_from or []), entry]
        survivor.suggested_by = sorted(
            {m.id: m for m in [*survivor.suggested_by, *absorbed.suggested_by]}.values(),
            key=lambda m: m.code,
        )
        q.options.remove(absorbed)
        session.flush()
        _renumber(session, q.options)
        audit.record(
            session,
            Action.OPTIONS_MERGED,
            actor_id=actor_id,
            consultation_id=c.id,
            question=q.position,
            survivor=survivor.label,
            absorbed=label.en,
        )
    return survivor


def _merged_description(survivor: Option, label: Text, description: Text) -> Text:
    current = get_text(survivor, "description")
    out: dict[str, str] = {}
    for lang in LANGUAGES:
        base = getattr(current, lang)
        if lang != "en" and not (base or getattr(label, lang) or getattr(description, lang)):
            out[lang] = ""  # nothing in this language: the reader sees the English
            continue
        base = base or current.en
        with force_locale(lang):
            note = _(
                "*Incorporates elements of “%(label)s”.*",
                label=getattr(label, lang) or label.en,
            )
        extra = getattr(description, lang) or description.en
        paragraph = f"{note} {extra}".strip()
        out[lang] = f"{base}\n\n{paragraph}" if base else paragraph
    return Text(**out)
