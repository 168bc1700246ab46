"""Responses entered by the secretariat on behalf of a member state: the provenance written
with the revision, and the marks read back (the rules are in :mod:`consult.ballots.onbehalf`).

The entry itself goes through :func:`consult.ballots.services.save` like any submission (same
rules, revision, receipt and receipt e-mail), given an :class:`Entered`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Protocol

import sqlalchemy as sa
from flask import current_app

from consult.auth.models import User
from consult.ballots import onbehalf
from consult.ballots.models import Entry
from consult.consultations.lifecycle import Status
from consult.core.database import DbSession
from consult.extensions import db
from consult.members.models import Member


@dataclass(frozen=True)
class Scan:
    """The scanned document, already in the documents store (``documents/storage.py``)."""

    sha256: str
    size: int
    mimetype: str
    name: str


@dataclass(frozen=True)
class Entered:
    """A submission the secretariat makes for ``member``, and where it came from."""

    member: Member
    provenance: onbehalf.Provenance
    scan: Scan | None = None

    def details(self, *, late: bool) -> dict[str, object]:
        """For the audit event of the submission; ``late`` as the saving transaction found."""
        out = replace(self.provenance, late=late).details()
        if self.scan is not None:
            out["scan_sha256"] = self.scan.sha256
        return out

    def mark(self, by: str, *, late: bool) -> onbehalf.Mark:
        """The mark of the revision this entry makes (for the receipt e-mail)."""
        p = self.provenance
        return onbehalf.Mark(
            p.channel, p.reference, p.received_on, by, late, p.reason if late else ""
        )


def zone() -> str:
    return str(current_app.config["TIMEZONE"])


def last_day(closes_at: datetime) -> date:
    return onbehalf.deadline_day(closes_at, zone())


def admits_late(entry: Entered | None, status: Status, closes_at: datetime) -> bool:
    """After the deadline, only a late entry received in time, with a reason, before the
    results are published (checked inside the saving transaction)."""
    if entry is None or status is Status.PUBLISHED or status is Status.DRAFT:
        return False
    return onbehalf.admits_late(entry.provenance, last_day(closes_at))


def write(
    session: DbSession,
    entry: Entered,
    *,
    response_id: int,
    revision: int,
    user_id: int,
    now: datetime,
    late: bool,
) -> None:
    """The provenance row of revision ``revision`` (inside the submission's transaction)."""
    p = entry.provenance
    scan = entry.scan
    session.add(
        Entry(
            response_id=response_id,
            revision=revision,
            channel=p.channel,
            received_on=p.received_on,
            reference=p.reference,
            late=late,
            reason=p.reason if late else "",
            scan_sha256=scan.sha256 if scan else None,
            scan_name=scan.name if scan else None,
            scan_size=scan.size if scan else None,
            scan_type=scan.mimetype if scan else None,
            entered_by_id=user_id,
            entered_at=now,
        )
    )


class EntryFields(Protocol):
    """What a mark shows of an entry: the model, or a row selecting these columns."""

    @property
    def id(self) -> int: ...
    @property
    def channel(self) -> onbehalf.Channel: ...
    @property
    def reference(self) -> str: ...
    @property
    def received_on(self) -> date: ...
    @property
    def late(self) -> bool: ...
    @property
    def reason(self) -> str: ...
    @property
    def scan_sha256(self) -> str | None: ...


def mark_of(entry: EntryFields, by: str | None) -> onbehalf.Mark:
    return onbehalf.Mark(
        entry.channel,
        entry.reference,
        entry.received_on,
        by or "—",
        entry.late,
        entry.reason,
        entry.id if entry.scan_sha256 else None,
    )


def marks_of_response(response_id: int | None) -> dict[int, onbehalf.Mark]:
    """The marks of a response's entered revisions, by revision number (one query)."""
    if response_id is None:
        return {}
    rows = db.session.execute(
        sa.select(Entry, User.name)
        .outerjoin(User, User.id == Entry.entered_by_id)
        .where(Entry.response_id == response_id)
    )
    return {entry.revision: mark_of(entry, name) for entry, name in rows}
