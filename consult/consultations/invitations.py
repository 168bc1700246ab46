"""Who is invited to a consultation: every member state, observers too or not, or a chosen set."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from consult.consultations import lifecycle
from consult.consultations.models import Consultation, invitation
from consult.consultations.responses import response
from consult.core import audit, clock
from consult.core.actions import Action
from consult.core.database import DbSession, write_transaction
from consult.core.params import parse_id
from consult.extensions import db
from consult.members.models import Member, MemberKind


class InvitationsLocked(Exception):
    """The consultation is closed: the invited members can no longer change."""


def members_to_invite(
    session: DbSession,
    invite_all: bool,
    invite_observers: bool,
    chosen: Iterable[Member],
    *,
    registry: Iterable[Member] | None = None,
) -> list[Member]:
    """Every active member state (and active observer, if asked) — or exactly ``chosen``.

    ``registry``: every member, already loaded (an import of many consultations), chosen from
    instead of asking the database."""
    if not invite_all:
        return sorted(set(chosen), key=lambda m: m.code)
    if registry is not None:
        return sorted(
            (
                m
                for m in registry
                if m.active and (invite_observers or m.kind is MemberKind.MEMBER_STATE)
            ),
            key=lambda m: m.code,
        )
    query = sa.select(Member).where(Member.active)
    if not invite_observers:
        query = query.where(Member.kind == MemberKind.MEMBER_STATE)
    return list(session.scalars(query.order_by(Member.code)))


def count(session: DbSession, consultation_id: int) -> int:
    """How many members are invited."""
    return int(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(invitation)
            .where(invitation.c.consultation_id == consultation_id)
        )
        or 0
    )


def choices(session: DbSession, consultation: Consultation) -> list[Member]:
    """The members the invitations page offers: the active ones and those already invited."""
    invited = [m.id for m in consultation.invited]
    return list(
        session.scalars(
            sa.select(Member)
            .where(Member.active | Member.id.in_(invited))
            .order_by(Member.kind, Member.code)
        )
    )


def newcomers(session: DbSession, consultation: Consultation) -> list[Member]:
    """Members that "every member state" (observers too, if asked) would invite now but that
    are not invited: they joined the registry, or were reactivated, after the list was last
    computed (on saving and at opening)."""
    if not consultation.invite_all:
        return []
    invited = {m.id for m in consultation.invited}
    return [
        m
        for m in members_to_invite(session, True, consultation.invite_observers, ())
        if m.id not in invited
    ]


def quick_selection(
    members: Iterable[Member], ticked: Iterable[int], choice: str
) -> set[int] | None:
    """The ticks after a quick choice: ``all``, ``none``, ``kind:member_state``,
    ``kind:observers`` or ``region:<id>`` (added to what is ticked); None when not understood."""
    members = list(members)
    current = set(ticked)
    if choice == "all":
        return {m.id for m in members}
    if choice == "none":
        return set()
    what, _sep, value = choice.partition(":")
    if what == "kind" and value in ("member_state", "observers"):
        states = value == "member_state"
        return current | {m.id for m in members if (m.kind is MemberKind.MEMBER_STATE) == states}
    region = parse_id(value) if what == "region" else None
    if region is not None:
        return current | {m.id for m in members if m.region_id == region}
    return None


def refresh(session: DbSession, consultation: Consultation, chosen: Iterable[Member] = ()) -> None:
    """Recompute the invited members; members who have responded always stay invited."""
    wanted = members_to_invite(
        session,
        consultation.invite_all,
        consultation.invite_observers,
        chosen if not consultation.invite_all else (),
    )
    responders = session.scalars(
        sa.select(Member)
        .join(response, response.c.member_id == Member.id)
        .where(response.c.consultation_id == consultation.id)
    ).all()
    keep = {m.id: m for m in [*wanted, *responders]}
    consultation.invited = sorted(keep.values(), key=lambda m: m.code)


def set_invitations(
    consultation_id: int,
    *,
    invite_all: bool,
    invite_observers: bool,
    member_ids: Iterable[int],
    actor_id: int,
) -> Consultation:
    """Change who is invited, until the consultation closes; audited with the difference."""
    with write_transaction(db.session) as session:
        consultation = session.get_one(Consultation, consultation_id, with_for_update=True)
        if not lifecycle.invitations_editable(
            consultation.status, consultation.closes_at, clock.now()
        ):
            raise InvitationsLocked
        before = {m.code for m in consultation.invited}
        chosen = session.scalars(sa.select(Member).where(Member.id.in_(list(member_ids)))).all()
        consultation.invite_all = invite_all
        consultation.invite_observers = invite_observers
        refresh(session, consultation, chosen)
        after = {m.code for m in consultation.invited}
        audit.record(
            session,
            Action.INVITATIONS_CHANGED,
            actor_id=actor_id,
            consultation_id=consultation.id,
            invite_all=invite_all,
            invite_observers=invite_observers,
            added=sorted(after - before),
            removed=sorted(before - after),
            invited=len(after),
        )
    return consultation
