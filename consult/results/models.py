"""What the results page counts, kept by the database as ballots and invitations change.

Nothing in Python writes these tables: triggers (migration ``9c4d2e7f1a35``) keep them from
the answers, responses, invitations, members and regions, whoever writes those (the submit
path, the secretariat's entries, imports, cascaded deletes). Two per-row tables are refreshed
idempotently from the current state of the rows they copy (so that PostgreSQL's submit, one
statement whose AFTER triggers all fire at its end, counts each ballot once), and two
counters are kept by those tables' own triggers from the rows inserted and deleted alone:

* :class:`BallotRanking`: one row per counted ranking ballot (a submitted response of an
  invited member, with a ranking for the question): its ranking text and whether its member
  is an observer; :class:`RankingCount` counts them per (question, observer, ranking);
* :class:`Participant`: one row per invitation, with the member's kind, region and name and
  the response's status ('' without a response); :class:`ParticipantCount` counts them per
  (consultation, kind, region, status). The results page pages those who submitted over it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import Model


class BallotRanking(Model):
    """A counted ballot's ranking of one question (``Answer.ranking_key``)."""

    __tablename__ = "ballot_ranking"

    response_id: Mapped[int] = mapped_column(
        sa.ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    ranking_key: Mapped[str] = mapped_column(sa.Text)
    observer: Mapped[bool]


class RankingCount(Model):
    """How many counted ballots cast one ranking of a question, member states' and
    observers' apart (no row once none does)."""

    __tablename__ = "ranking_count"

    question_id: Mapped[int] = mapped_column(
        sa.ForeignKey("question.id", ondelete="CASCADE"), primary_key=True
    )
    observer: Mapped[bool] = mapped_column(primary_key=True)
    ranking_key: Mapped[str] = mapped_column(sa.Text, primary_key=True)
    ballots: Mapped[int]


class Participant(Model):
    """An invited member as the results list it: kind, region and names copied, and the
    status of its response ('' when it has none)."""

    __tablename__ = "participant"
    __table_args__ = (
        # Those who submitted (or not), a page at a time in the lists' order.
        sa.Index(
            "ix_participant_listed",
            "consultation_id",
            "status",
            "region_name",
            "member_name",
            "member_id",
        ),
        # The entry form's invited members by name.
        sa.Index("ix_participant_by_name", "consultation_id", "member_name", "member_id"),
    )

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        sa.ForeignKey("member.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20))
    region_id: Mapped[int] = mapped_column(sa.ForeignKey("region.id"), index=True)
    region_name: Mapped[str] = mapped_column(sa.String(80))
    member_name: Mapped[str] = mapped_column(sa.String(200))
    status: Mapped[str] = mapped_column(sa.String(20))


class ParticipantCount(Model):
    """How many invited members of a kind and region have a response in a status ('': none)."""

    __tablename__ = "participant_count"

    consultation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("consultation.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    region_id: Mapped[int] = mapped_column(
        sa.ForeignKey("region.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    members: Mapped[int]
