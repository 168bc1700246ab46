"""Writes to the membership registry."""

from __future__ import annotations

import sqlalchemy as sa

from consult.core import audit
from consult.core.database import write_transaction
from consult.extensions import db
from consult.members.csvimport import MemberRow, RowError, parse_members
from consult.members.models import Member, MemberKind, Region
from consult.members.names import country_names


class ImportFailed(ValueError):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(f"line {e.line}: {e.message}" for e in errors))
        self.errors = errors


def import_members(text: str, actor_id: int | None = None) -> tuple[int, int]:
    """Create or update members from CSV text; (created, updated). Nothing on any error."""
    rows, errors = parse_members(text)
    if errors:
        raise ImportFailed(errors)
    created = updated = 0
    with write_transaction(db.session):
        regions = {r.name: r for r in db.session.scalars(sa.select(Region))}
        existing = {m.code: m for m in db.session.scalars(sa.select(Member))}
        for row in rows:
            region = regions.get(row.region)
            if region is None:
                region = regions[row.region] = Region(name=row.region)
                db.session.add(region)
            member = existing.get(row.code)
            if member is None:
                member = Member(code=row.code)
                db.session.add(member)
                created += 1
            else:
                updated += 1
            _apply(member, row, region)
        audit.record(
            db.session, "members_imported", actor_id=actor_id, created=created, updated=updated
        )
    return created, updated


def _apply(member: Member, row: MemberRow, region: Region) -> None:
    member.kind = MemberKind(row.kind)
    member.region = region
    names = country_names(row.code) if member.kind is not MemberKind.OBSERVER_ORG else None
    member.name = row.name or (names or {}).get("en", row.code)
    if names:
        member.translations = {"fr": {"name": names["fr"]}, "es": {"name": names["es"]}}
