"""The Administration reads participation, tallies, write-ins and comments."""

from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

from consult import tally
from consult.ballots.models import Response, Revision
from consult.consultations.lifecycle import Status
from consult.consultations.models import Consultation
from consult.core import clock
from consult.extensions import db
from consult.members.models import MemberKind
from consult.results.services import consultation_results
from tests.factories import (
    AdminFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
    build_consultation,
)
from tests.integration.results_helpers import cast

SOUTH, SOCIAL, HEALTH = 1, 2, 3


@pytest.fixture
def admin(auth):
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")


def page(client, slug="idm-2010", **args) -> str:
    response = client.get(f"/admin/consultations/{slug}/results", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def members(n: int, region: str = "Europe", kind=MemberKind.MEMBER_STATE, prefix="State"):
    r = RegionFactory(name=region)
    return [MemberFactory(region=r, kind=kind, name=f"{prefix} {region} {i}") for i in range(n)]


def test_participation_counts_submitted_drafts_and_missing_by_kind_and_region(client, admin):
    europe = members(3, "Europe")
    africa = members(2, "Africa")
    observer = members(1, "Europe", MemberKind.OBSERVER_ORG, prefix="Red Cross")[0]
    c = build_consultation()
    cast(c, europe[0], ranking=[SOUTH])
    cast(c, africa[0], ranking=[SOCIAL, SOUTH])
    cast(c, europe[1], ranking=[SOUTH], draft=True)
    cast(c, observer, comment="We follow with interest")
    text = page(client)
    assert "3 of 6 invited members have submitted a response (50%)" in text
    assert "1 have saved a draft only and 2 have not started" in text
    section = text.split('id="not-submitted"')[1].split("</table>")[0]
    for m in (europe[1], europe[2], africa[1]):
        assert m.name in section
    for m in (europe[0], africa[0], observer):
        assert m.name not in section
    assert 'href="/admin/consultations/idm-2010/reminders"' in text


def test_official_irv_result_and_other_methods_only_count_submitted_member_states(client, admin):
    states = members(5)
    observer = members(1, kind=MemberKind.OBSERVER_STATE, prefix="Observer")[0]
    draft_member = members(1, prefix="Drafter")[0]
    c = build_consultation()
    # First preferences: South 2, Social 2, Health 1; Health's ballot transfers to Social.
    cast(c, states[0], ranking=[SOUTH, SOCIAL])
    cast(c, states[1], ranking=[SOUTH])
    cast(c, states[2], ranking=[SOCIAL, SOUTH])
    cast(c, states[3], ranking=[SOCIAL])
    cast(c, states[4], ranking=[HEALTH, SOCIAL])
    cast(c, draft_member, ranking=[HEALTH], draft=True)
    cast(c, observer, comment="Observers may comment only")
    text = page(client)
    official = text.split('class="official-result"')[1].split("</div>")[0]
    assert "Instant-runoff" in official
    assert "Preferred option: Migration and Social Change" in official
    assert "5 valid ballots." in text
    assert "Round 2" in text
    assert "Their ballots went to: Migration and Social Change 1." in text
    assert "Condorcet winner" in text


def test_tie_is_flagged_not_hidden(client, admin):
    states = members(2)
    c = build_consultation()
    with db.session.begin():
        question = db.session.scalars(sa.select(Consultation)).one().questions[0]
        question.official_method = "borda"
    cast(c, states[0], ranking=[SOUTH, SOCIAL])
    cast(c, states[1], ranking=[SOCIAL, SOUTH])
    official = page(client).split('class="official-result"')[1].split("</div>")[0]
    assert "Borda count" in official
    assert "Tie" in official
    assert "Tied for first place: South-South Migration, Migration and Social Change" in official


def test_write_ins_are_grouped_with_who_suggested_them(client, admin):
    states = members(3)
    c = build_consultation()
    cast(c, states[0], ranking=[SOUTH], write_in="Migration et Santé")
    cast(c, states[1], ranking=[SOUTH], write_in="  migration  et sante ")
    cast(c, states[2], ranking=[SOUTH], write_in="Climate change")
    text = page(client)
    table = text.split("Other suggestions (write-ins)")[-1].split("</table>")[0]
    assert table.index("Migration et Santé") < table.index("Climate change")
    first_row = table.split("<tr>")[2]
    assert states[0].name in first_row
    assert states[1].name in first_row
    assert (
        "also written: migration  et sante" in first_row
        or "also written: migration et sante" in first_row
    )


def test_comments_show_member_and_region_and_observers_are_marked_and_filterable(client, admin):
    state = members(1, "Africa", prefix="Kenya-like")[0]
    observer = members(1, "Europe", MemberKind.OBSERVER_ORG, prefix="Red Cross")[0]
    c = build_consultation()
    cast(c, state, ranking=[SOUTH], comments={SOUTH: "Timely for our region"}, comment="Thanks")
    cast(c, observer, comments={SOUTH: "Humanitarian angle"}, comment="Observer view")
    everyone = page(client)
    assert "Timely for our region" in everyone
    assert "Humanitarian angle" in everyone
    observer_item = everyone.split("Humanitarian angle")[0].rsplit("<li>", 1)[1]
    assert "Observer" in observer_item
    assert "(Europe)" in observer_item
    only_observers = page(client, who="observers")
    assert "Humanitarian angle" in only_observers
    assert "Timely for our region" not in only_observers
    only_members = page(client, who="members")
    assert "Observer view" not in only_members
    assert "Thanks" in only_members


def test_a_comment_names_its_region_in_the_readers_language(client, auth):
    AdminFactory(email="admin-fr@example.org", locale="fr")
    auth.login("admin-fr@example.org")
    RegionFactory(name="Africa", translations={"fr": {"name": "Afrique"}})
    state = members(1, "Africa", prefix="Kenya-like")[0]
    c = build_consultation()
    cast(c, state, ranking=[SOUTH], comments={SOUTH: "Timely for our region"}, comment="Merci")
    text = page(client)
    for said in ("Timely for our region", "Merci"):
        item = text.split(said)[0].rsplit("<li>", 1)[1]
        assert "(Afrique)" in item
        assert "(Africa)" not in item


def test_choose_two_and_likert_results(client, admin):
    states = members(4)
    c = build_consultation()
    cast(c, states[0], ranking=[SOUTH], choice=[1, 2], value=5)
    cast(c, states[1], ranking=[SOUTH], choice=[1, 3], value=4)
    cast(c, states[2], ranking=[SOUTH], choice=[1, 2], value="none")
    cast(c, states[3], ranking=[SOUTH], choice=[2, 4], value=2)
    text = page(client)
    q2 = text.split('id="question-')[2]
    assert "Selected: Workshop 1, Workshop 2" in q2
    assert "4 respondents." in q2
    q3 = text.split('id="question-')[3]
    assert "Mean: 3.67 · Median: 4 · 3 answers on the scale" in q3
    assert "No opinion (not in the mean or median)" in q3


def test_the_page_follows_a_change_of_the_questions_it_keeps(client, admin):
    """The page takes the questions and options from the structure kept per process, by
    structure version: an option renamed since the last view shows its new label, in the
    reader's language, and a question added since shows too."""
    states = members(2)
    c = build_consultation()
    cast(c, states[0], ranking=[SOUTH])
    assert "Migration Sud-Sud" in client.get(
        "/admin/consultations/idm-2010/results", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    option = c.questions[0].options[0]
    option.translations = {"fr": {"label": "Migrations Sud-Sud et triangulaires"}}
    option.label = "South-South and triangular migration"
    db.session.commit()
    assert "South-South and triangular migration" in page(client)
    french = client.get(
        "/admin/consultations/idm-2010/results", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "Migrations Sud-Sud et triangulaires" in french
    assert "Migration Sud-Sud<" not in french


def test_numbers_follow_the_reader_language(client, admin):
    states = members(3)
    c = build_consultation()
    for s, v in zip(states, (5, 4, 4), strict=True):
        cast(c, s, ranking=[SOUTH], value=v)
    french = client.get(
        "/admin/consultations/idm-2010/results", headers={"Accept-Language": "fr"}
    ).get_data(as_text=True)
    assert "4,33" in french


def test_results_page_query_count_does_not_grow_with_members(app, client, admin):
    def queries_for(n: int) -> int:
        states = members(n, f"Region {n}")
        c = build_consultation(slug=f"c{n}")
        for i, s in enumerate(states):
            cast(
                c,
                s,
                ranking=[1 + i % 3, 1 + (i + 1) % 3],
                choice=[1, 2],
                value=3,
                comments={1: f"comment {i}"},
                write_in=f"idea {i % 4}",
                comment="general",
            )
        seen: list[str] = []

        def count(*_args):
            seen.append("q")

        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            page(client, slug=f"c{n}")
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    small = queries_for(3)
    large = queries_for(30)
    assert small == large


def test_results_are_for_administrators_only(client, auth):
    UserFactory(email="d@example.org")
    build_consultation()
    auth.login("d@example.org")
    assert client.get("/admin/consultations/idm-2010/results").status_code == 403


def test_published_results_reach_delegates_only_after_publication(client, auth):
    states = members(2)
    UserFactory(email="d@example.org", member=states[0])
    c = build_consultation()
    cast(c, states[0], ranking=[SOCIAL], comments={SOCIAL: "Our private view"})
    cast(c, states[1], ranking=[SOCIAL, SOUTH])
    auth.login("d@example.org")
    assert client.get("/consultations/idm-2010/results").status_code == 404
    with db.session.begin():
        consultation = db.session.scalars(sa.select(Consultation)).one()
        consultation.status = Status.PUBLISHED
        consultation.published_at = clock.now()
        consultation.outcome = "The membership has selected *Migration and Social Change*."
        consultation.rationale = "It drew the most support in every region."
    text = client.get("/consultations/idm-2010/results").get_data(as_text=True)
    assert "<em>Migration and Social Change</em>" in text
    assert "It drew the most support in every region." in text
    assert "Preferred option: Migration and Social Change" in text
    assert "2 of 2 invited members submitted a response" in text
    assert "Our private view" not in text


def test_tally_equals_a_recount_from_the_latest_revisions(client, admin):
    """CONC-5: the counts shown equal a recount from the append-only revisions."""
    rng = random.Random(2010)
    states = members(40)
    c = build_consultation()
    for s in states:
        ranking = rng.sample([SOUTH, SOCIAL, HEALTH], rng.randint(1, 3))
        cast(c, s, ranking=ranking, choice=rng.sample([1, 2, 3, 4], 2))
    for s in states[:10]:  # some members revise their ballot
        cast(c, s, ranking=rng.sample([SOUTH, SOCIAL, HEALTH], 2), choice=[3, 4])
    latest = db.session.execute(
        sa.select(Revision.content)
        .join(Response, Response.id == Revision.response_id)
        .where(Revision.number == Response.revision)
    ).scalars()
    question = db.session.scalars(sa.select(Consultation)).one().questions[0]
    recount = tally.Profile.from_ballots(
        [o.id for o in question.options],
        (
            tuple(q["ranking"])
            for content in latest
            for q in content["questions"]
            if q["question"] == question.id
        ),
    )
    shown = consultation_results(db.session.scalars(sa.select(Consultation)).one()).questions[0]
    assert shown.ranking is not None
    assert shown.ranking.ballots == 40
    assert dict(shown.ranking.first.counts) == dict(tally.first_preferences(recount).counts)
    assert shown.ranking.irv.winner == tally.instant_runoff(recount).winner


def test_the_stored_ranking_texts_are_those_the_migration_backfills(client, admin):
    """Each ballot's ranking text (on its first-ranked answer) is written with the answers,
    revisions included; the migration that added the column rebuilds the same texts from
    the answer rows of the ballots stored before it."""
    import importlib.util
    from pathlib import Path

    from consult.ballots.models import Answer

    states = members(6)
    c = build_consultation()
    for i, s in enumerate(states):
        cast(c, s, ranking=[[SOUTH, SOCIAL, HEALTH], [HEALTH], [SOCIAL, SOUTH]][i % 3])
    cast(c, states[0], ranking=[HEALTH, SOUTH])  # a revision replaces the text
    ids = {o.id for o in c.questions[0].options}
    stored = dict(
        db.session.execute(
            sa.select(Answer.id, Answer.ranking_key).where(Answer.ranking_key.is_not(None))
        ).all()
    )
    assert len(stored) == 6
    assert all(set(map(int, key.split(","))) <= ids for key in stored.values())
    shown = consultation_results(c).questions[0].ranking
    assert shown is not None
    assert shown.ballots == 6

    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    path = next(versions.glob("*_answer_ranking_key.py"))
    spec = importlib.util.spec_from_file_location("answer_ranking_key", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.update(Answer).values(ranking_key=None))
    migration.backfill(db.session.connection())
    rebuilt = dict(
        db.session.execute(
            sa.select(Answer.id, Answer.ranking_key).where(Answer.ranking_key.is_not(None))
        ).all()
    )
    db.session.commit()
    assert rebuilt == stored


def test_member_states_and_observers_counted_apart_by_region(client, admin):
    from consult.results import loaders
    from consult.results.services import summarise_participation

    europe = members(2, "Europe")
    africa = members(1, "Africa")
    observer = members(1, "Europe", MemberKind.OBSERVER_ORG, prefix="Red Cross")[0]
    c = build_consultation()
    cast(c, europe[0], ranking=[SOUTH])
    cast(c, observer, comment="We follow with interest")
    p = summarise_participation(loaders.participation_counts(c.id), [])
    states = {b.key: (b.invited, b.submitted) for b in p.states_by_region}
    observers = {b.key: (b.invited, b.submitted) for b in p.observers_by_region}
    assert states == {"Africa": (1, 0), "Europe": (2, 1)}
    assert observers == {"Europe": (1, 1)}
    assert (p.states.invited, p.states.submitted) == (3, 1)
    text = page(client)
    table = text.split("<caption>Member states by region</caption>")[1].split("</table>")[0]
    assert "Red Cross" not in table
    assert "<caption>Observers by region</caption>" in text
    assert africa[0].region.name in table
