"""Saving a member's response: drafts and submissions, all or nothing."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from consult.auth.models import User
from consult.ballots import entries, revisions
from consult.ballots.entries import Entered
from consult.ballots.models import Answer, Response, ResponseStatus, Revision
from consult.ballots.receipt_mail import queue_receipts
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
from consult.ballots.specs import Kinded, ballot_spec, may_answer
from consult.consultations.lifecycle import Phase, Status
from consult.consultations.models import Consultation, Question, invitation
from consult.core import audit, clock
from consult.core.actions import Action
from consult.core.anchors import Head
from consult.core.database import write_transaction
from consult.extensions import db
from consult.members.models import Member, MemberKind


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
    """The consultation with its questions and options (one statement)."""
    return (
        db.session.scalars(
            _with_structure(sa.select(Consultation)).where(Consultation.slug == slug)
        )
        .unique()
        .first()
    )


def visible_consultation(
    slug: str, member_id: int, *, structure: bool = True
) -> Consultation | None:
    """The consultation with its questions and options (unless ``structure`` is False) if the
    member is invited to it and it is not a draft (one statement); None otherwise."""
    query = sa.select(Consultation, _invited(member_id)).where(Consultation.slug == slug)
    row = db.session.execute(_with_structure(query) if structure else query).unique().first()
    if row is None or row[0].status is Status.DRAFT or not row[1]:
        return None
    return row[0]


def _with_structure(query: sa.Select) -> sa.Select:
    return query.options(joinedload(Consultation.questions).joinedload(Question.options))


def _invited(member_id: int | sa.BindParameter[int]) -> sa.Exists:
    return sa.exists().where(
        invitation.c.consultation_id == Consultation.id, invitation.c.member_id == member_id
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


def form_values(response: Response | None, latest: Revision | None = None) -> dict[str, list[str]]:
    """What the page shows: the pending draft if any, else the submitted ballot (``latest``:
    the response's latest revision, when the caller has read it)."""
    if response is None:
        return {}
    if response.draft is not None:
        return {k: list(v) for k, v in response.draft.items()}
    if not response.revision:
        return {}
    if latest is None or latest.number != response.revision:
        latest = latest_revision(response)
    return ballot_to_form(ballot_from_canonical(latest.content)) if latest else {}


class Missing(BallotError):
    """No such consultation for the member: unknown, a draft, or the member is not invited."""


def save(
    consultation: Consultation,
    user: User,
    form: Form,
    *,
    submit: bool,
    base_version: int,
    token: str,
    entry: Entered | None = None,
) -> Saved | list:
    """Save the member's response to ``consultation`` as the caller read it: the ballot is
    checked against its questions and options, and if what is stored differs when the save
    runs, :class:`Changed` is raised and nothing is written. See :func:`save_ballot`."""
    member = entry.member if entry is not None else user.member
    assert member is not None  # noqa: S101 - guaranteed by delegate_required
    expected = _spec_structure(ballot_spec(consultation, member))
    return save_ballot(
        consultation.slug,
        user,
        form,
        submit=submit,
        base_version=base_version,
        token=token,
        expected=expected,
        entry=entry,
    )


def save_ballot(
    slug: str,
    user: User,
    form: Form,
    *,
    submit: bool,
    base_version: int,
    token: str,
    expected: frozenset[tuple[object, ...]] | None = None,
    entry: Entered | None = None,
) -> Saved | list:
    """Validate and store the member's response in one transaction.

    The consultation, its questions and options are read inside the transaction and the
    ballot is checked against them (with ``expected``, the structure the caller checked
    against: :class:`Changed` when it differs). Returns the field errors (and writes nothing)
    when the ballot is invalid. Raises :class:`Missing`, :class:`NotInvited`, :class:`Closed`
    or :class:`Stale`; any database error rolls the whole save back (response, answers,
    revision, audit event and receipts are written together or not at all).

    ``entry``: the secretariat submits for ``entry.member`` (``user`` is the administrator);
    its provenance is recorded with the revision, and after the deadline it is admitted only
    as a late entry (:func:`consult.ballots.entries.admits_late`).

    The response is read and written as plain rows (no ORM object to flush); the receipt
    e-mails are queued for the mail worker to write (:mod:`consult.ballots.receipt_mail`).
    """
    member_id = entry.member.id if entry is not None else user.member_id
    user_id = user.id
    assert member_id is not None  # noqa: S101 - guaranteed by delegate_required
    assert entry is None or submit  # noqa: S101 - an entry is always a submission
    with write_transaction(db.session) as session, session.no_autoflush:
        consultation, kind = _lock_consultation(session, slug, member_id)
        member: Kinded = entry.member if entry is not None else _Member(kind)
        if not may_answer(consultation, member):
            raise NotInvited
        spec = ballot_spec(consultation, member)
        if expected is not None and _spec_structure(spec) != expected:
            raise Changed
        current_phase = consultation.phase(clock.now())
        if current_phase is Phase.NOT_YET_OPEN:
            raise NotInvited
        late = current_phase is Phase.CLOSED
        if late and not entries.admits_late(entry, consultation.status, consultation.closes_at):
            raise Closed
        ballot, errors = parse_ballot(spec, form, final=submit)
        if errors:
            return errors
        stored = _lock_response(session, consultation.id, member_id)
        if token and stored.last_token == token and stored.version == base_version + 1:
            # The same form sent twice (double click, reload after POST): write once.
            return Saved(
                stored.status is ResponseStatus.SUBMITTED and stored.draft is None,
                stored.receipt,
                stored.revision,
                stored.version,
            )
        if stored.version != base_version:
            raise Stale(_name_of(session, stored.updated_by_id), stored.updated_at)
        now = clock.now()
        head = Head(stored.audit_seq, stored.audit_digest)
        version = stored.version + 1
        changes: dict[str, object] = {
            "version": version,
            "last_token": token or None,
            "updated_at": now,
            "updated_by_id": user_id,
        }
        if not submit:
            changes["draft"] = draft_fields(spec, form, ballot.discarded)
            _update_response(session, stored.id, changes)
            audit.record(
                session,
                Action.DRAFT_SAVED,
                actor_id=user_id,
                consultation_id=consultation.id,
                member_id=member_id,
                flush=False,
                last=head,
                version=version,
            )
            return Saved(False, None, stored.revision, version, ballot.discarded)
        _replace_answers(session, stored.id, ballot, had_answers=stored.revision > 0)
        revision = revisions.append(
            session,
            revisions.Chain(stored.id, consultation.id, member_id, stored.revision, stored.digest),
            ballot.canonical(),
            user_id=user_id,
            now=now,
            last=head,
            details=entry.details(late=late) if entry is not None else None,
        )
        changes |= {
            "status": ResponseStatus.SUBMITTED,
            "submitted_at": now,
            "submitted_by_id": user_id,
            "comment": ballot.comment,
            "draft": None,
            "revision": revision.number,
            "receipt": revision.receipt,
        }
        _update_response(session, stored.id, changes)
        if entry is not None:
            entries.write(
                session,
                entry,
                response_id=stored.id,
                revision=revision.number,
                user_id=user_id,
                now=now,
                late=late,
            )
        queue_receipts(
            session, consultation_id=consultation.id, member_id=member_id, revision_id=revision.id
        )
        return Saved(True, revision.receipt, revision.number, version, ballot.discarded)


@dataclass(frozen=True)
class _Member:
    """The member's kind, read with the consultation (all the rules ask of the member)."""

    kind: MemberKind


def _lock_consultation(
    session: sa.orm.Session, slug: str, member_id: int
) -> tuple[Consultation, MemberKind]:
    """The consultation with its questions and options as stored now, which cannot change
    until this transaction ends, and the member's kind: the builder holds the consultation's
    row FOR UPDATE while it changes questions, so PostgreSQL takes it FOR SHARE first and reads
    the structure in the next statement (a statement that waited for the lock would see the
    questions as they were before), with the audit trail's lock (taken after the
    consultation's, as every writer of the trail does); SQLite's writers are already
    serialised by ``BEGIN IMMEDIATE``."""
    statements = _consultation_statements(session.get_bind().dialect.name)
    params = {"slug": slug, "member_id": member_id}
    for lock in statements[1:]:
        session.execute(lock, params)
    row = session.execute(statements[0], params).unique().first()
    if row is None or row[0].status is Status.DRAFT or not row[1] or row[2] is None:
        raise Missing
    return row[0], MemberKind(row[2])


@functools.cache
def _consultation_statements(dialect: str) -> tuple[sa.Executable, ...]:
    """The read of :func:`_lock_consultation`, then PostgreSQL's lock before it: built once
    (with bound parameters ``slug`` and ``member_id``), not on every save."""
    slug: sa.BindParameter[str] = sa.bindparam("slug")
    member_id: sa.BindParameter[int] = sa.bindparam("member_id")
    kind = sa.select(Member.kind).where(Member.id == member_id).scalar_subquery()
    if dialect != "postgresql":
        return (_structure(sa.select(Consultation, _invited(member_id), kind), slug),)
    # The consultation held first (FOR SHARE), then its structure read with the audit trail's
    # lock, so that the response's row, read next, comes with the trail's head.
    read = sa.select(Consultation, _invited(member_id), kind, audit.chain_lock())
    return _structure(read, slug), sa.select(Consultation.id).where(
        Consultation.slug == slug
    ).with_for_update(read=True)


def _structure(query: sa.Select, slug: sa.BindParameter[str]) -> sa.Select:
    return (
        _with_structure(query)
        .where(Consultation.slug == slug)
        .execution_options(populate_existing=True)
    )


def _spec_structure(spec: BallotSpec) -> frozenset[tuple[object, ...]]:
    """Every question's kind, rules and options, apart from who answers."""
    return frozenset(
        (repr(replace(q, label="", options=(), may_vote=True)), option_id)
        for q in spec.questions
        for option_id in (q.option_ids or (None,))
    )


_response = cast(sa.Table, Response.__table__)


def _lock_response(session: sa.orm.Session, consultation_id: int, member_id: int) -> sa.Row:
    """The member's response row, created if missing, locked for this transaction, with the
    digest of its latest revision (None before the first) and the head of the audit trail
    (``audit_seq``, ``audit_digest``), which stays the head until the commit: SQLite's writers
    are serialised by ``BEGIN IMMEDIATE``, PostgreSQL's by the trail's lock, taken with the
    consultation's structure in the statement before (:func:`_lock_consultation`).

    ``INSERT … ON CONFLICT DO NOTHING`` makes concurrent first submissions converge on the one
    row the unique constraint allows; ``FOR UPDATE`` then serialises writers on PostgreSQL
    (SQLite is already serialised by ``BEGIN IMMEDIATE``).
    """
    dialect = session.get_bind().dialect.name
    params = {"consultation_id": consultation_id, "member_id": member_id}
    query = _response_statement(dialect)
    row = session.execute(query, params).first()
    if row is None:
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
        row = session.execute(query, params).one()
    return row


@functools.cache
def _response_statement(_dialect: str) -> sa.Select:
    """The read of :func:`_lock_response`, built once (bound parameters ``consultation_id``
    and ``member_id``)."""
    r = _response.c
    return (
        sa.select(
            r.id,
            r.status,
            r.version,
            r.revision,
            r.receipt,
            r.last_token,
            r.draft,
            r.updated_at,
            r.updated_by_id,
            Revision.digest,
            *audit.head_columns(),
        )
        .select_from(_response)
        .outerjoin(Revision, sa.and_(Revision.response_id == r.id, Revision.number == r.revision))
        .where(
            r.consultation_id == sa.bindparam("consultation_id"),
            r.member_id == sa.bindparam("member_id"),
        )
        .with_for_update(of=_response)
    )


#: The response's new values are the statement's parameters, with ``response_key``.
_UPDATE_RESPONSE = sa.update(_response).where(_response.c.id == sa.bindparam("response_key"))
_DELETE_ANSWERS = sa.delete(Answer).where(Answer.response_id == sa.bindparam("response_id"))
_INSERT_ANSWERS = sa.insert(cast(sa.Table, Answer.__table__))


def _update_response(session: sa.orm.Session, response_id: int, changes: dict[str, object]) -> None:
    session.connection().execute(_UPDATE_RESPONSE, {**changes, "response_key": response_id})


def _name_of(session: sa.orm.Session, user_id: int | None) -> str:
    """Who changed the response last, for :class:`Stale`."""
    name = session.scalar(sa.select(User.name).where(User.id == user_id)) if user_id else None
    return name or "?"


def _replace_answers(
    session: sa.orm.Session, response_id: int, ballot: Ballot, *, had_answers: bool
) -> None:
    connection = session.connection()  # Core statements of plain rows: no ORM processing
    if had_answers:  # answers are written by submissions only
        connection.execute(_DELETE_ANSWERS, {"response_id": response_id})
    # Each ranking's first-ranked row also carries the whole ranking (``Answer.ranking_key``).
    keys: dict[tuple[int, int | None], str] = {
        (a.question_id, a.ranking[0]): ",".join(map(str, a.ranking))
        for a in ballot.answers
        if a.ranking
    }
    rows = [
        {
            "response_id": response_id,
            **dict(zip(ANSWER_COLUMNS, row, strict=True)),
            "ranking_key": keys.get((row[0], row[1])) if row[2] == 1 else None,
        }
        for row in answer_rows(ballot)
    ]
    if rows:
        connection.execute(_INSERT_ANSWERS, rows)
