"""Read-only queries behind the home pages (a fixed number of queries each)."""

from __future__ import annotations

import functools
from collections import namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, cast

import sqlalchemy as sa

from consult.auth.models import Role, User
from consult.ballots import entries, onbehalf
from consult.ballots.models import Entry, Response, ResponseStatus, Revision
from consult.ballots.rules import ballot_from_canonical, ballot_to_form
from consult.consultations.lifecycle import Phase, Status, phase
from consult.consultations.models import Consultation, invitation
from consult.consultations.row import COLUMNS as CONSULTATION_COLUMNS
from consult.consultations.row import ConsultationRow
from consult.core import clock
from consult.core.anchors import Head
from consult.core.database import Prepared
from consult.core.paging import PAGE_SIZE, Page
from consult.core.translated import Localized
from consult.extensions import db


@dataclass(frozen=True, slots=True)
class Submitter:
    """Who submitted the revision that counts: their name and role."""

    name: str
    role: Role


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """A member's response as the delegate pages show it (a plain row, not the model)."""

    id: int
    status: ResponseStatus
    version: int
    revision: int
    draft: dict[str, Any] | None
    submitted_at: datetime | None
    receipt: str | None
    submitted_by: Submitter | None

    def form_values(self, content: dict[str, Any] | None) -> dict[str, list[str]]:
        """What the ballot form shows: the pending draft if any, else the submitted ballot
        (``content``: the latest revision's), as ``services.form_values`` for the model."""
        if self.draft is not None:
            return {k: list(v) for k, v in self.draft.items()}
        if not self.revision or content is None:
            return {}
        return ballot_to_form(ballot_from_canonical(content))


@dataclass(frozen=True, slots=True)
class ConsultationLine(Localized):
    """What a delegate's home page shows of a consultation (a plain row, not the model)."""

    id: int
    slug: str
    title: str
    reference: str
    status: Status
    outcome: str
    opens_at: datetime | None
    closes_at: datetime
    extended_at: datetime | None
    translations: dict[str, Any]

    def phase(self, now: datetime | None = None) -> Phase:
        return phase(self.status, self.opens_at, self.closes_at, now or clock.now())


@dataclass(frozen=True)
class MemberConsultation:
    """A consultation on a delegate's home page, with their member's response if any."""

    consultation: ConsultationLine
    response: ResponseRow | None


@dataclass(frozen=True)
class AdminRow:
    consultation: Consultation
    invited: int
    submitted: int
    drafts: int


_r = cast(sa.Table, Response.__table__).c
_u = cast(sa.Table, User.__table__).c
_RESPONSE_COLUMNS = (
    _r.id.label("r_id"),
    _r.status.label("r_status"),
    _r.version.label("r_version"),
    _r.revision.label("r_revision"),
    _r.draft.label("r_draft"),
    _r.submitted_at.label("r_submitted_at"),
    _r.receipt.label("r_receipt"),
    _u.name.label("r_submitter"),
    _u.role.label("r_submitter_role"),
)


def _response_row(row: Any) -> ResponseRow | None:
    """The response of a row that selected :data:`_RESPONSE_COLUMNS` (outer-joined)."""
    return _response_of(tuple(getattr(row, column.name) for column in _RESPONSE_COLUMNS))


def _response_of(values: Sequence[Any]) -> ResponseRow | None:
    """The response of the values of :data:`_RESPONSE_COLUMNS`, in their order (outer-joined:
    all None when the member has none)."""
    r_id, status, version, revision, draft, submitted_at, receipt, name, role = values
    if r_id is None:
        return None
    submitter = None if name is None else Submitter(name, role)
    return ResponseRow(r_id, status, version, revision, draft, submitted_at, receipt, submitter)


def _with_submitter(table: sa.FromClause) -> sa.FromClause:
    return table.outerjoin(_u.id.table, _u.id == _r.submitted_by_id)


def member_consultations(member_id: int) -> list[MemberConsultation]:
    """Consultations the member is invited to (drafts excluded), with its response if any
    (one statement, run as :class:`core.database.Prepared`: SQLAlchemy's execute cost more
    than the database's own work)."""
    rows = _member_consultations_statement().all(db.session.connection(), {"member_id": member_id})
    line = len(_LINE_COLUMNS)
    return [
        MemberConsultation(ConsultationLine(*row[:line]), _response_of(row[line:])) for row in rows
    ]


_LINE_COLUMNS = tuple(f.name for f in fields(ConsultationLine))


@functools.cache
def _member_consultations_statement() -> Prepared:
    """Consultations invited ``member_id`` (a bound parameter), with its response (built
    once)."""
    c = cast(sa.Table, Consultation.__table__).c
    member_id: sa.BindParameter[int] = sa.bindparam("member_id")
    return Prepared(
        sa.select(*(c[name] for name in _LINE_COLUMNS), *_RESPONSE_COLUMNS)
        .select_from(
            c.id.table.join(invitation, invitation.c.consultation_id == c.id)
            .outerjoin(_r.id.table, sa.and_(_r.consultation_id == c.id, _r.member_id == member_id))
            .outerjoin(_u.id.table, _u.id == _r.submitted_by_id)
        )
        .where(invitation.c.member_id == member_id, c.status != Status.DRAFT)
        .order_by(c.closes_at.desc())
    )


#: The documents' table as the delegate pages ask of it (whether a consultation has any): a
#: Core stub, since documents sit above ballots (``tests/unit/test_response_stubs.py``).
ATTACHMENT = sa.table("attachment", sa.column("consultation_id", sa.Integer))


@dataclass(frozen=True)
class DelegatePage:
    """What the ballot page and the receipt read first, in one statement: the consultation
    (its row), the member's response with who submitted it, the content of its latest
    revision (the ballot page only), whether the consultation has documents and a page of the
    response's revisions (the receipt only)."""

    consultation: ConsultationRow
    response: ResponseRow | None
    content: dict[str, Any] | None
    has_documents: bool
    revisions: Revisions | None = None


@functools.cache
def _page_statement(content: bool, revisions: bool = False) -> tuple[Prepared, Any]:
    """The consultation of ``slug``, whether ``member_id`` is invited, whether it has
    documents, and the member's response (with its latest revision's content when
    ``content``; with page ``page`` of its revisions and the latest, a row each, when
    ``revisions``): built once, with the named tuple of its rows (the consultation's
    columns first, as :class:`ConsultationRow`'s fields)."""
    member_id: sa.BindParameter[int] = sa.bindparam("member_id")
    c = cast(sa.Table, Consultation.__table__).c
    a = ATTACHMENT.c
    invited = sa.exists().where(
        invitation.c.consultation_id == c.id, invitation.c.member_id == member_id
    )
    documents = sa.exists().where(a.consultation_id == c.id)
    joined = _with_submitter(
        c.id.table.outerjoin(
            _r.id.table, sa.and_(_r.consultation_id == c.id, _r.member_id == member_id)
        )
    )
    columns: list[Any] = [
        *CONSULTATION_COLUMNS,
        invited.label("invited"),
        documents.label("has_documents"),
        *_RESPONSE_COLUMNS,
    ]
    v = cast(sa.Table, Revision.__table__).c
    if content:
        joined = joined.outerjoin(
            v.id.table, sa.and_(v.response_id == _r.id, v.number == _r.revision)
        )
        columns.append(v.content.label("content"))
    statement = sa.select(*columns)
    if revisions:
        # Page ``page`` of ``revision`` revisions numbered 1 to ``revision`` (fifty to a
        # page, newest first; the last page if beyond it), and the latest.
        def number(n: int) -> sa.ColumnElement[int]:
            return sa.literal_column(str(n), sa.Integer)

        pages = (_r.revision + number(PAGE_SIZE - 1)) // number(PAGE_SIZE)
        page = sa.bindparam("page", type_=sa.Integer)
        shown = sa.case((page > pages, pages), else_=page)
        high = _r.revision - (shown - number(1)) * number(PAGE_SIZE)
        low = high - number(PAGE_SIZE - 1)
        window = sa.or_(v.number == _r.revision, v.number.between(low, high))
        joined, more = _with_revision_columns(
            joined.outerjoin(v.id.table, sa.and_(v.response_id == _r.id, window))
        )
        statement = statement.add_columns(*more).order_by(v.number.desc())
    statement = statement.select_from(joined).where(c.slug == sa.bindparam("slug"))
    names = [column.name for column in statement.selected_columns]
    return Prepared(statement), namedtuple("PageRow", names)  # type: ignore[misc]


def delegate_page(
    slug: str, member_id: int, *, content: bool = False, revisions_page: int | None = None
) -> DelegatePage | None:
    """The consultation if the member is invited to it and it is not a draft (else None),
    with the member's response: one statement, prepared once (its row is a plain one: the
    ORM's entity cost more than the rest of the read). The questions and options come from
    :mod:`consult.consultations.structure`. With ``revisions_page``, the page of the
    response's revisions in the same statement (:func:`_revisions_of`)."""
    params: dict[str, Any] = {"slug": slug, "member_id": member_id}
    if revisions_page is not None:
        params["page"] = revisions_page
    prepared, named = _page_statement(content, revisions_page is not None)
    rows = [named._make(row) for row in prepared.all(db.session.connection(), params)]
    row = rows[0] if rows else None
    if row is None or row.status is Status.DRAFT or not row.invited:
        return None
    response = _response_row(row)
    listed = None
    if revisions_page is not None:
        listed = _revisions_of(rows, response, revisions_page)
    return DelegatePage(
        ConsultationRow(*row[:_CONSULTATION]),
        response,
        row.content if content else None,
        bool(row.has_documents),
        listed,
    )


_CONSULTATION = len(CONSULTATION_COLUMNS)


def _revisions_of(rows: Sequence[Any], response: ResponseRow | None, page: int) -> Revisions:
    """Page ``page`` of the response's revisions (fifty, newest first; the last page if
    beyond it) with the latest, as the page statement read them (:func:`delegate_page`):
    revisions are numbered 1 to ``response.revision``, so the page is known from the
    response's row in the same statement."""
    total = response.revision if response is not None else 0
    if response is None or not total:
        return Revisions(Page([], 1, PAGE_SIZE, 0), None, {})
    page = min(page, (total + PAGE_SIZE - 1) // PAGE_SIZE)  # the last if beyond it, as read
    listed, marks = _revisions_and_marks(row for row in rows if row.v_number is not None)
    high = total - (page - 1) * PAGE_SIZE
    latest = listed[0] if listed and listed[0].number == total else None
    return Revisions(
        Page([r for r in listed if r.number <= high], page, PAGE_SIZE, total), latest, marks
    )


@functools.cache
def _response_statement() -> sa.Select[Any]:
    """The member's response with who submitted it, by ``consultation_id`` and
    ``member_id`` (built once)."""
    return (
        sa.select(*_RESPONSE_COLUMNS)
        .select_from(_with_submitter(_r.id.table))
        .where(
            _r.consultation_id == sa.bindparam("consultation_id"),
            _r.member_id == sa.bindparam("member_id"),
        )
    )


def current_response(consultation_id: int, member_id: int) -> ResponseRow | None:
    """The member's response to the consultation, with who submitted it (one statement)."""
    row = (
        db.session.connection()
        .execute(
            _response_statement(), {"consultation_id": consultation_id, "member_id": member_id}
        )
        .first()
    )
    return None if row is None else _response_row(row)


@dataclass(frozen=True, slots=True)
class RevisionRow:
    """A revision as the receipt lists it (without its content)."""

    number: int
    created_at: datetime
    receipt: str
    key_id: str | None
    audit_seq: int | None
    audit_digest: str | None
    created_by: Submitter | None

    @property
    def audit_head(self) -> Head | None:
        if self.audit_seq is None or self.audit_digest is None:
            return None
        return Head(self.audit_seq, self.audit_digest)


@dataclass(frozen=True)
class Revisions:
    """A page of a response's revisions, newest first, the latest (the one that counts)
    whatever the page, and the marks of those the secretariat entered."""

    page: Page[RevisionRow]
    latest: RevisionRow | None
    marks: dict[int, onbehalf.Mark]


def _with_revision_columns(joined: sa.FromClause) -> tuple[sa.FromClause, list[Any]]:
    """``joined`` (which has the revision table) with who submitted each revision and, for
    those the secretariat entered, the entry and who entered it; and their columns, named
    ``v_*`` (the consultation's columns beside them have names of their own)."""
    v = cast(sa.Table, Revision.__table__).c
    e = cast(sa.Table, Entry.__table__).c
    created_by = sa.alias(_u.id.table, "created_by")
    entered_by = sa.alias(_u.id.table, "entered_by")
    joined = (
        joined.outerjoin(created_by, created_by.c.id == v.created_by_id)
        .outerjoin(e.id.table, sa.and_(e.response_id == v.response_id, e.revision == v.number))
        .outerjoin(entered_by, entered_by.c.id == e.entered_by_id)
    )
    columns = [
        *(
            column.label(f"v_{column.name}")
            for column in (v.number, v.created_at, v.receipt, v.key_id, v.audit_seq)
        ),
        v.audit_digest.label("v_audit_digest"),
        created_by.c.name.label("v_by_name"),
        created_by.c.role.label("v_by_role"),
        *(
            column.label(f"v_entry_{column.name}")
            for column in (e.id, e.channel, e.reference, e.received_on, e.late, e.reason)
        ),
        e.scan_sha256.label("v_entry_scan_sha256"),
        entered_by.c.name.label("v_entered_by"),
    ]
    return joined, columns


def _revision_statement() -> sa.Select[Any]:
    """Revisions of ``response_id`` with who submitted them and, for those the secretariat
    entered, the entry and who entered it."""
    v = cast(sa.Table, Revision.__table__).c
    joined, columns = _with_revision_columns(v.id.table)
    return (
        sa.select(*columns)
        .select_from(joined)
        .where(v.response_id == sa.bindparam("response_id"))
        .order_by(v.number.desc())
    )


@functools.cache
def _revision_by_receipt_statement() -> sa.Select[Any]:
    v = cast(sa.Table, Revision.__table__).c
    return _revision_statement().where(v.receipt == sa.bindparam("receipt"))


@dataclass(frozen=True, slots=True)
class _EntryOfRow:
    """The entry of a row that selected :func:`_with_revision_columns` (``entries.EntryFields``)."""

    id: int
    channel: onbehalf.Channel
    reference: str
    received_on: date
    late: bool
    reason: str
    scan_sha256: str | None


def _revisions_and_marks(
    rows: Iterable[Any],
) -> tuple[list[RevisionRow], dict[int, onbehalf.Mark]]:
    """The revisions of rows that selected :func:`_with_revision_columns`, and the marks of
    those entered."""
    listed: list[RevisionRow] = []
    marks: dict[int, onbehalf.Mark] = {}
    for row in rows:
        by = None if row.v_by_name is None else Submitter(row.v_by_name, row.v_by_role)
        listed.append(
            RevisionRow(
                row.v_number,
                row.v_created_at,
                row.v_receipt,
                row.v_key_id,
                row.v_audit_seq,
                row.v_audit_digest,
                by,
            )
        )
        if row.v_entry_id is not None:
            entry = _EntryOfRow(
                row.v_entry_id,
                row.v_entry_channel,
                row.v_entry_reference,
                row.v_entry_received_on,
                row.v_entry_late,
                row.v_entry_reason,
                row.v_entry_scan_sha256,
            )
            marks[row.v_number] = entries.mark_of(entry, row.v_entered_by)
    return listed, marks


def _revision_rows(
    statement: sa.Select[Any], params: dict[str, Any]
) -> tuple[list[RevisionRow], dict[int, onbehalf.Mark]]:
    return _revisions_and_marks(db.session.connection().execute(statement, params))


def revision_by_receipt(
    response: ResponseRow | None, receipt: str
) -> tuple[RevisionRow | None, dict[int, onbehalf.Mark]]:
    """The response's revision whose receipt code is ``receipt``, with its mark if entered."""
    if response is None or not receipt:
        return None, {}
    rows, marks = _revision_rows(
        _revision_by_receipt_statement(), {"response_id": response.id, "receipt": receipt}
    )
    return (rows[0] if rows else None), marks


def admin_overview(page: int = 1) -> Page[AdminRow]:
    """A page of consultations, latest deadline first, with counts of invited members,
    submissions and drafts (four queries, counted for the page's consultations only)."""
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Consultation)) or 0
    page = min(page, max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1))
    consultations = list(
        db.session.scalars(
            sa.select(Consultation)
            .order_by(Consultation.closes_at.desc(), Consultation.id.desc())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    ids = [c.id for c in consultations]
    invited: dict[int, int] = dict(
        db.session.execute(
            sa.select(invitation.c.consultation_id, sa.func.count())
            .where(invitation.c.consultation_id.in_(ids))
            .group_by(invitation.c.consultation_id)
        ).all()
    )
    counts: dict[tuple[int, str], int] = {
        (cid, str(status)): n
        for cid, status, n in db.session.execute(
            sa.select(Response.consultation_id, Response.status, sa.func.count())
            .where(Response.consultation_id.in_(ids))
            .group_by(Response.consultation_id, Response.status)
        )
    }
    rows = [
        AdminRow(
            c,
            invited.get(c.id, 0),
            counts.get((c.id, ResponseStatus.SUBMITTED.value), 0),
            counts.get((c.id, ResponseStatus.DRAFT.value), 0),
        )
        for c in consultations
    ]
    return Page(rows, page, PAGE_SIZE, total)
