"""Cast ballots through the real submit path, quickly, for results tests; check that the
counts the database keeps for the results (``consult.results.models``) equal a fresh GROUP BY."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from consult.ballots import onbehalf, services
from consult.ballots.entries import Entered
from consult.ballots.models import Answer, Response, ResponseStatus
from consult.ballots.rules import comment_field, rank_field
from consult.consultations.models import Consultation, ObserversMay, invitation
from consult.extensions import db
from consult.members.models import Member, MemberKind, Region
from consult.results import loaders
from consult.results.models import BallotRanking, Participant, ParticipantCount, RankingCount
from tests.factories import AdminFactory, UserFactory


def cast(
    consultation: Consultation,
    member: Member,
    *,
    ranking: Sequence[int] = (),
    choice: Sequence[int] = (),
    value: int | str | None = None,
    text: str = "",
    write_in: str = "",
    comments: dict[int, str] | None = None,
    comment: str = "",
    draft: bool = False,
    entered: onbehalf.Provenance | None = None,
) -> None:
    """Answer for ``member`` as a delegate would: options are given by 1-based position;
    ``ranking`` applies to the first question, ``choice`` to the second, ``value`` to the
    third (Likert) and ``text`` to the fourth, as in ``build_consultation``. With ``entered``,
    the secretariat (a new administrator) enters it from that provenance instead."""
    user = AdminFactory(name="Ana Secretariat") if entered else UserFactory(member=member)
    fresh = services.load_consultation(consultation.slug)
    assert fresh is not None
    q = fresh.questions
    opts = [o.id for o in q[0].options]
    form: dict[str, list[str]] = {}
    for rank, position in enumerate(ranking, start=1):
        form[rank_field(q[0].id, opts[position - 1])] = [str(rank)]
    if write_in:
        form[f"q{q[0].id}-writein"] = [write_in]
    for position, words in (comments or {}).items():
        form[comment_field(q[0].id, opts[position - 1])] = [words]
    if choice:
        form[f"q{q[1].id}-choice"] = [str(q[1].options[p - 1].id) for p in choice]
    if value is not None:
        form[f"q{q[2].id}-value"] = [str(value)]
    if text:
        form[f"q{q[3].id}-text"] = [text]
    if comment:
        form["comment"] = [comment]
    response = services.current_response(fresh.id, member.id)
    outcome = services.save(
        fresh,
        user,
        form,
        submit=not draft,
        base_version=response.version if response else 0,
        token="",
        entry=Entered(member, entered) if entered else None,
    )
    assert not isinstance(outcome, list), outcome


def _invited() -> sa.ColumnElement[bool]:
    return sa.exists().where(
        invitation.c.consultation_id == Response.consultation_id,
        invitation.c.member_id == Response.member_id,
    )


def expected_ballots() -> set[tuple[Any, ...]]:
    rows = db.session.execute(
        sa.select(
            Answer.response_id,
            Answer.question_id,
            Answer.ranking_key,
            Member.kind != MemberKind.MEMBER_STATE,
        )
        .join(Response, Response.id == Answer.response_id)
        .join(Member, Member.id == Response.member_id)
        .where(
            Answer.ranking_key.is_not(None),
            Response.status == ResponseStatus.SUBMITTED,
            _invited(),
        )
    )
    return {(r, q, k, bool(o)) for r, q, k, o in rows}


def expected_participants() -> set[tuple[Any, ...]]:
    rows = db.session.execute(
        sa.select(
            invitation.c.consultation_id,
            invitation.c.member_id,
            Member.kind,
            Member.region_id,
            Region.name,
            Member.name,
            Response.status,
        )
        .join(Member, Member.id == invitation.c.member_id)
        .join(Region, Region.id == Member.region_id)
        .outerjoin(
            Response,
            sa.and_(
                Response.consultation_id == invitation.c.consultation_id,
                Response.member_id == invitation.c.member_id,
            ),
        )
    )
    return {(c, m, str(k), g, gn, n, str(s) if s else "") for c, m, k, g, gn, n, s in rows}


def kept() -> dict[str, set[tuple[Any, ...]]]:
    """The four tables the triggers keep, as sets of rows."""

    def rows(model: Any, *columns: Any) -> set[tuple[Any, ...]]:
        return {tuple(r) for r in db.session.execute(sa.select(*columns))}

    return {
        "ballots": {
            (r, q, k, bool(o))
            for r, q, k, o in rows(
                BallotRanking,
                BallotRanking.response_id,
                BallotRanking.question_id,
                BallotRanking.ranking_key,
                BallotRanking.observer,
            )
        },
        "rankings": {
            (q, bool(o), k, n)
            for q, o, k, n in rows(
                RankingCount,
                RankingCount.question_id,
                RankingCount.observer,
                RankingCount.ranking_key,
                RankingCount.ballots,
            )
        },
        "participants": rows(
            Participant,
            Participant.consultation_id,
            Participant.member_id,
            Participant.kind,
            Participant.region_id,
            Participant.region_name,
            Participant.member_name,
            Participant.status,
        ),
        "participation": rows(
            ParticipantCount,
            ParticipantCount.consultation_id,
            ParticipantCount.kind,
            ParticipantCount.region_id,
            ParticipantCount.status,
            ParticipantCount.members,
        ),
    }


def assert_in_step(consultations: list[Consultation]) -> None:
    """The kept rows and counters equal a fresh GROUP BY, and the loaders read the same
    rankings and participation as the queries they replaced."""
    db.session.expire_all()
    ballots, participants = expected_ballots(), expected_participants()
    counts: dict[tuple[Any, ...], int] = {}
    for _r, q, k, o in ballots:
        counts[q, o, k] = counts.get((q, o, k), 0) + 1
    tallies: dict[tuple[Any, ...], int] = {}
    for c, _m, kind, g, _gn, _n, s in participants:
        tallies[c, kind, g, s] = tallies.get((c, kind, g, s), 0) + 1
    assert kept() == {
        "ballots": ballots,
        "rankings": {(*key, n) for key, n in counts.items()},
        "participants": participants,
        "participation": {(*key, n) for key, n in tallies.items()},
    }
    for consultation in consultations:
        db.session.refresh(consultation)
        question = consultation.questions[0].id
        for observers_vote in (False, True):
            fresh: dict[tuple[int, ...], int] = {}
            for _r, q, k, o in ballots:
                if q == question and (observers_vote or not o):
                    key = tuple(int(x) for x in k.split(","))
                    fresh[key] = fresh.get(key, 0) + 1
            consultation.observers_may = (
                ObserversMay.VOTE if observers_vote else ObserversMay.COMMENT
            )
            assert loaders.counted_rows(consultation).rankings[question] == fresh
        db.session.rollback()
        shown = {
            (p.kind.value, p.region, p.status.value if p.status else "", p.count)
            for p in loaders.counted_rows(consultation).participation
        }
        names = dict(db.session.execute(sa.select(Region.id, Region.name)).all())
        assert shown == {
            (kind, names[g], s, n) for (c, kind, g, s), n in tallies.items() if c == consultation.id
        }
