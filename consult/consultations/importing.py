"""Consultations in and out of YAML: import as a whole or not at all, dump, list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from types import SimpleNamespace
from typing import Any, cast

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from consult.consultations import document, invitations, kinds, signals
from consult.consultations.checks import Problem
from consult.consultations.document import (
    ClosedEarly,
    ConsultationDoc,
    DocError,
    DocumentInvalid,
    ErratumDoc,
    OptionDoc,
    QuestionDoc,
    Selection,
)
from consult.consultations.lifecycle import Status
from consult.consultations.messages import describe
from consult.consultations.models import (
    Consultation,
    Erratum,
    ObserversMay,
    Option,
    Question,
    QuestionKind,
    by_slug,
    option_suggestion,
    outcome_selection,
)
from consult.consultations.responses import response
from consult.consultations.texts import get_text, set_text
from consult.core import audit, clock, collector
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.core.text import Text
from consult.extensions import db
from consult.members.models import Member


def describe_in_english(problem: Problem) -> str:
    with force_locale("en"):
        return describe(problem)


#: Sections of the format that another package reads and writes (through ``signals.imported``
#: and ``signals.dumping``): the documents of the consultation.
SECTIONS = frozenset({"documents"})


def read_text(
    text: str, *, now: datetime | None = None, extra_keys: Iterable[str] = ()
) -> list[ConsultationDoc]:
    """Parse and check a YAML file; raises :class:`DocumentInvalid` with every error."""
    data, lines = document.load(text)
    return document.read(
        data, lines, describe=describe_in_english, now=now, extra_keys={*SECTIONS, *extra_keys}
    )


def import_documents(
    docs: list[ConsultationDoc], *, actor_id: int | None = None, replace: bool = False
) -> list[Consultation]:
    """Create the consultations in one transaction, or none of them.

    With ``replace``, a consultation whose slug exists is overwritten if it is still a draft.
    References (member codes, parent slugs, existing slugs) are checked inside the transaction;
    any error raises :class:`DocumentInvalid` and nothing is written.

    The statements do not grow with the questions and options: the replaced drafts' questions
    are deleted with one statement per table, and the new ones written in batches for the whole
    file (:func:`_write_structure`); each consultation adds its own row, its audit event and
    its documents.

    The collector is paused meanwhile (:mod:`consult.core.collector`): the documents, the
    consultations and the rows of the whole file live until the end.
    """
    with collector.paused(), write_transaction(db.session) as session:
        members = {m.code: m for m in session.scalars(sa.select(Member))}
        existing = {
            c.slug: c
            for c in session.scalars(
                sa.select(Consultation)
                .where(Consultation.slug.in_([d.slug for d in docs]))
                .options(selectinload(Consultation.invited), selectinload(Consultation.errata))
            )
        }
        errors = _check_references(session, docs, members, existing, replace)
        if errors:
            raise DocumentInvalid(errors)
        _delete_structure(session, [c.id for c in existing.values()])
        outside = {d.parent for d in docs if d.parent} - {d.slug for d in docs}
        parents = (
            {
                c.slug: c
                for c in session.scalars(
                    sa.select(Consultation).where(Consultation.slug.in_(outside))
                )
            }
            if outside
            else {}
        )
        created: list[Consultation] = []
        by_slug: dict[str, Consultation] = {}
        for doc in docs:
            consultation = existing.get(doc.slug)
            if consultation is None:
                consultation = Consultation(slug=doc.slug, translations={})
                session.add(consultation)
            parent = by_slug.get(doc.parent or "") or parents.get(doc.parent or "")
            _apply(session, consultation, doc, members, parent)
            by_slug[doc.slug] = consultation
            created.append(consultation)
        session.flush()
        _write_structure(session, list(zip(created, docs, strict=True)), members)
        for consultation, doc in zip(created, docs, strict=True):
            replaced = doc.slug in existing
            session.expire(consultation, ["questions", "selected_options"])
            signals.imported.send(
                None,
                session=session,
                consultation=consultation,
                document=doc,
                replaced=replaced,
                actor_id=actor_id,
            )
            audit.record(
                session,
                Action.CONSULTATION_REPLACED if replaced else Action.CONSULTATION_IMPORTED,
                actor_id=actor_id,
                consultation_id=consultation.id,
                slug=consultation.slug,
                status=consultation.status.value,
                questions=len(doc.questions),
            )
    return created


def _delete_structure(session: DbSession, consultation_ids: list[int]) -> None:
    """The questions and options of the replaced drafts, one statement per table (a draft
    has no answers: :func:`_check_references` refused one with responses)."""
    if not consultation_ids:
        return
    questions = sa.select(Question.id).where(Question.consultation_id.in_(consultation_ids))
    options = sa.select(Option.id).where(Option.question_id.in_(questions))
    session.execute(sa.delete(option_suggestion).where(option_suggestion.c.option_id.in_(options)))
    session.execute(sa.delete(outcome_selection).where(outcome_selection.c.option_id.in_(options)))
    session.execute(
        sa.delete(Option).where(Option.question_id.in_(questions)),
        execution_options={"synchronize_session": False},
    )
    session.execute(
        sa.delete(Question).where(Question.consultation_id.in_(consultation_ids)),
        execution_options={"synchronize_session": False},
    )


def _write_structure(
    session: DbSession,
    pairs: list[tuple[Consultation, ConsultationDoc]],
    members: dict[str, Member],
) -> None:
    """The questions and options of every consultation of the file, in a fixed number of
    statements: the questions in one batch, their ids read back by position, the options in
    one batch (their ids read back only when suggestions, references or the outcome's
    selection need them), the suggestions in one, the selected options in one, and the
    settings that name other questions or options in one."""
    built = [
        (c, doc, [_question(q, n) for n, q in enumerate(doc.questions, start=1)])
        for c, doc in pairs
    ]
    question_rows = [
        _with(question.columns, "consultation_id", c.id) for c, _doc, qs in built for question in qs
    ]
    if not question_rows:
        return
    _insert(session, Question, question_rows)
    ids = [c.id for c, _doc, _qs in built]
    question_ids = {
        (cid, position): qid
        for qid, cid, position in session.execute(
            sa.select(Question.id, Question.consultation_id, Question.position).where(
                Question.consultation_id.in_(ids)
            )
        )
    }
    option_rows = [
        _with(option, "question_id", question_ids[c.id, question.position])
        for c, _doc, qs in built
        for question in qs
        for option in question.options
    ]
    if option_rows:
        _insert(session, Option, option_rows)
    needs_ids = (
        any(o.suggested_by for _c, doc, _qs in built for q in doc.questions for o in q.options)
        or any(
            q.settings.get("show_if") or _references(q)
            for _c, doc, _qs in built
            for q in doc.questions
        )
        or any(doc.outcome_selected for _c, doc, _qs in built)
    )
    if not needs_ids:
        return
    option_ids = {
        (qid, position): oid
        for oid, qid, position in session.execute(
            sa.select(Option.id, Option.question_id, Option.position)
            .join(Question, Question.id == Option.question_id)
            .where(Question.consultation_id.in_(ids))
        )
    }
    suggestions = [
        {"option_id": option_ids[question_ids[c.id, qn], on], "member_id": members[code].id}
        for c, doc, _qs in built
        for qn, q in enumerate(doc.questions, start=1)
        for on, o in enumerate(q.options, start=1)
        for code in o.suggested_by
    ]
    if suggestions:
        session.execute(sa.insert(option_suggestion), suggestions)
    selected = [
        {"consultation_id": c.id, "option_id": option_ids[question_ids[c.id, s.question], n]}
        for c, doc, _qs in built
        for s in doc.outcome_selected
        for n in s.options
    ]
    if selected:
        session.execute(sa.insert(outcome_selection), selected)
    updates = []
    for c, doc, qs in built:
        for question, q in zip(qs, doc.questions, strict=True):
            settings = dict(question.settings)
            condition = q.settings.get("show_if")
            if condition:
                target = question_ids[c.id, condition["question"]]
                settings["show_if"] = {
                    "question": target,
                    "options": [option_ids[target, n] for n in condition["options"]],
                }
            for name, number in _references(q).items():
                settings[name] = question_ids[c.id, number]
            if settings != question.settings:
                updates.append({"id": question_ids[c.id, question.position], "settings": settings})
    if updates:
        session.execute(sa.update(Question), updates)


def _with(row: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """``row`` with ``key`` set (in place: thousands of rows are not copied)."""
    row[key] = value
    return row


class _Row(SimpleNamespace):
    """A new question or option as plain attributes, for ``set_text`` and
    ``kinds.store_settings`` to write into: an import of many consultations builds thousands,
    and only their column values are inserted, so an ORM object for each would be work (and
    garbage) for nothing. An attribute not set reads None, as on a new ORM object."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return None


@cache
def _column_defaults(model: type[Question] | type[Option]) -> tuple[tuple[str, Any], ...]:
    """The columns a new row of ``model`` is inserted with, and their defaults."""
    mapper: sa.orm.Mapper[Any] = sa.inspect(model)
    return tuple(
        (attr.key, attr.columns[0].default)
        for attr in mapper.column_attrs
        if attr.key not in ("id", "consultation_id", "question_id")
    )


def _columns(row: _Row, model: type[Question] | type[Option]) -> dict[str, Any]:
    """The column values of a new question or option, defaults filled in, so that every row of
    a batch has the same keys (one statement for all of them)."""
    given = vars(row)
    values: dict[str, Any] = {}
    for key, default in _column_defaults(model):
        if key in given:
            values[key] = given[key]
        elif default is None:
            values[key] = None
        elif default.is_callable:
            values[key] = default.arg(None)
        else:
            values[key] = default.arg
    return values


@dataclass(frozen=True)
class _NewQuestion:
    position: int
    columns: dict[str, Any]
    options: list[dict[str, Any]]

    @property
    def settings(self) -> dict[str, Any]:
        return cast(dict[str, Any], self.columns["settings"])


def _insert(
    session: DbSession, model: type[Question] | type[Option], rows: list[dict[str, Any]]
) -> None:
    """Rows of one table in one statement (an executemany, batched by the driver)."""
    session.execute(sa.insert(model), rows)


def _check_references(
    session: DbSession,
    docs: list[ConsultationDoc],
    members: dict[str, Member],
    existing: dict[str, Consultation],
    replace: bool,
) -> list[DocError]:
    errors: list[DocError] = []
    earlier: set[str] = set()
    answered = _with_responses(session, [c.id for c in existing.values()])
    known = _known_slugs(session, {d.parent for d in docs if d.parent})
    for doc in docs:
        current = existing.get(doc.slug)
        if current is not None:
            if not replace:
                errors.append(
                    DocError(
                        doc.line("slug"),
                        f"slug: a consultation {doc.slug} already exists "
                        "(use --replace to overwrite a draft)",
                    )
                )
            elif current.status is not Status.DRAFT or current.id in answered:
                errors.append(
                    DocError(
                        doc.line("slug"),
                        f"slug: {doc.slug} is no longer a draft; it cannot be replaced",
                    )
                )
        for i, code in enumerate(doc.invite or ()):
            if code not in members:
                errors.append(
                    DocError(doc.line("invite", i), f"invite: no member with code {code}")
                )
        for qi, q in enumerate(doc.questions):
            for oi, o in enumerate(q.options):
                for si, code in enumerate(o.suggested_by):
                    if code not in members:
                        errors.append(
                            DocError(
                                doc.line("questions", qi, "options", oi, "suggested_by", si),
                                f"suggested_by: no member with code {code}",
                            )
                        )
        if doc.parent and doc.parent not in earlier and doc.parent not in known:
            errors.append(DocError(doc.line("parent"), f"parent: no consultation {doc.parent}"))
        if doc.parent == doc.slug:
            errors.append(
                DocError(doc.line("parent"), "parent: a consultation is not its own parent")
            )
        earlier.add(doc.slug)
    return sorted(errors, key=lambda e: e.line or 0)


def _with_responses(session: DbSession, consultation_ids: list[int]) -> set[int]:
    """Which of the consultations have a response (one query)."""
    if not consultation_ids:
        return set()
    return set(
        session.scalars(
            sa.select(response.c.consultation_id)
            .where(response.c.consultation_id.in_(consultation_ids))
            .distinct()
        )
    )


def _known_slugs(session: DbSession, slugs: set[str]) -> set[str]:
    """Which of the slugs name a stored consultation (one query)."""
    if not slugs:
        return set()
    return set(session.scalars(sa.select(Consultation.slug).where(Consultation.slug.in_(slugs))))


def _apply(
    session: DbSession,
    c: Consultation,
    doc: ConsultationDoc,
    members: dict[str, Member],
    parent: Consultation | None,
) -> None:
    """The consultation's own fields and invitations (its questions: :func:`_write_structure`)."""
    now = clock.now()
    set_text(c, "title", doc.title)
    set_text(c, "summary", doc.summary)
    set_text(c, "outcome", doc.outcome)
    set_text(c, "outcome_reason", doc.outcome_reason)
    set_text(c, "rationale", doc.rationale)
    c.reference = doc.reference
    c.status = Status(doc.status)
    c.opens_at = doc.opens_at
    c.closes_at = doc.closes_at
    c.observers_may = ObserversMay(doc.observers_may)
    c.results_attributed = doc.results_attributed
    c.invite_all = doc.invite is None
    c.invite_observers = doc.invite_observers
    c.parent = parent
    c.published_at = (doc.published_at or now) if c.status is Status.PUBLISHED else None
    c.outcome_recorded_at = now if doc.outcome.en else None
    early = doc.closed_early
    c.original_closes_at = early.deadline if early else None
    set_text(c, "close_reason", early.reason if early else Text())
    c.errata = [
        Erratum(
            number=number,
            reason=e.reason.stored(),
            before=e.before.stored(),
            after=e.after.stored(),
            corrected_at=e.corrected_at,
        )
        for number, e in enumerate(doc.errata, start=1)
    ]
    chosen = [members[code] for code in doc.invite or ()]
    c.invited = invitations.members_to_invite(
        session, c.invite_all, c.invite_observers, chosen, registry=members.values()
    )


def _references(q: QuestionDoc) -> dict[str, int]:
    """The settings of ``q`` that name another question (by its number in the document)."""
    return {
        s.name: q.settings[s.name]
        for s in kinds.get(q.kind).settings
        if s.type is kinds.SettingType.QUESTION and q.settings.get(s.name) is not None
    }


def _question(q: QuestionDoc, position: int) -> _NewQuestion:
    question = _Row(position=position, kind=QuestionKind(q.kind), required=q.required)
    question.translations = {}
    question.settings = {}
    references = dict.fromkeys(_references(q))
    kinds.store_settings(
        question, {**kinds.normalised(q.kind, q.settings), "show_if": None, **references}
    )
    set_text(question, "prompt", q.prompt)
    set_text(question, "help", q.help)
    options = [_option(o, n) for n, o in enumerate(q.options, start=1)]
    return _NewQuestion(position, _columns(question, Question), options)


def _option(o: OptionDoc, position: int) -> dict[str, Any]:
    option = _Row(
        position=position, merged_from=[dict(entry) for entry in o.merged_from], translations={}
    )
    set_text(option, "label", o.label)
    set_text(option, "description", o.description)
    return _columns(option, Option)


# Out -----------------------------------------------------------------------------------------


def load_for_dump(slug: str) -> Consultation | None:
    return db.session.scalar(
        by_slug(
            slug,
            selectinload(Consultation.invited),
            selectinload(Consultation.parent),
            selectinload(Consultation.selected_options),
            selectinload(Consultation.errata),
        )
    )


def to_document(c: Consultation) -> ConsultationDoc:
    """The consultation as a document (what :func:`document.dump` writes)."""
    sections: dict[str, Any] = {}
    signals.dumping.send(None, consultation=c, extra=sections)
    return ConsultationDoc(
        slug=c.slug,
        title=get_text(c, "title"),
        closes_at=c.closes_at,
        opens_at=c.opens_at,
        reference=c.reference,
        summary=get_text(c, "summary"),
        status=c.status.value,
        observers_may=c.observers_may.value,
        results_attributed=c.results_attributed,
        invite=None if c.invite_all else tuple(sorted(m.code for m in c.invited)),
        invite_observers=c.invite_observers,
        parent=c.parent.slug if c.parent else None,
        outcome=get_text(c, "outcome"),
        outcome_selected=_selections_of(c),
        outcome_reason=get_text(c, "outcome_reason"),
        rationale=get_text(c, "rationale"),
        closed_early=ClosedEarly(c.original_closes_at, get_text(c, "close_reason"))
        if c.closed_early and c.original_closes_at
        else None,
        published_at=c.published_at if c.status is Status.PUBLISHED else None,
        errata=tuple(
            ErratumDoc(
                e.corrected_at,
                Text.from_stored(e.reason),
                Text.from_stored(e.before),
                Text.from_stored(e.after),
            )
            for e in c.errata
        ),
        questions=tuple(_question_doc(q) for q in c.questions),
        extra=sections,
    )


def _selections_of(c: Consultation) -> tuple[Selection, ...]:
    """The options the outcome selects, by the numbers of their question and place."""
    chosen = {o.id for o in c.selected_options}
    found = (
        Selection(n, tuple(i for i, o in enumerate(q.options, start=1) if o.id in chosen))
        for n, q in enumerate(c.questions, start=1)
    )
    return tuple(s for s in found if s.options)


def _question_doc(q: Question) -> QuestionDoc:
    return QuestionDoc(
        kind=q.kind.value,
        prompt=get_text(q, "prompt"),
        help=get_text(q, "help"),
        required=q.required,
        settings={**kinds.settings_of(q), "show_if": _condition_numbers(q), **_numbers_of(q)},
        options=tuple(
            OptionDoc(
                label=get_text(o, "label"),
                description=get_text(o, "description"),
                suggested_by=tuple(m.code for m in o.suggested_by),
                merged_from=tuple(o.merged_from or ()),
            )
            for o in q.options
        ),
    )


def _numbers_of(q: Question) -> dict[str, int | None]:
    """The settings of ``q`` that name another question, by that question's number."""
    numbers = {other.id: n for n, other in enumerate(q.consultation.questions, start=1)}
    return {
        s.name: numbers.get(cast(int, (q.settings or {}).get(s.name)))
        for s in kinds.get(q.kind).settings
        if s.type is kinds.SettingType.QUESTION
    }


def _condition_numbers(q: Question) -> dict[str, Any] | None:
    """A question's condition by the numbers of the question and options it names."""
    condition = (q.settings or {}).get("show_if")
    if not condition:
        return None
    for number, target in enumerate(q.consultation.questions, start=1):
        if target.id == condition["question"]:
            positions = {o.id: i for i, o in enumerate(target.options, start=1)}
            return {
                "question": number,
                "options": sorted(positions[o] for o in condition["options"] if o in positions),
            }
    return None


def dump_text(slug: str) -> str | None:
    """The YAML of one consultation, times in the organisation's zone; None if unknown."""
    consultation = load_for_dump(slug)
    if consultation is None:
        return None
    return document.dump([to_document(consultation)], current_app.config["TIMEZONE"])


def summary_rows() -> list[dict[str, Any]]:
    """Slug, title, effective status and deadline of every consultation, latest deadline
    first."""
    now = clock.now()
    return [
        {"slug": c.slug, "title": c.title, "stage": c.stage(now).value, "closes_at": c.closes_at}
        for c in db.session.scalars(
            sa.select(Consultation).order_by(Consultation.closes_at.desc(), Consultation.slug)
        )
    ]
