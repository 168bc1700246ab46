"""Writes to the membership registry: members, regions and CSV imports."""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from consult.config import TRANSLATIONS
from consult.core import audit
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.core.plaintext import fold
from consult.core.refusals import Invalid
from consult.extensions import db
from consult.members import signals
from consult.members.csvimport import (
    NAME_MAX,
    REGION_MAX,
    MemberRow,
    Problem,
    check_code,
    check_text,
    parse_members,
)
from consult.members.models import Member, MemberKind, Region
from consult.members.names import country_names


class ImportFailed(ValueError):
    """The file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.code} {p.params}" for p in problems))
        self.errors = problems


class PlanChanged(ValueError):
    """The registry changed between the preview and the confirmation; nothing was written."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__("the import would now do something else than the preview showed")
        self.plan = plan


class RegistryError(Invalid, ValueError):
    """A registry change refused; ``problems`` name the form fields concerned."""

    problems: list[tuple[str, Problem]]

    def __init__(self, problems: list[tuple[str, Problem]]) -> None:
        super().__init__(problems, ", ".join(f"{f}: {p.code}" for f, p in problems))

    def located(self) -> list[tuple[str | None, Any]]:
        return list(self.problems)


# Names ------------------------------------------------------------------------------------


def default_names(code: str, kind: MemberKind | str) -> dict[str, str] | None:
    """The ISO 3166 names of a state in en/fr/es; None for organisations and unknown codes."""
    if MemberKind(kind) is MemberKind.OBSERVER_ORG:
        return None
    return country_names(code)


def is_known_state(code: str) -> bool:
    return country_names(code) is not None


def _names(member: Member) -> dict[str, str]:
    return {
        lang: (member.translations or {}).get(lang, {}).get("name", "") for lang in TRANSLATIONS
    }


def _with_names(translations: dict[str, Any] | None, names: dict[str, str]) -> dict[str, Any]:
    """``translations`` with the fr/es names replaced (other translated fields kept)."""
    out = {lang: dict(values) for lang, values in (translations or {}).items()}
    for lang in TRANSLATIONS:
        if names.get(lang):
            out.setdefault(lang, {})["name"] = names[lang]
        elif lang in out:
            out[lang].pop("name", None)
            if not out[lang]:
                del out[lang]
    return out


# CSV import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """What the import does with one row: create, update (with the fields that change) or
    leave alone."""

    line: int
    code: str
    action: str  # "create", "update" or "unchanged"
    name: str
    kind: str
    region: str
    name_fr: str
    name_es: str
    fields: tuple[tuple[str, str, str], ...] = ()  # (field, before, after)


@dataclass(frozen=True)
class ImportPlan:
    changes: tuple[Change, ...]
    problems: tuple[Problem, ...]
    new_regions: tuple[str, ...]

    def count(self, action: str) -> int:
        return sum(1 for c in self.changes if c.action == action)

    @property
    def unknown_regions(self) -> tuple[str, ...]:
        """Regions the file names that are not in the list, when nothing else is wrong: the
        administrator may confirm them as new regions."""
        if not self.problems or any(p.code != "region_unknown" for p in self.problems):
            return ()
        return tuple(dict.fromkeys(str(p.params["region"]) for p in self.problems))

    @property
    def digest(self) -> str:
        """Identifies what the import would do, to notice a registry changed meanwhile."""
        canonical = json.dumps(
            [
                [c.code, c.action, c.name, c.kind, c.region, c.name_fr, c.name_es]
                for c in self.changes
            ]
            + [list(self.new_regions)],
            ensure_ascii=False,
        )
        return hashlib.sha256(canonical.encode()).hexdigest()


#: Any region a file names may be created without asking (the demo and benchmarks).
ANY_REGION = "*"


def _target(row: MemberRow, member: Member | None, region_name: str) -> Change:
    defaults = default_names(row.code, row.kind) or {}
    before = _names(member) if member is not None else {"fr": "", "es": ""}
    name = row.name or (member.name if member is not None else "") or defaults.get("en", "")
    fr = row.name_fr or before["fr"] or defaults.get("fr", "")
    es = row.name_es or before["es"] or defaults.get("es", "")
    after = {"name": name, "kind": row.kind, "region": region_name, "name_fr": fr, "name_es": es}
    if member is None:
        return Change(row.line, row.code, "create", name, row.kind, region_name, fr, es)
    current = {
        "name": member.name,
        "kind": member.kind.value,
        "region": member.region.name,
        "name_fr": before["fr"],
        "name_es": before["es"],
    }
    fields = tuple((f, current[f], after[f]) for f in after if current[f] != after[f])
    action = "update" if fields else "unchanged"
    return Change(row.line, row.code, action, name, row.kind, region_name, fr, es, fields)


def _region_names(session: DbSession) -> dict[str, str]:
    """Every name of every region (English, French, Spanish), folded → the English name."""
    names: dict[str, str] = {}
    for region in session.scalars(sa.select(Region)):
        for lang in ("en", *TRANSLATIONS):
            names.setdefault(fold(region.localized("name", lang)), region.name)
    return names


def _plan(session: DbSession, text: str, new_regions: Collection[str] = ()) -> ImportPlan:
    """What importing ``text`` would do. A region the list does not hold, by any of its names
    (case and accents aside), is a problem unless it is among ``new_regions``: a misspelt
    region must not silently become a new one."""
    rows, problems = parse_members(text, is_known_state)
    if problems:
        return ImportPlan((), tuple(problems), ())
    known = _region_names(session)
    members = {m.code: m for m in session.scalars(sa.select(Member))}
    accepted = {fold(r) for r in new_regions}
    created: dict[str, str] = {}
    changes = []
    unknown: list[Problem] = []
    for row in rows:
        key = fold(row.region)
        if key in known:
            region_name = known[key]
        elif ANY_REGION in accepted or key in accepted:
            region_name = created.setdefault(key, row.region)
        else:
            close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
            suggestion = known[close[0]] if close else ""
            unknown.append(
                Problem(row.line, "region_unknown", {"region": row.region, "suggest": suggestion})
            )
            continue
        changes.append(_target(row, members.get(row.code), region_name))
    if unknown:
        return ImportPlan((), tuple(unknown), ())
    return ImportPlan(tuple(changes), (), tuple(created.values()))


def plan_import(text: str, new_regions: Collection[str] = ()) -> ImportPlan:
    """What importing ``text`` would do (reads only)."""
    return _plan(db.session, text, new_regions)


def apply_import(
    text: str,
    actor_id: int | None = None,
    expected: str | None = None,
    new_regions: Collection[str] = (),
) -> ImportPlan:
    """Import ``text`` in one transaction: all rows or none.

    The plan is computed again inside the transaction; when ``expected`` (the digest of the
    plan the administrator saw) no longer matches, nothing is written and :class:`PlanChanged`
    carries the new plan. Rows that change nothing are not written, so importing the same file
    twice changes nothing the second time. Regions not in the list are created only when named
    in ``new_regions`` (or ``ANY_REGION``).
    """
    with write_transaction(db.session) as session:
        plan = _plan(session, text, new_regions)
        if plan.problems:
            raise ImportFailed(list(plan.problems))
        if expected is not None and plan.digest != expected:
            raise PlanChanged(plan)
        if not plan.count("create") and not plan.count("update"):
            return plan
        regions = {r.name: r for r in session.scalars(sa.select(Region))}
        for name in plan.new_regions:
            regions[name] = Region(name=name)
            session.add(regions[name])
        members = {m.code: m for m in session.scalars(sa.select(Member))}
        for change in plan.changes:
            if change.action == "unchanged":
                continue
            member = members.get(change.code)
            if member is None:
                member = Member(code=change.code, active=True)
                session.add(member)
            member.name = change.name
            member.kind = MemberKind(change.kind)
            member.region = regions[change.region]
            member.translations = _with_names(
                member.translations, {"fr": change.name_fr, "es": change.name_es}
            )
        audit.record(
            session,
            Action.MEMBERS_IMPORTED,
            actor_id=actor_id,
            created=plan.count("create"),
            updated=plan.count("update"),
            unchanged=plan.count("unchanged"),
            regions_created=len(plan.new_regions),
        )
    return plan


def import_members(
    text: str, actor_id: int | None = None, new_regions: Collection[str] = ()
) -> tuple[int, int]:
    """Create or update members from CSV text; (created, updated). Nothing on any problem."""
    plan = apply_import(text, actor_id, new_regions=new_regions)
    return plan.count("create"), plan.count("update")


# Members ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberData:
    code: str
    name: str
    kind: str
    region_id: int | None
    name_fr: str = ""
    name_es: str = ""


def _check_member(session: DbSession, data: MemberData, member_id: int | None):
    problems: list[tuple[str, Problem]] = []
    code = data.code.strip().upper()
    if data.kind not in {k.value for k in MemberKind}:
        kinds = ", ".join(k.value for k in MemberKind)
        problems.append(("kind", Problem(0, "kind", {"kind": data.kind, "kinds": kinds})))
        return problems, None
    problems.extend(("code", p) for p in check_code(code, data.kind))
    taken = session.scalar(
        sa.select(Member.id).where(Member.code == code, Member.id != (member_id or 0))
    )
    if taken:
        problems.append(("code", Problem(0, "code_taken", {"code": code})))
    for field, value in (("name", data.name), ("name_fr", data.name_fr), ("name_es", data.name_es)):
        problems.extend((field, p) for p in check_text(value.strip(), field, maximum=NAME_MAX))
    defaults = default_names(code, data.kind) if not problems else None
    if not data.name.strip() and not defaults:
        problems.append(("name", Problem(0, "name_missing", {"code": code})))
    region = session.get(Region, data.region_id) if data.region_id else None
    if region is None:
        problems.append(("region", Problem(0, "region_missing")))
    return problems, region


def save_member(actor_id: int, data: MemberData, member_id: int | None = None) -> Member:
    """Create (``member_id`` None) or edit a member. Empty names of a state take the ISO 3166
    names; a name given in a language overrides them."""
    with write_transaction(db.session) as session:
        problems, region = _check_member(session, data, member_id)
        if problems:
            raise RegistryError(problems)
        code = data.code.strip().upper()
        defaults = default_names(code, data.kind) or {}
        member = (
            Member(code=code, active=True) if member_id is None else session.get(Member, member_id)
        )
        if member is None:
            raise LookupError(member_id)
        session.add(member)
        before = {"code": member.code, "name": member.name}
        member.code = code
        member.kind = MemberKind(data.kind)
        member.region = region
        member.name = data.name.strip() or defaults.get("en", "")
        member.translations = _with_names(
            member.translations,
            {
                "fr": data.name_fr.strip() or defaults.get("fr", ""),
                "es": data.name_es.strip() or defaults.get("es", ""),
            },
        )
        session.flush()
        audit.record(
            session,
            Action.MEMBER_CREATED if member_id is None else Action.MEMBER_UPDATED,
            actor_id=actor_id,
            member_id=member.id,
            code=code,
            previous=before if member_id is not None else None,
        )
    return member


def set_member_active(actor_id: int, member_id: int, active: bool) -> Member:
    """Deactivate (its delegates' sessions end at once) or reactivate a member. Members are
    never deleted: their responses and history stay."""
    with write_transaction(db.session) as session:
        member = session.get(Member, member_id)
        if member is None:
            raise LookupError(member_id)
        member.active = active
        if not active:
            signals.deactivated.send(None, session=session, member=member)
        audit.record(
            session,
            Action.MEMBER_REACTIVATED if active else Action.MEMBER_DEACTIVATED,
            actor_id=actor_id,
            member_id=member.id,
        )
    return member


# Regions ----------------------------------------------------------------------------------


def save_region(
    actor_id: int, name: str, name_fr: str = "", name_es: str = "", region_id: int | None = None
) -> Region:
    """Create or rename a region (names unique whatever their case)."""
    name = name.strip()
    with write_transaction(db.session) as session:
        problems: list[tuple[str, Problem]] = []
        if not name:
            problems.append(("name", Problem(0, "region_missing")))
        for field, value in (("name", name), ("name_fr", name_fr), ("name_es", name_es)):
            problems.extend(
                (field, p) for p in check_text(value.strip(), field, maximum=REGION_MAX)
            )
        clash = session.scalar(
            sa.select(Region.id).where(
                sa.func.lower(Region.name) == name.lower(), Region.id != (region_id or 0)
            )
        )
        if clash:
            problems.append(("name", Problem(0, "region_taken", {"name": name})))
        if problems:
            raise RegistryError(problems)
        region = Region(name=name) if region_id is None else session.get(Region, region_id)
        if region is None:
            raise LookupError(region_id)
        session.add(region)
        region.name = name
        region.translations = _with_names(
            region.translations, {"fr": name_fr.strip(), "es": name_es.strip()}
        )
        session.flush()
        audit.record(
            session,
            Action.REGION_SAVED,
            actor_id=actor_id,
            region=region.id,
            name=name,
        )
    return region


def seed_regions(names: dict[str, dict[str, str]]) -> int:
    """Create the regions of ``names`` (English → {"fr": …, "es": …}) that are missing; the
    names of existing regions are left as the Administration edited them. Returns how many."""
    with write_transaction(db.session) as session:
        existing = {r.name.casefold() for r in session.scalars(sa.select(Region))}
        missing = [name for name in names if name.casefold() not in existing]
        for name in missing:
            session.add(Region(name=name, translations=_with_names({}, names[name])))
    return len(missing)


def delete_region(actor_id: int, region_id: int) -> None:
    """Delete a region no member belongs to."""
    with write_transaction(db.session) as session:
        region = session.get(Region, region_id)
        if region is None:
            raise LookupError(region_id)
        used = session.scalar(sa.select(sa.func.count()).where(Member.region_id == region.id))
        if used:
            raise RegistryError([("region", Problem(0, "region_used", {"count": str(used)}))])
        session.delete(region)
        audit.record(
            session, Action.REGION_DELETED, actor_id=actor_id, region=region_id, name=region.name
        )
