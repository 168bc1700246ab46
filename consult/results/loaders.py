"""Stored answers turned into tally input: the only module that reads ballots for results.

Every function issues a fixed number of queries, whatever the number of members or responses:
rows are read as plain tuples (no ORM objects) and grouped in Python. Only *submitted*
responses of *invited* members are read; a response counts in a vote (ranking, choose, single,
Likert) when its member is a member state, or an observer and the consultation lets observers
vote. Comments and free texts are read from every submitted response, observers' included
(they are marked, never mixed into counts).

Rankings and participation are read from what the database counts as ballots and invitations
change (:mod:`consult.results.models`): one row per distinct ranking, per kind, region and
status; those who submitted and the entry form's members are paged over the invitations' rows
it keeps. :func:`counts` and :func:`counted` are the rule its triggers apply.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any, NamedTuple, cast

import sqlalchemy as sa

from consult.auth.models import User
from consult.ballots.models import Answer, Entry, Response, ResponseStatus
from consult.ballots.onbehalf import Channel, Mark
from consult.ballots.rules import NO_OPINION
from consult.consultations import kinds
from consult.consultations.kinds.base import Source, ValueCounts
from consult.consultations.models import Consultation, ObserversMay, invitation
from consult.core.database import Prepared
from consult.core.paging import PAGE_SIZE, Page
from consult.core.translated import in_language
from consult.extensions import db
from consult.members.models import Member, MemberKind, Region
from consult.results.models import Participant, ParticipantCount, RankingCount


class MemberInfo(NamedTuple):
    """Who said something, as shown beside a comment (a named tuple: a page makes one per
    row it lists, and a tuple is made in a fraction of a frozen dataclass's time)."""

    id: int
    code: str
    name: str
    #: The member's ``translations`` as stored (JSON text), read when a name is shown.
    translations_text: str | None
    kind: MemberKind
    region: str

    @property
    def is_observer(self) -> bool:
        return self.kind.is_observer

    @property
    def translations(self) -> dict[str, Any]:
        return _translations(self.translations_text)

    def localized_name(self, locale: str) -> str:
        return in_language(self.translations, "name", locale, self.name)


class TextRow(NamedTuple):
    """A comment on an option, a write-in, a free-text answer or a general comment."""

    question_id: int | None
    option_id: int | None
    text: str
    member: MemberInfo


class ParticipationRow(NamedTuple):
    member: MemberInfo
    status: ResponseStatus | None
    updated_at: Any


@lru_cache(maxsize=4096)
def _translations(text: str | None) -> dict[str, Any]:
    """A member's stored translations, decoded once per process for the same text (a page
    shows the same members in several lists; not to be changed by the caller)."""
    return cast(dict[str, Any], json.loads(text)) if text else {}


_MEMBER_COLUMNS = (
    Member.id,
    Member.code,
    Member.name,
    sa.cast(Member.translations, sa.Text),  # decoded when shown (:class:`MemberInfo`)
    sa.type_coerce(Member.kind, sa.String()),  # its value, made a MemberKind by _member
    Region.name,
)


#: The consultation a statement built once (below, ``@cache``) reads, given when it runs:
#: building a statement of joins costs more than running it.
CONSULTATION = sa.bindparam("consultation_id", type_=sa.Integer())
QUESTIONS: sa.BindParameter[list[int]] = sa.bindparam("question_ids", expanding=True)


def _execute(
    statement: sa.Executable, params: dict[str, Any] | None = None
) -> sa.CursorResult[*tuple[Any, ...]]:
    """Plain rows through the session's connection: the ORM's handling of a statement costs
    more than these reads of bare columns do (changes not yet written are written first, as
    the session would)."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    return session.connection().execute(statement, params)


#: The page's statements (built once, below) as :class:`Prepared`: by the statement's identity.
_prepared: dict[int, tuple[Any, Prepared]] = {}


def _read(
    statement: sa.Select[Any] | sa.CompoundSelect[Any], params: dict[str, Any]
) -> list[tuple[Any, ...]]:
    """The rows of a statement built once (``@cache``), run as :class:`Prepared` (the SQL its
    dialect compiled it to, on the driver's cursor: :meth:`sqlalchemy.Connection.execute`
    works out its compiled form, its parameters and its result's columns again on every call,
    more than the database's own work for most of the results page's reads), each value
    converted as SQLAlchemy converts it (dates on SQLite, enumerations, JSON); changes not yet
    written are written first, as the session would."""
    found = _prepared.get(id(statement))
    if found is None:  # the statement is kept beside its Prepared: its id stays its own
        found = _prepared[id(statement)] = (statement, Prepared(statement))
    session = db.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    return found[1].all(session.connection(), params)


def _member(row: Any, offset: int = 0) -> MemberInfo:
    mid, code, name, translations, kind, region = row[offset : offset + 6]
    return MemberInfo(mid, code, name, translations, MemberKind(kind), region)


def _submitted(consultation_id: Any) -> sa.ColumnElement[bool]:
    return sa.and_(
        Response.consultation_id == consultation_id,
        Response.status == ResponseStatus.SUBMITTED,
        sa.exists().where(
            invitation.c.consultation_id == consultation_id,
            invitation.c.member_id == Response.member_id,
        ),
    )


def counts(kind: MemberKind, status: ResponseStatus | None, observers_vote: bool) -> bool:
    """Whether an invited member's response counts in a vote: submitted, and from a member
    state unless observers vote too. :func:`counted` is the same rule in SQL."""
    return status is ResponseStatus.SUBMITTED and (
        kind is MemberKind.MEMBER_STATE or observers_vote
    )


def counted(consultation: Consultation) -> sa.ColumnElement[bool]:
    """The SQL condition for a response that counts in a vote (:func:`counts` in SQL)."""
    return _counted(consultation.id, consultation.observers_may is ObserversMay.VOTE)


def _counted(consultation_id: Any, observers_vote: bool) -> sa.ColumnElement[bool]:
    condition = _submitted(consultation_id)
    if not observers_vote:
        condition = sa.and_(condition, Member.kind == MemberKind.MEMBER_STATE)
    return condition


@dataclass(frozen=True)
class ParticipationCount:
    kind: MemberKind
    region: str
    status: ResponseStatus | None
    count: int
    #: The region's names in other languages (``Region.translations``), read with the counts:
    #: every member a results page shows is invited, so its region is among these.
    region_translations: dict[str, Any] | None = None


def invited_with_response(consultation_id: Any, *columns: Any) -> sa.Select[*tuple[Any, ...]]:
    """``columns`` of every invited member joined to its region and its response, if any: the
    one statement behind participation, in numbers (results) and by name (reminders).
    ``consultation_id``: a number, or :data:`CONSULTATION` for a statement built once."""
    return (
        sa.select(*columns)
        .select_from(invitation)
        .join(Member, Member.id == invitation.c.member_id)
        .join(Region, Region.id == Member.region_id)
        .outerjoin(
            Response,
            sa.and_(Response.member_id == Member.id, Response.consultation_id == consultation_id),
        )
        .where(invitation.c.consultation_id == consultation_id)
    )


@cache
def _participation() -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            ParticipantCount.kind,
            Region.name,
            ParticipantCount.status,
            sa.func.sum(ParticipantCount.members),
            Region.translations,
        )
        .join(Region, Region.id == ParticipantCount.region_id)
        .where(ParticipantCount.consultation_id == CONSULTATION)
        # By the region's key: its name and translations follow from it (PostgreSQL groups
        # no JSON column).
        .group_by(ParticipantCount.kind, Region.id, ParticipantCount.status)
    )


def participation_counts(consultation_id: int) -> list[ParticipationCount]:
    """Invited members by kind, region and response status (None: no response), as the
    database counts them (:class:`consult.results.models.ParticipantCount`): one row read per
    kind, region and status, however many members are invited; with each region's
    translations (:attr:`ParticipationCount.region_translations`)."""
    rows = _read(_participation(), {"consultation_id": consultation_id})
    return [
        ParticipationCount(
            MemberKind(kind), region, ResponseStatus(status) if status else None, n, translations
        )
        for kind, region, status, n, translations in rows
    ]


@dataclass(frozen=True)
class Counted:
    """What the database counts for a results page: the participation (as
    :func:`participation_counts`) and each ranking question's distinct rankings with their
    ballots, by question (:func:`counted_rows`)."""

    participation: list[ParticipationCount]
    rankings: dict[int, dict[tuple[int, ...], int]]


def counted_rows(consultation: Consultation) -> Counted:
    """:func:`participation_counts` and each ranking question's distinct rankings in the
    counted ballots (best first) with how many ballots cast each, in one statement (one
    round trip, however many ranking questions there are).

    The database counts rankings as ballots are submitted, revised or stop counting
    (:class:`consult.results.models.RankingCount`, member states' and observers' apart): one
    row read per distinct ranking, however many ballots there are; empty ones never appear."""
    ids = _ids(consultation, Source.RANKINGS)
    observers_vote = consultation.observers_may is ObserversMay.VOTE
    params: dict[str, Any] = {"consultation_id": consultation.id}
    if ids:
        params["question_ids"] = ids
    participation: list[ParticipationCount] = []
    found: dict[int, dict[tuple[int, ...], int]] = {question_id: {} for question_id in ids}
    for part, kind, region, status, n, translations, question_id, key in _read(
        _counted_rows(bool(ids), observers_vote), params
    ):
        if part:
            found[question_id][tuple(int(o) for o in key.split(","))] = int(n)
        else:
            participation.append(
                ParticipationCount(
                    MemberKind(kind),
                    region,
                    ResponseStatus(status) if status else None,
                    n,
                    translations,
                )
            )
    return Counted(participation, found)


@cache
def _counted_rows(rankings: bool, observers_vote: bool) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """:func:`_participation`'s rows (first column 0), then, with ``rankings``, the counted
    ballots of each distinct ranking of the questions ``question_ids`` (first column 1)."""
    null = sa.null()
    participation = _participation().add_columns(null, null)
    participation = participation.with_only_columns(
        sa.literal_column("0").label("part"), *participation.selected_columns
    )
    if not rankings:
        return participation
    ranked: sa.Select[*tuple[Any, ...]] = (
        sa.select(
            sa.literal_column("1"),
            null,
            null,
            null,
            sa.func.sum(RankingCount.ballots),
            null,
            RankingCount.question_id,
            RankingCount.ranking_key,
        )
        .where(RankingCount.question_id.in_(QUESTIONS))
        .group_by(RankingCount.question_id, RankingCount.ranking_key)
    )
    if not observers_vote:
        ranked = ranked.where(RankingCount.observer == sa.false())
    return sa.union_all(participation, ranked)


@cache
def _not_submitted() -> sa.Select[*tuple[Any, ...]]:
    return (
        invited_with_response(CONSULTATION, *_MEMBER_COLUMNS, Response.status, Response.updated_at)
        .where(sa.or_(Response.id.is_(None), Response.status != ResponseStatus.SUBMITTED))
        .order_by(Region.name, Member.name, Member.id)
    )


def _participation_row(row: Any) -> ParticipationRow:
    return ParticipationRow(_member(row), ResponseStatus(row[6]) if row[6] else None, row[7])


def not_submitted(consultation_id: int) -> list[ParticipationRow]:
    """Invited members without a submitted response (a draft only, or nothing), by region."""
    return [
        _participation_row(row)
        for row in _execute(_not_submitted(), {"consultation_id": consultation_id})
    ]


@cache
def _submitted_list() -> sa.Select[*tuple[Any, ...]]:
    # The invitations' rows kept by the database lead, in the lists' order over their index
    # (:class:`consult.results.models.Participant`): a page reads its own rows only.
    return (
        sa.select(*_MEMBER_COLUMNS, Response.submitted_at)
        .select_from(Participant)
        .join(Member, Member.id == Participant.member_id)
        .join(Region, Region.id == Member.region_id)
        .join(
            Response,
            sa.and_(
                Response.consultation_id == Participant.consultation_id,
                Response.member_id == Participant.member_id,
            ),
        )
        .where(
            Participant.consultation_id == CONSULTATION,
            Participant.status == ResponseStatus.SUBMITTED.value,
        )
        .order_by(Participant.region_name, Participant.member_name, Participant.member_id)
    )


@dataclass(frozen=True)
class Lists:
    """What the results page lists by member: a page of those who have not submitted, a page
    of those who have (None when not asked for) and the entry form's members."""

    missing: Page[ParticipationRow]
    submitted: Page[ParticipationRow] | None
    enterable: list[MemberInfo]


def _last_page(number: int, total: int) -> int:
    return min(number, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))


def lists(
    consultation: Consultation,
    missing: tuple[int, int],
    submitted: tuple[int, int] | None,
    enterable: int,
) -> Lists:
    """The results page's lists in one statement (one round trip; none when every list is
    empty), each in its own order over its own index, a page of rows only, however many
    members are invited:

    * ``missing``: a page of :func:`not_submitted` (by region and name);
    * ``submitted``: a page of those with a submitted response, by region and name
      (``updated_at``: when it was submitted), or None when the page does not list them;
    * ``enterable``: the first so many invited members by name that the secretariat may
      enter a response for (observers left out when they may answer nothing:
      ``ballots.specs.may_answer`` in SQL); 0 reads none.

    A page is given as (its number, how many the list holds: the participation's figures);
    beyond the last page, the last page is read."""
    missing_number, missing_total = missing
    missing_number = _last_page(missing_number, missing_total)
    submitted_number, submitted_total = submitted or (1, 0)
    submitted_number = _last_page(submitted_number, submitted_total)
    states_only = consultation.observers_may is ObserversMay.NOTHING
    parts = (missing_total > 0, submitted_total > 0, enterable > 0)
    found: dict[int, list[Any]] = {1: [], 2: [], 3: []}
    if any(parts):
        params = {
            "consultation_id": consultation.id,
            "offset_1": (missing_number - 1) * PAGE_SIZE,
            "offset_2": (submitted_number - 1) * PAGE_SIZE,
            "limit_3": enterable,
        }
        for row in _read(_lists(parts, states_only), params):
            found[row[0]].append(row)
    return Lists(
        Page(
            [_participation_row(row[1:]) for row in found[1]],
            missing_number,
            PAGE_SIZE,
            missing_total,
        ),
        None
        if submitted is None
        else Page(
            [
                ParticipationRow(_member(row, 1), ResponseStatus.SUBMITTED, row[8])
                for row in found[2]
            ],
            submitted_number,
            PAGE_SIZE,
            submitted_total,
        ),
        [_member(row, 1) for row in found[3]],
    )


@cache
def _lists(
    parts: tuple[bool, bool, bool], states_only: bool
) -> sa.Select[Any] | sa.CompoundSelect[Any]:
    """The statement of :func:`lists` for the lists it reads (``parts``): a branch per list,
    each windowed in its own order, then in the lists' order again (on a few rows) as one
    result. Every branch gives: the list's number, the member's columns, the response's
    status and time, and the list's order (two names and the member's id)."""
    null = sa.null()
    branches: list[sa.Select[Any]] = []
    if parts[0]:
        sub = (
            _not_submitted()
            .add_columns(Region.name.label("k1"), Member.name.label("k2"), Member.id.label("k3"))
            .limit(PAGE_SIZE)
            .offset(sa.bindparam("offset_1", type_=sa.Integer()))
            .subquery()
        )
        branches.append(sa.select(_list_number(1), *sub.c))
    if parts[1]:
        sub = (
            _submitted_list()
            .add_columns(
                Participant.region_name.label("k1"),
                Participant.member_name.label("k2"),
                Participant.member_id.label("k3"),
            )
            .limit(PAGE_SIZE)
            .offset(sa.bindparam("offset_2", type_=sa.Integer()))
            .subquery()
        )
        c = list(sub.c)
        branches.append(sa.select(_list_number(2), *c[:6], null, *c[6:]))
    if parts[2]:
        sub = (
            _enterable_list(states_only)
            .add_columns(Participant.member_name.label("k2"), Participant.member_id.label("k3"))
            .limit(sa.bindparam("limit_3", type_=sa.Integer()))
            .subquery()
        )
        c = list(sub.c)
        branches.append(
            sa.select(_list_number(3), *c[:6], null, null, sa.literal_column("''"), *c[6:])
        )
    if len(branches) == 1:  # in its own order (the entry form's has no region: two keys)
        columns = list(branches[0].selected_columns)
        return branches[0].order_by(*columns[-2 if parts[2] else -3 :])
    union = sa.union_all(*branches)
    columns = list(union.selected_columns)
    return union.order_by(columns[0], *columns[-3:])


def _list_number(number: int) -> sa.Label[Any]:
    return sa.literal_column(str(number)).label("list")


def _ids(consultation: Consultation, source: Source) -> list[int]:
    """The questions whose kind reads ``source``."""
    return [q.id for q in consultation.questions if source in kinds.get(q.kind).reads]


def selections(consultation: Consultation) -> dict[int, list[tuple[int, ...]]]:
    """For every choose/single question: each counted ballot's selected options."""
    ids = _ids(consultation, Source.SELECTIONS)
    if not ids:
        return {}
    rows = _execute(
        sa.select(Answer.question_id, Answer.response_id, Answer.option_id)
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .where(Answer.question_id.in_(ids), Answer.selected.is_(True), counted(consultation))
        .order_by(Answer.question_id, Answer.response_id)
    )
    out: dict[int, list[tuple[int, ...]]] = {}
    for (question_id, _response), group in groupby(rows, key=itemgetter(0, 1)):
        out.setdefault(question_id, []).append(tuple(cast(int, r[2]) for r in group))
    return out


def value_counts(consultation: Consultation) -> dict[tuple[int, bool], ValueCounts]:
    """Scale answers of submitted responses, per (question, from observers), counted in SQL.

    Observers' answers are kept apart (key ``(question, True)``) unless observers vote."""
    ids = _ids(consultation, Source.VALUES)
    if not ids:
        return {}
    observer = _observer_column(consultation)
    rows = _execute(
        sa.select(Answer.question_id, observer, Answer.value, sa.func.count())
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .where(
            Answer.question_id.in_(ids),
            Answer.value.is_not(None),
            Answer.option_id.is_(None),
            _submitted(consultation.id),
        )
        .group_by(Answer.question_id, observer, Answer.value)
    )
    out: dict[tuple[int, bool], ValueCounts] = {}
    for question_id, is_observer, value, count in rows:
        entry = out.setdefault((question_id, bool(is_observer)), ValueCounts())
        if value == NO_OPINION:
            entry.no_opinion += count
        else:
            entry.values[value] = entry.values.get(value, 0) + count
    return out


def _observer_column(consultation: Consultation) -> Any:
    """True for an answer of an observer counted apart (observers do not vote)."""
    observers_vote = consultation.observers_may is ObserversMay.VOTE
    return sa.case((Member.kind == MemberKind.MEMBER_STATE, False), else_=not observers_vote)


def statement_counts(
    consultation: Consultation,
) -> dict[tuple[int, bool], dict[int, ValueCounts]]:
    """Grid answers of submitted responses counted in SQL, per (question, from observers) and
    statement; observers apart unless they vote."""
    ids = _ids(consultation, Source.STATEMENTS)
    if not ids:
        return {}
    observer = _observer_column(consultation)
    rows = _execute(
        sa.select(Answer.question_id, observer, Answer.option_id, Answer.value, sa.func.count())
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .where(
            Answer.question_id.in_(ids),
            Answer.value.is_not(None),
            Answer.option_id.is_not(None),
            _submitted(consultation.id),
        )
        .group_by(Answer.question_id, observer, Answer.option_id, Answer.value)
    )
    out: dict[tuple[int, bool], dict[int, ValueCounts]] = {}
    for question_id, is_observer, option_id, value, count in rows:
        entry = out.setdefault((question_id, bool(is_observer)), {}).setdefault(
            option_id, ValueCounts()
        )
        if value == NO_OPINION:
            entry.no_opinion += count
        else:
            entry.values[value] = entry.values.get(value, 0) + count
    return out


def numbers(consultation: Consultation) -> dict[tuple[int, bool], list[str]]:
    """Numbers answered in submitted responses (exact text), per (question, from observers);
    observers apart unless they vote."""
    ids = _ids(consultation, Source.NUMBERS)
    if not ids:
        return {}
    observer = _observer_column(consultation)
    rows = _execute(
        sa.select(Answer.question_id, observer, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .where(
            Answer.question_id.in_(ids),
            Answer.option_id.is_(None),
            Answer.text.is_not(None),
            _submitted(consultation.id),
        )
    )
    out: dict[tuple[int, bool], list[str]] = {}
    for question_id, is_observer, text in rows:
        out.setdefault((question_id, bool(is_observer)), []).append(text)
    return out


def funding(
    consultation: Consultation,
) -> dict[tuple[int, bool], list[tuple[MemberInfo, int | None, str]]]:
    """Funding intentions of submitted responses (who, which option or None for the whole
    programme, the stored text), per (question, from observers): observers always apart."""
    ids = _ids(consultation, Source.FUNDING)
    if not ids:
        return {}
    rows = _execute(
        sa.select(Answer.question_id, Answer.option_id, Answer.text, *_MEMBER_COLUMNS)
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .join(Region, Region.id == Member.region_id)
        .where(Answer.question_id.in_(ids), Answer.text.is_not(None), _submitted(consultation.id))
        .order_by(Answer.question_id, Member.name, Answer.option_id)
    )
    out: dict[tuple[int, bool], list[tuple[MemberInfo, int | None, str]]] = {}
    for row in rows:
        member = _member(row, 3)
        out.setdefault((row[0], member.is_observer), []).append((member, row[1], row[2]))
    return out


def text_questions(consultation: Consultation, *, comments_only: bool = False) -> list[int]:
    """Questions that can hold texts: option comments, write-ins, free-text answers."""
    return [
        q.id
        for q in consultation.questions
        if q.allow_option_comments
        or (not comments_only and Source.TEXTS in kinds.get(q.kind).reads)
    ]


def texts(consultation_id: int, question_ids: Collection[int]) -> list[TextRow]:
    """Every comment, write-in and free-text answer of ``question_ids``, then every general
    comment, of submitted responses, with who wrote it (observers included): read whole, as
    the page shows them all (no server-side cursor, whose extra round trips a page pays on
    PostgreSQL; one statement when there are questions)."""
    if not question_ids:
        return list(iter_texts(consultation_id, question_ids, streamed=False))
    rows = _read(
        _all_texts(), {"consultation_id": consultation_id, "question_ids": list(question_ids)}
    )
    return [TextRow(row[0], row[1], row[2], _member(row, 3)) for row in rows]


#: How many rows a streamed read (the comments file) fetches at a time.
STREAMED_ROWS = 5000


def _streaming(statement: sa.Select[*tuple[Any, ...]], streamed: bool) -> sa.Select[Any]:
    """``statement`` read as it is consumed (a server-side cursor on PostgreSQL), or whole."""
    return statement.execution_options(yield_per=STREAMED_ROWS) if streamed else statement


def _general_comments_unordered() -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(
            sa.cast(sa.null(), sa.Integer()),
            sa.cast(sa.null(), sa.Integer()),
            Response.comment,
            *_MEMBER_COLUMNS,
        )
        .join(Member, Member.id == Response.member_id)
        .join(Region, Region.id == Member.region_id)
        # A literal, so that the index of commented responses serves the condition.
        .where(Response.comment != sa.literal_column("''"), _submitted(CONSULTATION))
    )


def _answer_texts_unordered() -> sa.Select[*tuple[Any, ...]]:
    return (
        sa.select(Answer.question_id, Answer.option_id, Answer.text, *_MEMBER_COLUMNS)
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .join(Region, Region.id == Member.region_id)
        .where(
            Answer.question_id.in_(QUESTIONS),
            Answer.text.is_not(None),
            Answer.text != "",
            _submitted(CONSULTATION),
        )
    )


@cache
def _general_comments(streamed: bool) -> sa.Select[*tuple[Any, ...]]:
    return _streaming(_general_comments_unordered().order_by(Member.name), streamed)


@cache
def _answer_texts_statement(streamed: bool) -> sa.Select[*tuple[Any, ...]]:
    return _streaming(
        _answer_texts_unordered().order_by(Answer.question_id, Answer.option_id, Member.name),
        streamed,
    )


@cache
def _all_texts() -> sa.CompoundSelect[*tuple[Any, ...]]:
    """The answers' texts, then the general comments, in one statement (one round trip
    for the page, which reads them whole): each part in its own statement's order."""
    union = sa.union_all(
        _answer_texts_unordered().add_columns(
            sa.literal_column("0").label("part"), Member.name.label("by_name")
        ),
        _general_comments_unordered().add_columns(sa.literal_column("1"), Member.name),
    )
    c = union.selected_columns
    return union.order_by(c.part, c.question_id, c.option_id, c.by_name)


def iter_texts(
    consultation_id: int, question_ids: Collection[int], *, streamed: bool = True
) -> Iterator[TextRow]:
    """:func:`texts`, read as it is consumed (``streamed``: a server-side cursor on
    PostgreSQL, for the comments file; no answer query without questions)."""
    if question_ids:
        yield from _answer_texts(consultation_id, question_ids, streamed)
    general_rows = _execute(_general_comments(streamed), {"consultation_id": consultation_id})
    for row in general_rows:
        yield TextRow(row[0], row[1], row[2], _member(row, 3))


def _answer_texts(
    consultation_id: int, question_ids: Collection[int], streamed: bool
) -> Iterator[TextRow]:
    answer_rows = _execute(
        _answer_texts_statement(streamed),
        {"consultation_id": consultation_id, "question_ids": list(question_ids)},
    )
    for row in answer_rows:
        yield TextRow(row[0], row[1], row[2], _member(row, 3))


@dataclass(frozen=True)
class EnteredRow:
    """A revision the secretariat entered on behalf of a member, with its mark."""

    member: MemberInfo
    revision: int
    mark: Mark
    #: Whether it is the member's submission that counts now (not revised since).
    current: bool


def _mark(row: Any, offset: int) -> Mark:
    entry_id, channel, reference, received_on, late, reason, scan, by = row[offset : offset + 8]
    return Mark(
        Channel(channel),
        reference,
        received_on,
        by or "—",
        bool(late),
        reason or "",
        entry_id if scan else None,
    )


def entered(consultation_id: int, *, current_only: bool = True) -> list[EnteredRow]:
    """Revisions entered by the secretariat for invited members (one query), by region and
    member: only those that count now, or (``current_only=False``) every one, oldest first."""
    return [
        EnteredRow(_member(row), row[6], _mark(row, 8), row[6] == row[7])
        for row in _read(_entered(current_only), {"consultation_id": consultation_id})
    ]


@cache
def _entered(current_only: bool) -> sa.Select[*tuple[Any, ...]]:
    # The entries lead (those of every consultation: responses received otherwise are few),
    # each to its response by key: ``+ 0`` keeps the database from reading every response
    # of the consultation through its index instead.
    stmt = (
        sa.select(
            *_MEMBER_COLUMNS,
            Entry.revision,
            Response.revision,
            Entry.id,
            Entry.channel,
            Entry.reference,
            Entry.received_on,
            Entry.late,
            Entry.reason,
            Entry.scan_sha256,
            User.name,
        )
        .select_from(Entry)
        .join(Response, Response.id == Entry.response_id + 0)
        .join(Member, Member.id == Response.member_id)
        .join(Region, Region.id == Member.region_id)
        .outerjoin(User, User.id == Entry.entered_by_id)
        .where(
            Response.consultation_id + 0 == CONSULTATION,
            sa.exists().where(
                invitation.c.consultation_id == CONSULTATION,
                invitation.c.member_id == Response.member_id,
            ),
        )
        .order_by(Region.name, Member.name, Entry.revision)
    )
    if current_only:
        stmt = stmt.where(
            Entry.revision == Response.revision, Response.status == ResponseStatus.SUBMITTED
        )
    return stmt


def _enterable_list(states_only: bool) -> sa.Select[*tuple[Any, ...]]:
    # By the names the invitations' rows copy, over their index (a page's few rows read).
    query = (
        sa.select(*_MEMBER_COLUMNS)
        .select_from(Participant)
        .join(Member, Member.id == Participant.member_id)
        .join(Region, Region.id == Member.region_id)
        .where(Participant.consultation_id == CONSULTATION)
        .order_by(Participant.member_name, Participant.member_id)
    )
    if states_only:
        query = query.where(Participant.kind == MemberKind.MEMBER_STATE.value)
    return query
