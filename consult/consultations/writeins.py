"""Write-in suggestions of a consultation and the Administration's corrections of their
grouping: automatic groups joined (and named) by hand, a member's suggestion split out, each
undone again; every change audited.

The corrections are stored as rules (``WriteInJoin``, ``WriteInSplit``) and applied by
:func:`consult.core.plaintext.group_write_ins` whenever suggestions are grouped — on the results
page, in the CSV report and the results documents, and on the follow-up page — so they hold
when answers are revised and the results recomputed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa

from consult.consultations.builder import Invalid, NotFound
from consult.consultations.checks import Issue, Problem
from consult.consultations.models import (
    Consultation,
    Question,
    QuestionKind,
    WriteInJoin,
    WriteInSplit,
)
from consult.consultations.responses import SUBMITTED, answer, response
from consult.core import audit
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.core.plaintext import (
    NO_GROUPING,
    Grouping,
    Join,
    TextFault,
    WriteIn,
    WriteInGroup,
    clean_text,
    group_write_ins,
)
from consult.extensions import db

NAME_LIMIT = 300


def groupings(session: DbSession, question_ids: Iterable[int]) -> dict[int, Grouping]:
    """The stored corrections of each question's grouping (two queries)."""
    ids = list(question_ids)
    if not ids:
        return {}
    joins: dict[int, list[Join]] = {}
    for row in session.scalars(
        sa.select(WriteInJoin).where(WriteInJoin.question_id.in_(ids)).order_by(WriteInJoin.id)
    ):
        joins.setdefault(row.question_id, []).append(Join(row.id, frozenset(row.keys), row.label))
    splits: dict[int, set[tuple[int, str]]] = {}
    for question_id, member_id, key in session.execute(
        sa.select(WriteInSplit.question_id, WriteInSplit.member_id, WriteInSplit.key).where(
            WriteInSplit.question_id.in_(ids)
        )
    ):
        splits.setdefault(question_id, set()).add((member_id, key))
    return {
        qid: Grouping(tuple(joins.get(qid, ())), frozenset(splits.get(qid, ())))
        for qid in ids
        if qid in joins or qid in splits
    }


def suggestions(session: DbSession, question_ids: Iterable[int]) -> dict[int, list[WriteIn]]:
    """Write-ins of the submitted responses to ``question_ids``, in order of submission."""
    ids = list(question_ids)
    if not ids:
        return {}
    rows = session.execute(
        sa.select(answer.c.question_id, answer.c.text, response.c.member_id)
        .join(response, response.c.id == answer.c.response_id)
        .where(
            response.c.status == SUBMITTED,
            answer.c.option_id.is_(None),
            answer.c.text.is_not(None),
            answer.c.question_id.in_(ids),
        )
        .order_by(response.c.submitted_at, response.c.id)
    ).all()
    out: dict[int, list[WriteIn]] = {}
    for question_id, text, member_id in rows:
        out.setdefault(question_id, []).append(WriteIn(text or "", member_id))
    return out


@dataclass(frozen=True)
class QuestionGroups:
    """A question's write-in groups as they stand, with the corrections applied."""

    question: Question
    number: int
    groups: tuple[WriteInGroup, ...]


def write_in_questions(consultation: Consultation) -> list[tuple[int, Question]]:
    """(number, question) of the ranking questions (the kind that takes write-ins)."""
    return [
        (number, q)
        for number, q in enumerate(consultation.questions, start=1)
        if q.kind is QuestionKind.RANKING
    ]


def grouped(session: DbSession, consultation: Consultation) -> list[QuestionGroups]:
    """Every write-in question's groups (four queries)."""
    questions = write_in_questions(consultation)
    ids = [q.id for _, q in questions]
    found = suggestions(session, ids)
    rules = groupings(session, ids)
    return [
        QuestionGroups(
            q, number, tuple(group_write_ins(found.get(q.id, []), rules.get(q.id, NO_GROUPING)))
        )
        for number, q in questions
    ]


# Corrections -----------------------------------------------------------------------------


def _question(session: DbSession, consultation_id: int, question_id: int) -> tuple[Question, int]:
    """The question, locked for the change, and its number in the consultation."""
    question = session.get(Question, question_id, with_for_update=True)
    if (
        question is None
        or question.consultation_id != consultation_id
        or question.kind is not QuestionKind.RANKING
    ):
        raise NotFound
    earlier = session.scalar(
        sa.select(sa.func.count(Question.id)).where(
            Question.consultation_id == consultation_id, Question.position < question.position
        )
    )
    return question, 1 + (earlier or 0)


def _current(session: DbSession, question_id: int) -> dict[str, WriteInGroup]:
    found = suggestions(session, [question_id]).get(question_id, [])
    rules = groupings(session, [question_id]).get(question_id, NO_GROUPING)
    return {g.key: g for g in group_write_ins(found, rules)}


def _name(raw: str) -> str:
    name, fault = clean_text(raw, NAME_LIMIT)
    if fault is TextFault.TEXT_TOO_LONG:
        raise Invalid([Problem("name", Issue.TOO_LONG, {"limit": NAME_LIMIT})])
    if fault is not None:
        raise Invalid([Problem("name", Issue.CONTROL_CHARACTER)])
    return " ".join(name.split())


def join(
    consultation_id: int, question_id: int, keys: Iterable[str], name: str, *, actor_id: int
) -> None:
    """Join the groups ``keys`` into one named ``name`` (empty: the spelling used most). One
    joined group ticked alone with a name is renamed. A suggestion split out stays alone."""
    with write_transaction(db.session) as session:
        question, number = _question(session, consultation_id, question_id)
        label = _name(name)
        current = _current(session, question.id)
        chosen = list(dict.fromkeys(keys))
        if any(k not in current or current[k].split for k in chosen):
            raise Invalid([Problem("groups", Issue.WRITE_INS_CHANGED)])
        groups = [current[k] for k in chosen]
        renaming = len(groups) == 1 and groups[0].join_id is not None and label
        if len(groups) < 2 and not renaming:
            raise Invalid([Problem("groups", Issue.TOO_FEW_GROUPS)])
        absorbed = [session.get(WriteInJoin, g.join_id) for g in groups if g.join_id is not None]
        merged = {k for g in groups for k in g.parts}
        for row in absorbed:
            if row is not None:
                merged |= set(row.keys)
                session.delete(row)
        session.add(WriteInJoin(question_id=question.id, label=label, keys=sorted(merged)))
        audit.record(
            session,
            Action.WRITE_INS_GROUPED,
            actor_id=actor_id,
            consultation_id=consultation_id,
            question=number,
            group=[g.label for g in groups],
            name=label,
        )


def unjoin(consultation_id: int, question_id: int, join_id: int, *, actor_id: int) -> None:
    """Split a joined group back into its automatic groups."""
    with write_transaction(db.session) as session:
        question, number = _question(session, consultation_id, question_id)
        row = session.get(WriteInJoin, join_id)
        if row is None or row.question_id != question.id:
            raise Invalid([Problem("groups", Issue.WRITE_INS_CHANGED)])
        label = next(
            (g.label for g in _current(session, question.id).values() if g.join_id == join_id),
            row.label,
        )
        session.delete(row)
        audit.record(
            session,
            Action.WRITE_INS_SPLIT,
            actor_id=actor_id,
            consultation_id=consultation_id,
            question=number,
            group=label,
        )


def split(
    consultation_id: int, question_id: int, member_id: int, key: str, *, actor_id: int
) -> None:
    """Take ``member_id``'s suggestion (automatic key ``key``) out of its group: it stands
    alone until put back."""
    with write_transaction(db.session) as session:
        question, number = _question(session, consultation_id, question_id)
        group = next(
            (
                g
                for g in _current(session, question.id).values()
                if not g.split
                and any(e.member_id == member_id for e in g.entries)
                and key in g.parts
            ),
            None,
        )
        entry = next(
            (e for e in group.entries if e.member_id == member_id) if group else iter(()), None
        )
        if group is None or entry is None:
            raise Invalid([Problem("groups", Issue.WRITE_INS_CHANGED)])
        if group.count < 2:
            raise Invalid([Problem("groups", Issue.WRITE_IN_ALONE)])
        session.add(WriteInSplit(question_id=question.id, member_id=member_id, key=key))
        audit.record(
            session,
            Action.WRITE_INS_SPLIT,
            actor_id=actor_id,
            consultation_id=consultation_id,
            member_id=member_id,
            question=number,
            group=group.label,
            texts=[entry.text],
        )


def restore(
    consultation_id: int, question_id: int, member_id: int, key: str, *, actor_id: int
) -> None:
    """Put a suggestion split out back into the group its key belongs to."""
    with write_transaction(db.session) as session:
        question, number = _question(session, consultation_id, question_id)
        row = session.scalar(
            sa.select(WriteInSplit).where(
                WriteInSplit.question_id == question.id,
                WriteInSplit.member_id == member_id,
                WriteInSplit.key == key,
            )
        )
        if row is None:
            raise Invalid([Problem("groups", Issue.WRITE_INS_CHANGED)])
        session.delete(row)
        session.flush()
        back = next(
            (
                g.label
                for g in _current(session, question.id).values()
                if key in g.parts and member_id in g.member_ids
            ),
            key,
        )
        audit.record(
            session,
            Action.WRITE_INS_GROUPED,
            actor_id=actor_id,
            consultation_id=consultation_id,
            member_id=member_id,
            question=number,
            group=back,
        )
