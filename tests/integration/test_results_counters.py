"""The counts the database keeps for the results (``consult.results.models``) never drift
from what a fresh GROUP BY over the ballots, invitations and members gives."""

from __future__ import annotations

import importlib.util
import random
import threading
from collections.abc import Iterator
from datetime import date
from itertools import permutations
from pathlib import Path

import pytest
import sqlalchemy as sa

from consult.ballots import onbehalf
from consult.ballots.models import Response, ResponseStatus
from consult.ballots.rules import rank_field
from consult.consultations.models import Consultation, invitation
from consult.extensions import db
from consult.members.models import Member, MemberKind
from consult.results.models import BallotRanking, Participant, ParticipantCount, RankingCount
from tests.conftest import AuthActions, protections_lifted
from tests.factories import MemberFactory, RegionFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import hidden_fields, ranking_form, submit_and_check
from tests.integration.results_helpers import assert_in_step, cast, kept

RANKINGS = [list(p) for n in (1, 2, 3) for p in permutations((1, 2, 3), n)]


def _invite(consultation_id: int, member_id: int, *, invited: bool) -> None:
    if invited:
        db.session.execute(
            sa.insert(invitation).values(consultation_id=consultation_id, member_id=member_id)
        )
    else:
        db.session.execute(
            sa.delete(invitation).where(
                invitation.c.consultation_id == consultation_id,
                invitation.c.member_id == member_id,
            )
        )
    db.session.commit()


@pytest.mark.parametrize("seed", [2010, 7])
def test_counts_kept_by_triggers_follow_every_change(app, seed):
    rng = random.Random(seed)
    europe, africa = RegionFactory(name="Europe"), RegionFactory(name="Africa")
    people = [
        MemberFactory(region=rng.choice((europe, africa)), kind=kind)
        for kind in [MemberKind.MEMBER_STATE] * 6
        + [MemberKind.OBSERVER_STATE, MemberKind.OBSERVER_ORG] * 2
    ]
    first = build_consultation("first", observers_may="vote")
    second = build_consultation("second", observers_may="vote")
    consultations = [first, second]
    member_ids = [m.id for m in people]
    assert_in_step(consultations)
    for step in range(40):
        consultation = rng.choice(consultations)
        member = db.session.get(Member, rng.choice(member_ids))
        assert member is not None
        is_invited = bool(
            db.session.scalar(
                sa.select(sa.func.count())
                .select_from(invitation)
                .where(
                    invitation.c.consultation_id == consultation.id,
                    invitation.c.member_id == member.id,
                )
            )
        )
        action = rng.choice(
            ["submit"] * 5 + ["draft", "entry", "kind", "invitation", "rename", "region", "return"]
        )
        if action in ("submit", "draft", "entry") and is_invited:
            entered = (
                onbehalf.Provenance(onbehalf.Channel.EMAIL, date(2026, 12, 1), f"REF-{step}")
                if action == "entry"
                else None
            )
            cast(
                consultation,
                member,
                ranking=rng.choice(RANKINGS),
                choice=[1, 2],
                draft=action == "draft",
                entered=entered,
            )
        elif action == "kind":
            member.kind = (
                MemberKind.OBSERVER_STATE
                if member.kind is MemberKind.MEMBER_STATE
                else MemberKind.MEMBER_STATE
            )
            db.session.commit()
        elif action == "invitation":
            _invite(consultation.id, member.id, invited=not is_invited)
        elif action == "rename":
            member.name = f"{member.name}*"
            db.session.commit()
        elif action == "region":
            if rng.random() < 0.5:
                member.region = africa if member.region_id == europe.id else europe
            else:
                region = rng.choice((europe, africa))
                region.name = f"{region.name}*"
            db.session.commit()
        elif action == "return":  # a submitted response back to a draft, as the owner would
            db.session.execute(
                sa.update(Response)
                .where(
                    Response.consultation_id == consultation.id,
                    Response.member_id == member.id,
                )
                .values(status=ResponseStatus.DRAFT, submitted_at=None)
            )
            db.session.commit()
        assert_in_step(consultations)
    # A member invited but never answering, deleted: its invitations go by cascade.
    gone = MemberFactory(region=europe)
    for consultation in consultations:
        _invite(consultation.id, gone.id, invited=True)
    assert_in_step(consultations)
    db.session.delete(gone)
    db.session.commit()
    assert_in_step(consultations)


@pytest.fixture
def ranking_log(app) -> Iterator[None]:
    """The log of :func:`_log_ranking_deletions` dropped after the test: the worker's
    database keeps the migrations' schema for the tests after it (a table left behind made
    ``test_cli.test_migrations_match_models`` fail when it came later in the same worker)."""
    yield
    db.session.rollback()
    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.begin() as conn:
        on = " ON ballot_ranking" if postgresql else ""
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS ranking_deleted{on}")
        conn.exec_driver_sql("DROP TABLE IF EXISTS ranking_deleted")
        if postgresql:
            conn.exec_driver_sql("DROP FUNCTION IF EXISTS log_ranking_deleted()")


def _log_ranking_deletions() -> None:
    """From now on, every ``ballot_ranking`` row deleted is logged (:func:`_rankings_deleted`);
    tests that call it use :func:`ranking_log`."""
    db.session.execute(sa.text("CREATE TABLE ranking_deleted (response_id integer)"))
    insert = "INSERT INTO ranking_deleted VALUES (OLD.response_id)"
    trigger = "CREATE TRIGGER ranking_deleted AFTER DELETE ON ballot_ranking"
    if db.engine.dialect.name == "postgresql":
        db.session.execute(
            sa.text(
                "CREATE FUNCTION log_ranking_deleted() RETURNS trigger LANGUAGE plpgsql AS "
                f"$$ BEGIN {insert}; RETURN NULL; END $$"
            )
        )
        db.session.execute(
            sa.text(f"{trigger} FOR EACH ROW EXECUTE FUNCTION log_ranking_deleted()")
        )
    else:
        db.session.execute(sa.text(f"{trigger} BEGIN {insert}; END"))
    db.session.commit()


def _rankings_deleted() -> int:
    return db.session.scalar(sa.text("SELECT count(*) FROM ranking_deleted")) or 0


def test_a_ballot_submitted_again_keeps_its_counted_ranking_until_it_changes(app, ranking_log):
    """Submitting the same rankings again leaves their counted rows in place (on SQLite they
    were deleted and inserted again, their counts lowered and raised); a different ranking,
    or none, replaces or removes its row, and the counts follow."""
    options = [{"label": x} for x in "ABC"]
    questions = [
        {"kind": "ranking", "prompt": p, "required": False, "options": options}
        for p in ("First", "Second")
    ]
    member = MemberFactory()
    user = UserFactory(member=member)
    consultation = build_consultation("again", questions=questions)
    first, second = consultation.questions
    _log_ranking_deletions()

    def submit(*rankings: list[int]) -> None:
        form: dict[str, list[str]] = {}
        for question, positions in zip((first, second), rankings, strict=False):
            ids = [o.id for o in question.options]
            for rank, position in enumerate(positions, start=1):
                form[rank_field(question.id, ids[position - 1])] = [str(rank)]
        submit_and_check(consultation, user, form)

    for _ in range(3):
        submit([1, 2, 3], [3, 2, 1])
    assert _rankings_deleted() == 0
    submit([2, 1], [3, 2, 1])
    assert _rankings_deleted() == 1
    submit([2, 1])
    assert _rankings_deleted() == 2
    ranking = f"{first.options[1].id},{first.options[0].id}"
    assert kept()["rankings"] == {(first.id, False, ranking, 1)}


def test_the_migration_rebuilds_what_the_triggers_kept(app):
    """The migration's backfill, run over rows written through the submit path, gives the
    same rows and counts as the triggers kept."""
    states = [MemberFactory() for _ in range(4)]
    observer = MemberFactory(kind=MemberKind.OBSERVER_ORG)
    c = build_consultation(observers_may="vote")
    for i, m in enumerate([*states, observer]):
        cast(c, m, ranking=RANKINGS[i % len(RANKINGS)], choice=[1, 2])
    cast(c, states[0], ranking=[3, 1])
    cast(c, states[1], ranking=[2], draft=True)
    _invite(c.id, states[2].id, invited=False)
    before = kept()
    assert before["ballots"]

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    path = next(versions.glob("*_results_counters.py"))
    spec = importlib.util.spec_from_file_location("results_counters", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    # Emptied and rebuilt as the migration does, before its triggers exist.
    connection = db.session.connection()
    with protections_lifted(connection, every_table=True):
        for model in (BallotRanking, Participant, RankingCount, ParticipantCount):
            connection.execute(sa.delete(model))
        assert not any(kept().values())
        migration.backfill(connection)
    assert kept() == before
    db.session.commit()


def test_a_member_edit_and_a_submission_for_that_member_are_serialised(app):
    """A kind change not yet committed holds back a submission of the same member (SQLite:
    the write lock; PostgreSQL: the audit chain's lock its trigger takes), which then counts
    the member's first ballot on the new side."""
    member = MemberFactory()
    user = UserFactory(member=member)
    c = build_consultation(observers_may="vote")
    client = app.test_client()
    AuthActions(client).login(user.email)
    data = {**ranking_form(c, {2: "1", 1: "2"}), **hidden_fields(client, c.slug)}
    done = threading.Event()
    statuses: list[int] = []

    def submit() -> None:
        try:
            response = client.post(address, data={**data, "action": "submit"})
            statuses.append(response.status_code)
        finally:
            done.set()

    member_id, address = member.id, f"/consultations/{c.slug}"
    db.session.commit()
    with db.engine.connect() as conn:
        edit = conn.begin()
        conn.execute(
            sa.update(Member).where(Member.id == member_id).values(kind=MemberKind.OBSERVER_STATE)
        )
        thread = threading.Thread(target=submit)
        thread.start()
        assert not done.wait(0.5)  # the submission waits for the edit
        edit.commit()
    thread.join()
    assert statuses == [303]
    assert_in_step([c])
    assert kept()["rankings"] == {(c.questions[0].id, True, _key(c, [2, 1]), 1)}


def _key(consultation: Consultation, positions: list[int]) -> str:
    options = consultation.questions[0].options
    return ",".join(str(options[p - 1].id) for p in positions)
