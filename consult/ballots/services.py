"""Saving a member's response: drafts and submissions, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from consult.auth.models import User
from consult.ballots import revisions
from consult.ballots.models import Answer, Response, ResponseStatus, Revision
from consult.ballots.rules import (
    ANSWER_COLUMNS,
    Ballot,
    BallotSpec,
    Form,
    answer_rows,
    ballot_from_canonical,
    ballot_to_form,
    draft_fields,
    parse_ballot,
)
from consult.ballots.specs import ballot_spec, may_answer, question_spec
from consult.consultations.lifecycle import Phase, phase
from consult.consultations.models import Consultation, Question, invitation
from consult.core import audit, clock
from consult.core.database import write_transaction
from consult.extensions import db
from consult.mail.receipts import queue_receipts


class BallotError(Exception):
    """A save refused for a reason the delegate must be told."""


class NotInvited(BallotError):
    """The member is not invited, the consultation is a draft, or observers may not answer."""


class Closed(BallotError):
    """The deadline has passed (on the server's clock, checked inside the transaction)."""


class Changed(BallotError):
    """The Administration changed the questions or options after the form was checked."""


@dataclass
class Stale(BallotError):
    """The response changed since the delegate opened the form."""

    by: str
    at: datetime


@dataclass(frozen=True)
class Saved:
    submitted: bool
    receipt: str | None
    revision: int
    version: int
    #: Questions answered although their condition was not met: the answers were dropped.
    discarded: tuple[int, ...] = ()


def load_consultation(slug: str) -> Consultation | None:
    return db.session.scalar(
        sa.select(Consultation)
        .where(Consultation.slug == slug)
        .options(selectinload(Consultation.questions).selectinload(Question.options))
    )


def is_invited(consultation: Consultation, member_id: int) -> bool:
    return bool(
        db.session.scalar(
            sa.select(sa.literal(1)).where(
                invitation.c.consultation_id == consultation.id,
                invitation.c.member_id == member_id,
            )
        )
    )


def current_response(consultation_id: int, member_id: int) -> Response | None:
    return db.session.scalar(
        sa.select(Response).where(
            Response.consultation_id == consultation_id, Response.member_id == member_id
        )
    )


def latest_revision(response: Response) -> Revision | None:
    return db.session.scalar(
        sa.select(Revision).where(
            Revision.response_id == response.id, Revision.number == response.revision
        )
    )


def form_values(response: Response | None) -> dict[str, list[str]]:
    """What the page shows: the pending draft if any, else the submitted ballot."""
    if response is None:
        return {}
    if response.draft is not None:
        return {k: list(v) for k, v in response.draft.items()}
    revision = latest_revision(response) if response.revision else None
    return ballot_to_form(ballot_from_canonical(revision.content)) if revision else {}


def save(
    consultation: Consultation,
    user: User,
    form: Form,
    *,
    submit: bool,
    base_version: int,
    token: str,
) -> Saved | list:
    """Validate and store the member's response in one transaction.

    Returns the field errors (and writes nothing) when the ballot is invalid. Raises
    :class:`NotInvited`, :class:`Closed` or :class:`Stale`; any database error rolls the whole
    save back (response, answers, revision and audit event are written together or not at all).
    """
    member = user.member
    assert member is not None  # noqa: S101 - guaranteed by delegate_required
    if not may_answer(consultation, member):
        raise NotInvited
    spec = ballot_spec(consultation, member)
    ballot, errors = parse_ballot(spec, form, final=submit)
    if errors:
        return errors
    member_id, consultation_id, user_id = member.id, consultation.id, user.id
    # No autoflush: the response row is not written again before each statement that follows
    # a change to it, only when the audit event and at the commit.
    with write_transaction(db.session) as session, session.no_autoflush:
        # FOR SHARE (PostgreSQL): the builder holds the row FOR UPDATE while it changes
        # questions, so the structure read below cannot change until this save commits.
        # One statement for the consultation's state and the member's invitation; the
        # consultation object, expired when the transaction began, is not touched (touching
        # it would load it again with its questions and options).
        status, opens_at, closes_at, invited = session.execute(
            sa.select(
                Consultation.status,
                Consultation.opens_at,
                Consultation.closes_at,
                sa.exists().where(
                    invitation.c.consultation_id == Consultation.id,
                    invitation.c.member_id == member_id,
                ),
            )
            .where(Consultation.id == consultation_id)
            .with_for_update(read=True, of=Consultation)
        ).one()
        if not invited:
            raise NotInvited
        if _structure(session, consultation_id) != _spec_structure(spec):
            raise Changed
        current_phase = phase(status, opens_at, closes_at, clock.now())
        if current_phase is Phase.NOT_YET_OPEN:
            raise NotInvited
        if current_phase is Phase.CLOSED:
            raise Closed
        response = _lock_response(session, consultation_id, member_id)
        if token and response.last_token == token and response.version == base_version + 1:
            # The same form sent twice (double click, reload after POST): write once.
            return Saved(
                response.status is ResponseStatus.SUBMITTED and response.draft is None,
                response.receipt,
                response.revision,
                response.version,
            )
        if response.version != base_version:
            author = response.updated_by.name if response.updated_by else "?"
            raise Stale(author, response.updated_at)
        now = clock.now()
        response.version += 1
        response.last_token = token or None
        response.updated_at = now
        response.updated_by_id = user_id
        if not submit:
            response.draft = draft_fields(spec, form)
            audit.record(
                session,
                "draft_saved",
                actor_id=user_id,
                consultation_id=consultation_id,
                member_id=member_id,
                version=response.version,
            )
            return Saved(False, None, response.revision, response.version, ballot.discarded)
        _replace_answers(session, response, ballot)
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = now
        response.submitted_by_id = user_id
        response.comment = ballot.comment
        response.draft = None
        revision = revisions.append(session, response, ballot.canonical(), user_id=user_id, now=now)
        queue_receipts(
            session,
            consultation_id=consultation_id,
            member_id=member_id,
            submitted_by_id=user_id,
            revision=revision.number,
            receipt=revision.receipt,
            at=now,
            head=revision.audit_head,
        )
        return Saved(True, revision.receipt, revision.number, response.version, ballot.discarded)


def _structure(session: sa.orm.Session, consultation_id: int) -> frozenset[tuple[object, ...]]:
    """What the ballot was checked against, as stored now: questions, their rules, options."""
    questions = session.scalars(
        sa.select(Question)
        .where(Question.consultation_id == consultation_id)
        .options(selectinload(Question.options))
        .execution_options(populate_existing=True)
    )
    return _spec_structure(BallotSpec(tuple(question_spec(q, may_vote=True) for q in questions)))


def _spec_structure(spec: BallotSpec) -> frozenset[tuple[object, ...]]:
    """Every question's kind, rules and options, apart from who answers."""
    return frozenset(
        (repr(replace(q, label="", options=(), may_vote=True)), option_id)
        for q in spec.questions
        for option_id in (q.option_ids or (None,))
    )


def _lock_response(session: sa.orm.Session, consultation_id: int, member_id: int) -> Response:
    """The member's response row, created if missing, locked for this transaction.

    ``INSERT … ON CONFLICT DO NOTHING`` makes concurrent first submissions converge on the one
    row the unique constraint allows; ``FOR UPDATE`` then serialises writers on PostgreSQL
    (SQLite is already serialised by ``BEGIN IMMEDIATE``).
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(Response)
        .values(
            consultation_id=consultation_id,
            member_id=member_id,
            status=ResponseStatus.DRAFT,
            version=0,
            revision=0,
            comment="",
            updated_at=clock.now(),
        )
        .on_conflict_do_nothing(index_elements=["consultation_id", "member_id"])
    )
    return session.scalars(
        sa.select(Response)
        .where(Response.consultation_id == consultation_id, Response.member_id == member_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _replace_answers(session: sa.orm.Session, response: Response, ballot: Ballot) -> None:
    session.execute(sa.delete(Answer).where(Answer.response_id == response.id))
    rows = [
        {"response_id": response.id, **dict(zip(ANSWER_COLUMNS, row, strict=True))}
        for row in answer_rows(ballot)
    ]
    if rows:
        session.execute(sa.insert(Answer), rows)
    session.expire(response, ["answers"])
