"""Saving a member's response: drafts and submissions, all or nothing."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, NamedTuple, Protocol, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from consult.auth.models import User
from consult.ballots import entries, receipt_mail, revisions
from consult.ballots.entries import Entered
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
from consult.ballots.specs import Kinded, ballot_spec, may_answer, member_may_vote, structure_spec
from consult.consultations import structure
from consult.consultations.enums import ObserversMay
from consult.consultations.lifecycle import Phase, Status, phase
from consult.consultations.models import Consultation, Question, invitation
from consult.core import audit, clock
from consult.core.actions import Action
from consult.core.anchors import Head
from consult.core.database import Prepared, commit_with, run_together, write_transaction
from consult.core.kept import Kept
from consult.extensions import db
from consult.members.models import Member, MemberKind


class Author(Protocol):
    """Who saves: the signed-in account (``auth.current.SignedIn``) or a ``User``; its
    member answers, unless the secretariat enters the response for another."""

    @property
    def id(self) -> int: ...

    @property
    def member_id(self) -> int | None: ...

    @property
    def member(self) -> Kinded | None: ...


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
    user: Author,
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
    user: Author,
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

    Everything is read in one statement (on PostgreSQL after the one that takes the locks,
    sent with it: :func:`_read`) and written as plain rows with statements built once
    (:func:`_write`): on PostgreSQL in one statement, sent with the COMMIT; on both engines
    the answers given again as they were are left as they are; the receipt e-mails are
    queued for the mail worker to write (:mod:`consult.ballots.receipt_mail`).
    """
    member_id = entry.member.id if entry is not None else user.member_id
    user_id = user.id
    assert member_id is not None  # noqa: S101 - guaranteed by delegate_required
    assert entry is None or submit  # noqa: S101 - an entry is always a submission
    early = _parse_early(slug, entry.member if entry is not None else user.member, form, submit)
    with write_transaction(db.session) as session, session.no_autoflush:
        consultation, kind, stored = _read(session, slug, member_id, submit=submit)
        member: Kinded = entry.member if entry is not None else _Member(kind)
        if not may_answer(consultation, member):
            raise NotInvited
        may_vote = member_may_vote(consultation, member)
        parsed = early
        if parsed is None or parsed.key != (
            consultation.id,
            consultation.structure_version,
            may_vote,
        ):
            kept = structure.current(consultation.id, consultation.structure_version)
            parsed = _parse(consultation, kept, may_vote, form, submit)
            _seen.keep(slug, (consultation, kept))
        spec = parsed.spec
        if expected is not None and _spec_structure(spec) != expected:
            raise Changed
        current_phase = phase(
            consultation.status, consultation.opens_at, consultation.closes_at, clock.now()
        )
        if current_phase is Phase.NOT_YET_OPEN:
            raise NotInvited
        late = current_phase is Phase.CLOSED
        if late and not entries.admits_late(entry, consultation.status, consultation.closes_at):
            raise Closed
        ballot, errors = parsed.ballot, parsed.errors
        if errors:
            return errors
        if stored is None:
            stored = _created(session, consultation.id, slug, member_id, submit=submit)
        if token and stored.last_token == token and stored.version == base_version + 1:
            # The same form sent twice (double click, reload after POST): write once.
            return Saved(
                stored.status is ResponseStatus.SUBMITTED and not stored.has_draft,
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
            event = audit.event_row(
                Action.DRAFT_SAVED,
                last=head,
                actor_id=user_id,
                consultation_id=consultation.id,
                member_id=member_id,
                details={"version": version},
            )
            _write(session, _Written(stored, changes, event, last=True))
            return Saved(False, None, stored.revision, version, ballot.discarded)
        appended = revisions.next_revision(
            revisions.Chain(stored.id, consultation.id, member_id, stored.revision, stored.digest),
            parsed.canonical,
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
            "revision": appended.number,
            "receipt": appended.receipt,
        }
        written = _Written(
            stored,
            changes,
            appended.event,
            appended,
            parsed.answers,
            consultation.id,
            last=entry is None,  # an entry's provenance is written next
        )
        revision_id = _write(session, written)
        if entry is not None:
            entries.write(
                session,
                entry,
                response_id=stored.id,
                revision=appended.number,
                user_id=user_id,
                now=now,
                late=late,
            )
        receipt_mail.queued(revision_id)
        return Saved(True, appended.receipt, appended.number, version, ballot.discarded)


#: The consultation's row as a save of this process read it last, with its kept structure,
#: by slug: what :func:`_parse_early` expects to find (checked under the lock).
_seen: Kept[str, tuple[_Consulted, structure.Structure]] = Kept(1024)


@dataclass(frozen=True)
class _Parsed:
    """A ballot checked against the rules of one structure version, for a member that may
    vote or not (``key``: the consultation's id, that version and whether the member may
    vote), with what the write needs of it."""

    key: tuple[int, int, bool]
    spec: BallotSpec
    ballot: Ballot
    errors: list
    canonical: Any = None
    answers: list[dict[str, Any]] | None = None


def _parse(
    consultation: _Consulted, kept: structure.Structure, may_vote: bool, form: Form, submit: bool
) -> _Parsed:
    """``form`` checked against ``kept``, the structure of ``consultation``'s row (read in
    this transaction, or by an earlier save: :func:`_parse_early`)."""
    spec = structure_spec(kept, may_vote=may_vote)
    ballot, errors = parse_ballot(spec, form, final=submit)
    key = (consultation.id, consultation.structure_version, may_vote)
    if errors or not submit:
        return _Parsed(key, spec, ballot, errors)
    return _Parsed(key, spec, ballot, errors, ballot.canonical(), _answers(ballot))


def _parse_early(slug: str, member: Kinded | None, form: Form, submit: bool) -> _Parsed | None:
    """The ballot parsed before the write lock (the lock is then held for the reads and
    writes alone): against the structure version this process saw last for ``slug``, for
    the member's kind as signed in. :func:`save_ballot` uses it only if the row it reads
    under the lock has the same id, structure version and rule on observers' votes (and the
    member the same kind); otherwise it parses again. Nothing is read here."""
    seen = _seen.get(slug)
    if seen is None or member is None:
        return None
    consultation, kept = seen
    return _parse(consultation, kept, member_may_vote(consultation, member), form, submit)


@dataclass(frozen=True, slots=True)
class _Member:
    """The member's kind, read with the consultation (all the rules ask of the member)."""

    kind: MemberKind


class _Consulted(NamedTuple):
    """The consultation's columns that a save reads (its questions and options are the
    structure kept for ``structure_version``: :mod:`consult.consultations.structure`)."""

    id: int
    status: Status
    opens_at: datetime | None
    closes_at: datetime
    observers_may: ObserversMay
    structure_version: int


_CONSULTED = tuple(_Consulted._fields)


def _spec_structure(spec: BallotSpec) -> frozenset[tuple[object, ...]]:
    """Every question's kind, rules and options, apart from who answers."""
    return frozenset(
        (repr(replace(q, label="", options=(), may_vote=True)), option_id)
        for q in spec.questions
        for option_id in (q.option_ids or (None,))
    )


_consultation = cast(sa.Table, Consultation.__table__)
_response = cast(sa.Table, Response.__table__)
_answer = cast(sa.Table, Answer.__table__)
_event = cast(sa.Table, audit.AuditEvent.__table__)


class _Stored(NamedTuple):
    """The member's response as :func:`_read` found it, with the digest of its latest
    revision (None before the first), the head of the audit trail, and on PostgreSQL the id
    its next revision will take."""

    id: int
    status: ResponseStatus
    version: int
    revision: int
    receipt: str | None
    last_token: str | None
    has_draft: bool
    updated_at: datetime
    updated_by_id: int | None
    digest: str | None
    audit_seq: int
    audit_digest: str
    next_revision_id: int | None


def _read(
    session: sa.orm.Session, slug: str, member_id: int, *, submit: bool
) -> tuple[_Consulted, MemberKind, _Stored | None]:
    """The consultation's row (:class:`_Consulted`), the member's kind and response
    (None before the member's first save: see :func:`_created`), the latest revision's digest
    and the audit trail's head, which stay as read until this transaction ends.

    SQLite's writers are serialised by ``BEGIN IMMEDIATE``. PostgreSQL first holds the
    consultation (FOR SHARE: the builder holds it FOR UPDATE while it changes questions) and
    then the audit trail's lock (in that order, as every writer of the trail takes them), in
    one statement, and reads in the next one (a statement that waited for a lock would see
    the rows as they were before), both sent in one round trip (:func:`run_together`: the
    server reads as soon as it has the locks): every writer of a response writes the trail,
    so the response too stays as read (its update checks the version all the same, and
    nothing is written if it changed)."""
    connection = session.connection()
    dialect = connection.dialect.name
    params = {"slug": slug, "member_id": member_id}
    read = _read_statement(dialect, submit)
    if dialect == "postgresql":
        row = read.first_of(
            connection, run_together(connection, [(_LOCK, params), (read, params)])[1]
        )
    else:
        row = read.first(connection, params)
    if row is None:
        raise Missing
    consulted = _Consulted(*row[:_INVITED])
    invited, kind = row[_INVITED], row[_INVITED + 1]
    if consulted.status is Status.DRAFT or not invited or kind is None:
        raise Missing
    return consulted, MemberKind(kind), _stored(row)


#: The positions in :func:`_read_statement`'s row: the consultation's columns, then whether
#: the member is invited, its kind, and the response (:class:`_Stored`).
_INVITED = len(_CONSULTED)
_STORED = _INVITED + 2


def _stored(row: tuple[Any, ...]) -> _Stored | None:
    if row[_STORED] is None:
        return None
    found = tuple(row[_STORED:])  # the id of the next revision is read on PostgreSQL only
    return _Stored(*found, *(None,) * (len(_Stored._fields) - len(found)))


def _created(
    session: sa.orm.Session, consultation_id: int, slug: str, member_id: int, *, submit: bool
) -> _Stored:
    """The member's first save: the response's row created, then read as :func:`_read` does.

    ``INSERT … ON CONFLICT DO NOTHING`` makes concurrent first saves converge on the one row
    the unique constraint allows."""
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
    params = {"slug": slug, "member_id": member_id}
    row = _read_statement(dialect, submit).first(session.connection(), params)
    stored = _stored(row) if row is not None else None
    assert stored is not None  # noqa: S101 - just written
    return stored


#: PostgreSQL: the consultation held FOR SHARE, then the audit trail's lock (the subquery's
#: rows are locked before the outer select calls the function on them).
_LOCK = Prepared(
    sa.select(audit.chain_lock()).select_from(
        sa.select(Consultation.id)
        .where(Consultation.slug == sa.bindparam("slug"))
        .with_for_update(read=True)
        .subquery()
    )
)


@functools.cache
def _read_statement(dialect: str, submit: bool) -> Prepared:
    """The read of :func:`_read`, built once (bound parameters ``slug`` and ``member_id``):
    plain columns, no ORM object built."""
    member_id: sa.BindParameter[int] = sa.bindparam("member_id")
    kind = sa.select(Member.kind).where(Member.id == member_id).scalar_subquery()
    r = _response.c
    draft = sa.func.coalesce(sa.cast(r.draft, sa.Text), "null") != "null"  # JSON null: none
    columns: list[Any] = [
        *(_consultation.c[name] for name in _CONSULTED),
        _invited(member_id),
        kind,
        r.id.label("response_id"),
        r.status,
        r.version,
        r.revision,
        r.receipt,
        r.last_token,
        draft.label("has_draft"),
        r.updated_at,
        r.updated_by_id,
        revisions.TABLE.c.digest,
        *audit.head_columns(),
    ]
    if dialect == "postgresql" and submit:
        sequence = sa.cast(sa.func.pg_get_serial_sequence("revision", "id"), postgresql.REGCLASS)
        columns.append(sa.select(sa.func.nextval(sequence)).scalar_subquery().label("next_id"))
    revision = revisions.TABLE.c
    return Prepared(
        sa.select(*columns)
        .select_from(_consultation)
        .outerjoin(
            _response, sa.and_(r.consultation_id == _consultation.c.id, r.member_id == member_id)
        )
        .outerjoin(
            revisions.TABLE, sa.and_(revision.response_id == r.id, revision.number == r.revision)
        )
        .where(_consultation.c.slug == sa.bindparam("slug"))
    )


@dataclass(frozen=True)
class _Written:
    """What a save writes: the response's new values and the audit event; for a submission,
    the revision and the answers (the rows of :data:`_ANSWER_FIELDS`)."""

    stored: _Stored
    changes: dict[str, object]
    event: dict[str, Any]
    revision: revisions.Next | None = None
    answers: list[dict[str, Any]] | None = None
    consultation_id: int | None = None
    #: Nothing more is written in the transaction: it commits with its last statement
    #: (:func:`consult.core.database.commit_with`; on PostgreSQL in the same round trip), and
    #: the locks taken by :func:`_read` are released when the server has written.
    last: bool = False


def _write(session: sa.orm.Session, written: _Written) -> int:
    """Write ``written`` (:class:`Stale` if the response changed meanwhile): on PostgreSQL in
    one statement of data-modifying WITH queries (:func:`_write_select`, sent with the COMMIT
    when ``written.last``), on SQLite one statement per table. The id of the revision written
    (0 for a draft)."""
    stored, submit = written.stored, written.revision is not None
    params: dict[str, Any] = {f"response_{k}": v for k, v in written.changes.items()}
    params |= {"response_key": stored.id, "response_was": stored.version}
    params |= {f"event_{k}": v for k, v in written.event.items()}
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    queue: dict[str, Any] = {}
    revision_id = 0
    if written.revision is not None:
        assert written.consultation_id is not None  # noqa: S101 - given with the revision
        params |= {f"revision_{k}": v for k, v in written.revision.revision.items()}
        if postgres:
            assert stored.next_revision_id is not None  # noqa: S101 - read for a submission
            revision_id = stored.next_revision_id
            params |= {"revision_id": revision_id, "answers": written.answers}
        queue = receipt_mail.queue_params(
            consultation_id=written.consultation_id,
            member_id=written.event["member_id"],
            revision_id=revision_id,
        )
    if postgres:
        params |= {f"receipt_{k}": v for k, v in queue.items()}
        run = [(_write_statement(submit), params)]
        ran = commit_with(session, run) if written.last else run_together(connection, run)
        updated = ran[0].fetchone()[0]
        if not updated:
            raise Stale(_name_of(session, stored.updated_by_id), stored.updated_at)
        return revision_id
    # SQLite: the revision first, then its answers, replaced where they differ (the view
    # ``answers_given``'s trigger: an answer given again as it was keeps its row).
    if written.revision is not None:
        revision_id = queue["item_id"] = _INSERT_REVISION.run(connection, params).lastrowid
        given = {"response_id": stored.id, "answers": _given_rows(written.answers or [])}
        _GIVE_ANSWERS.run(connection, given)
    if _update_prepared(submit).run(connection, params).rowcount != 1:
        raise Stale(_name_of(session, stored.updated_by_id), stored.updated_at)
    if written.revision is not None:
        _QUEUE_RECEIPTS.run(connection, queue)
    if written.last:
        commit_with(session, [(_RECORD_EVENT, params)])
    else:
        _RECORD_EVENT.run(connection, params)
    return revision_id


#: The columns of an answer as :func:`_answers` gives them.
_ANSWER_FIELDS = (*ANSWER_COLUMNS, "ranking_key")


def _answers(ballot: Ballot) -> list[dict[str, Any]]:
    """The answer rows of ``ballot`` (each ranking's first-ranked row also carries the whole
    ranking: ``Answer.ranking_key``)."""
    keys: dict[tuple[int, int | None], str] = {
        (a.question_id, a.ranking[0]): ",".join(map(str, a.ranking))
        for a in ballot.answers
        if a.ranking
    }
    return [
        {
            **dict(zip(ANSWER_COLUMNS, row, strict=True)),
            "ranking_key": keys.get((row[0], row[1])) if row[2] == 1 else None,
        }
        for row in answer_rows(ballot)
    ]


def _given_rows(answers: list[dict[str, Any]]) -> str:
    """SQLite: the answer rows as the view ``answers_given`` takes them, a JSON array of
    arrays of :data:`_ANSWER_FIELDS` (booleans as SQLite stores them, 0 or 1, so that a row
    given again as it was is written in JSON as SQLite writes the stored one)."""
    return json.dumps(
        [
            [int(v) if isinstance(v, bool) else v for v in (a[name] for name in _ANSWER_FIELDS)]
            for a in answers
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _bound(table: sa.Table, prefix: str, names: Any) -> dict[str, sa.BindParameter[Any]]:
    return {name: sa.bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


_REVISION_COLUMNS = (
    "response_id",
    "number",
    "content",
    "digest",
    "receipt",
    "key_id",
    "audit_seq",
    "audit_digest",
    "created_at",
    "created_by_id",
)
_EVENT_COLUMNS = tuple(c.name for c in _event.c if c.name != "id")
_DRAFT_COLUMNS = ("version", "last_token", "updated_at", "updated_by_id", "draft")
_SUBMIT_COLUMNS = (
    *_DRAFT_COLUMNS,
    "status",
    "submitted_at",
    "submitted_by_id",
    "comment",
    "revision",
    "receipt",
)
_INSERT_EVENT = sa.insert(_event).values(_bound(_event, "event_", _EVENT_COLUMNS))
#: SQLite's writes (:func:`_write`), each a statement of its own.
_INSERT_REVISION = Prepared(
    sa.insert(revisions.TABLE).values(_bound(revisions.TABLE, "revision_", _REVISION_COLUMNS))
)
#: A submission's answers (:func:`_given_rows`), which the view's ``INSTEAD OF`` trigger
#: writes where they differ from the stored ones (migration ``6a2d9e4f8c13``).
_GIVE_ANSWERS = Prepared(
    sa.insert(sa.table("answers_given", sa.column("response_id"), sa.column("answers"))).values(
        response_id=sa.bindparam("response_id", type_=sa.Integer),
        answers=sa.bindparam("answers", type_=sa.Text),
    )
)
_RECORD_EVENT = Prepared(_INSERT_EVENT)
_QUEUE_RECEIPTS = Prepared(receipt_mail.QUEUE)


@functools.cache
def _update_prepared(submit: bool) -> Prepared:
    return Prepared(_update_response(submit))


@functools.cache
def _update_response(submit: bool) -> sa.Update:
    """The response's new values (parameters ``response_<column>``), if its version is still
    ``response_was``."""
    return (
        sa.update(_response)
        .where(
            _response.c.id == sa.bindparam("response_key"),
            _response.c.version == sa.bindparam("response_was"),
        )
        .values(_bound(_response, "response_", _SUBMIT_COLUMNS if submit else _DRAFT_COLUMNS))
    )


@functools.cache
def _write_statement(submit: bool) -> Prepared:
    """PostgreSQL: every write of :func:`_write` in one statement, which returns the number
    of responses updated (0: the response changed since it was read)."""
    return Prepared(_write_select(submit))


def _write_select(submit: bool) -> sa.Select:
    """Every write of a save in one statement; each row is written only if the response is
    updated (``responded`` empty: its version changed, and nothing at all is written), so the
    COMMIT can go with it (:func:`_write`)."""
    responded = (
        _update_response(submit).returning(_response.c.id, _response.c.member_id).cte("responded")
    )
    recorded = _if_updated(_event, _bound(_event, "event_", _EVENT_COLUMNS), responded)
    if not submit:
        return sa.select(sa.func.count()).select_from(responded).add_cte(recorded.cte("recorded"))
    revision = {
        "id": sa.bindparam("revision_id", type_=sa.Integer),
        **_bound(revisions.TABLE, "revision_", _REVISION_COLUMNS),
    }
    revised = _if_updated(revisions.TABLE, revision, responded).cte("revised")
    # The answers replaced where they differ: the stored rows that no new row repeats are
    # deleted, then (the count waits for the DELETE) the new rows that no stored row repeats
    # are inserted. An answer given again as it was stays as it is: no index, foreign key or
    # counter is touched for it, and a ballot submitted again unchanged writes no answer at
    # all (the answers' statement triggers then find nothing to refresh). A ballot's rows are
    # distinct (:meth:`consult.consultations.kinds.fields.QuestionAnswer.rows`), so rows
    # compared as wholes give the new ballot's rows exactly.
    rows = (
        sa.func.json_to_recordset(sa.bindparam("answers", type_=postgresql.JSON))
        .table_valued(*(sa.column(name, _answer.c[name].type) for name in _ANSWER_FIELDS))
        .render_derived(name="given_rows", with_types=True)
    )
    given = sa.select(*rows.c).cte("given")
    gone = (
        sa.delete(_answer)
        .where(
            _answer.c.response_id == sa.select(responded.c.id).scalar_subquery(),
            ~sa.exists().where(_same(_answer, given)),
        )
        .returning(_answer.c.id)
        .cte("gone")
    )
    kept = _answer.alias("kept")
    answered = (
        sa.insert(_answer)
        .from_select(
            ["response_id", *_ANSWER_FIELDS],
            sa.select(responded.c.id, *(given.c[name] for name in _ANSWER_FIELDS))
            .select_from(responded, given)
            .where(
                sa.select(sa.func.count()).select_from(gone).scalar_subquery() >= _ZERO,
                ~sa.exists().where(kept.c.response_id == responded.c.id, _same(kept, given)),
            ),
        )
        .cte("answered")
    )
    # The receipts' parameters renamed ``receipt_…`` (a parameter named as a column of the
    # response would otherwise be taken for a value of its UPDATE), and the member the one
    # of the response updated: no delegate (no receipt) when it was not.
    member = sa.select(responded.c.member_id).scalar_subquery()
    queue = sa.sql.visitors.replacement_traverse(
        receipt_mail.QUEUE, {}, functools.partial(_receipt_param, member=member)
    )
    receipts = cast(sa.Insert, queue).cte("receipts")
    return (
        sa.select(sa.func.count())
        .select_from(responded)
        .add_cte(revised, gone, answered, receipts, recorded.cte("recorded"))
    )


def _if_updated(table: sa.Table, values: dict[str, Any], responded: Any) -> sa.Insert:
    """The row of ``values`` inserted into ``table`` if the response was updated."""
    return sa.insert(table).from_select(
        list(values), sa.select(*values.values()).select_from(responded)
    )


def _same(stored: Any, given: Any) -> sa.ColumnElement[bool]:
    """A stored answer row equal to a given one in every column (NULL equal to NULL)."""
    return sa.tuple_(*(stored.c[name] for name in _ANSWER_FIELDS)).is_not_distinct_from(
        sa.tuple_(*(given.c[name] for name in _ANSWER_FIELDS))
    )


#: 0 written into the SQL, not a parameter.
_ZERO = sa.bindparam(None, 0, type_=sa.Integer, literal_execute=True)


def _receipt_param(element: Any, *, member: Any, **_kw: Any) -> Any:
    """A named parameter of the receipts' statement renamed ``receipt_…`` (``member_id``:
    ``member``); its constants (the message's kind, empty texts) written into the SQL, which
    keeps the statement's parameters under the number for which psycopg keeps its conversion
    of the query."""
    if not isinstance(element, sa.BindParameter):
        return None
    if element.key == "member_id":
        return member
    if element.unique:
        return sa.bindparam(None, element.value, type_=element.type, literal_execute=True)
    return sa.bindparam(f"receipt_{element.key}", type_=element.type, expanding=element.expanding)


def _name_of(session: sa.orm.Session, user_id: int | None) -> str:
    """Who changed the response last, for :class:`Stale`."""
    name = session.scalar(sa.select(User.name).where(User.id == user_id)) if user_id else None
    return name or "?"
