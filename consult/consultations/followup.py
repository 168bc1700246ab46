"""Follow-up rounds: a new draft linked to a published consultation, with chosen write-in
suggestions of the parent promoted to options (and a link to the members who made them)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from consult.consultations import builder, checks, invitations, kinds, writeins
from consult.consultations.checks import Issue, Problem
from consult.consultations.document import Text
from consult.consultations.lifecycle import Status
from consult.consultations.models import (
    Consultation,
    ObserversMay,
    Option,
    Question,
    QuestionKind,
)
from consult.consultations.texts import get_text, set_text
from consult.core import audit
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.extensions import db
from consult.members.models import Member

#: A follow-up question offers the promoted suggestions as its options.
FOLLOW_UP_KINDS = kinds.option_kinds()


@dataclass(frozen=True)
class Suggestion:
    """A group of write-ins that could become an option."""

    key: str  # "<question id>:<grouping key>"
    question_id: int
    question_number: int
    label: str
    variants: tuple[str, ...]
    member_ids: tuple[int, ...]


def suggestions(session: DbSession, consultation: Consultation) -> list[Suggestion]:
    """Write-ins of the submitted responses, grouped per ranking question as the results
    group them (with the Administration's joins and splits)."""
    return [
        Suggestion(
            key=f"{qg.question.id}:{group.key}",
            question_id=qg.question.id,
            question_number=qg.number,
            label=group.label,
            variants=group.variants,
            member_ids=group.member_ids,
        )
        for qg in writeins.grouped(session, consultation)
        for group in qg.groups
    ]


@dataclass(frozen=True)
class FollowUp:
    slug: str
    title: Text
    reference: str
    opens_at: datetime | None
    closes_at: datetime | None
    start: str  # "new" (one new question) or "copy" (the parent's questions)
    kind: str
    prompt: Text
    chosen: Sequence[str]  # keys of the suggestions to promote


class NotPublished(builder.BuildError):
    """A follow-up round starts from a published consultation."""


def members_of(session: DbSession, suggestions: Sequence[Suggestion]) -> dict[int, Member]:
    """The members named by the suggestions (who wrote each in), by id."""
    ids = {i for s in suggestions for i in s.member_ids}
    return {m.id: m for m in session.scalars(sa.select(Member).where(Member.id.in_(ids)))}


def start(parent_id: int, follow_up: FollowUp, *, actor_id: int) -> Consultation:
    """Create the follow-up draft in one transaction (or nothing, with the problems)."""
    with write_transaction(db.session) as session:
        parent = builder.hold(session, parent_id)
        if parent is None:
            raise builder.NotFound
        if parent.status is not Status.PUBLISHED:
            raise NotPublished
        settings = builder.Settings(
            slug=follow_up.slug,
            title=follow_up.title,
            reference=follow_up.reference,
            summary=Text(),
            opens_at=follow_up.opens_at,
            closes_at=follow_up.closes_at,
            observers_may=parent.observers_may.value,
            results_attributed=parent.results_attributed,
        )
        values, problems = builder.clean_settings(session, settings, None)
        available = {s.key: s for s in suggestions(session, parent)}
        chosen = [available[k] for k in follow_up.chosen if k in available]
        if len(chosen) != len(set(follow_up.chosen)):
            problems.append(Problem("suggestions", Issue.REQUIRED))
        prompt = Text()
        if follow_up.start == "new":
            prompt, found = builder.clean_text(follow_up.prompt, "prompt", "prompt", required=True)
            problems += found
            if follow_up.kind not in FOLLOW_UP_KINDS:
                problems.append(Problem("kind", Issue.REQUIRED))
        labels = [s.label[: checks.LIMITS["label"]] for s in chosen]
        problems += [Problem("suggestions", p.issue, p.params) for p in checks.check_labels(labels)]
        if problems:
            raise builder.Invalid(problems)
        child = Consultation(
            slug=values["slug"],
            reference=values["reference"],
            status=Status.DRAFT,
            opens_at=values["opens_at"],
            closes_at=values["closes_at"],
            observers_may=ObserversMay(parent.observers_may),
            results_attributed=parent.results_attributed,
            invite_all=parent.invite_all,
            invite_observers=parent.invite_observers,
            parent=parent,
            translations={},
        )
        set_text(child, "title", values["title"])  # type: ignore[arg-type]
        session.add(child)
        invitations.refresh(session, child, parent.invited)
        members = {
            m.id: m
            for m in session.scalars(
                sa.select(Member).where(
                    Member.id.in_({mid for s in chosen for mid in s.member_ids})
                )
            )
        }
        if follow_up.start == "copy":
            _copy_questions(parent, child, chosen, members)
            session.flush()  # conditions and references name questions and options by id
            _point_to_copies(parent, child)
        else:
            question = Question(position=1, kind=QuestionKind(follow_up.kind), required=True)
            question.translations = {}
            question.settings = {}
            kinds.store_settings(question, kinds.normalised(follow_up.kind, {}))
            set_text(question, "prompt", prompt)
            for position, s in enumerate(chosen, start=1):
                question.options.append(_promoted(s, position, members))
            child.questions.append(question)
        existing = [o.label.casefold() for q in child.questions for o in q.options]
        if len(existing) != len(set(existing)):
            raise builder.Invalid([Problem("suggestions", Issue.DUPLICATE_LABEL)])
        session.flush()
        audit.record(
            session,
            Action.FOLLOW_UP_STARTED,
            actor_id=actor_id,
            consultation_id=child.id,
            parent=parent.slug,
            promoted=[s.label for s in chosen],
        )
    return child


def _promoted(s: Suggestion, position: int, members: dict[int, Member]) -> Option:
    option = Option(position=position, label=s.label[: checks.LIMITS["label"]], translations={})
    option.description = ""
    option.merged_from = []
    option.suggested_by = sorted(
        (members[mid] for mid in s.member_ids if mid in members), key=lambda m: m.code
    )
    return option


def _point_to_copies(parent: Consultation, child: Consultation) -> None:
    """The copies' conditions (``show_if``) and references to another question
    (``options_from``) name the copies, not the parent's questions and options."""
    questions = {q.id: c.id for q, c in zip(parent.questions, child.questions, strict=True)}
    options = {
        o.id: copy.id
        for q, c in zip(parent.questions, child.questions, strict=True)
        for o, copy in zip(q.options, c.options, strict=False)
    }
    for copy in child.questions:
        settings = dict(copy.settings or {})
        condition = settings.get("show_if")
        if condition:
            settings["show_if"] = {
                "question": questions.get(condition["question"]),
                "options": [options[o] for o in condition["options"] if o in options],
            }
        for setting in kinds.get(copy.kind).settings:
            if setting.type is kinds.SettingType.QUESTION and settings.get(setting.name):
                settings[setting.name] = questions.get(settings[setting.name])
        copy.settings = settings


def _copy_questions(
    parent: Consultation,
    child: Consultation,
    chosen: list[Suggestion],
    members: dict[int, Member],
) -> None:
    for q in parent.questions:
        copy = Question(position=q.position, kind=q.kind, required=q.required)
        copy.translations = {}
        copy.settings = {}
        kinds.store_settings(copy, kinds.settings_of(q))
        for name in ("prompt", "help"):
            set_text(copy, name, get_text(q, name))
        for o in q.options:
            option = Option(
                position=o.position, translations={}, merged_from=list(o.merged_from or [])
            )
            option.suggested_by = list(o.suggested_by)
            for name in ("label", "description"):
                set_text(option, name, get_text(o, name))
            copy.options.append(option)
        for s in chosen:
            if s.question_id == q.id:
                copy.options.append(_promoted(s, len(copy.options) + 1, members))
        child.questions.append(copy)
