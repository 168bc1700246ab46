"""Delegates answer for their member state: the rules the server enforces."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.ballots import services
from consult.ballots.models import Answer, Response, Revision
from consult.consultations.models import Option
from consult.core import clock
from consult.core.audit import AuditEvent
from consult.extensions import db
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import (
    database_fails_at,
    hidden_fields,
    post_ballot,
    ranking_form,
    snapshot,
)


@pytest.fixture
def delegate(client, auth):
    member = MemberFactory(name="Testland")
    user = UserFactory(email="d@example.org", name="Ana Delegate", member=member)
    consultation = build_consultation()
    auth.login("d@example.org")
    return user, member, consultation


def test_delegate_sees_consultation_with_labelled_rank_selects(client, delegate):
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "Rank for South-South Migration" in page
    assert "Rank for Migration and Social Change" in page
    assert "IC/2009/1" in page
    assert "(Europe/Zurich)" in page


def test_submit_stores_one_response_and_shows_receipt(client, delegate):
    _user, member, c = delegate
    q2 = c.questions[1]
    form = ranking_form(
        c,
        {1: "2", 2: "1"},
        **{
            f"q{c.questions[0].id}-writein": "Migration and climate",
            f"q{c.questions[0].id}-comment-{c.questions[0].options[0].id}": "Timely theme",
            f"q{q2.id}-choice": [str(q2.options[0].id), str(q2.options[2].id)],
            f"q{c.questions[2].id}-value": "4",
            f"q{c.questions[3].id}-text": "More case studies",
            "comment": "Thank you",
        },
    )
    response = post_ballot(client, "idm-2010", form)
    assert response.status_code == 303
    receipt_page = client.get(response.headers["Location"]).get_data(as_text=True)
    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.member_id == member.id
    assert stored.revision == 1
    assert stored.receipt in receipt_page
    ranking = [
        a.option_id
        for a in sorted(
            db.session.scalars(sa.select(Answer).where(Answer.rank.is_not(None))),
            key=lambda a: a.rank,
        )
    ]
    assert ranking == [c.questions[0].options[1].id, c.questions[0].options[0].id]
    # The page shows the stored ballot back exactly.
    again = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "Migration and climate" in again
    assert "Timely theme" in again
    assert "More case studies" in again
    assert "Thank you" in again


def test_revising_creates_new_revision_with_new_receipt(client, delegate):
    _u, _m, c = delegate
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    first = db.session.scalars(sa.select(Response)).one().receipt
    post_ballot(client, "idm-2010", ranking_form(c, {1: "2", 2: "1"}))
    revisions = db.session.scalars(sa.select(Revision).order_by(Revision.number)).all()
    assert [r.number for r in revisions] == [1, 2]
    assert revisions[1].receipt != first
    page = client.get("/consultations/idm-2010/receipt").get_data(as_text=True)
    assert first in page
    assert revisions[1].receipt in page


def test_receipt_check_tells_which_revision_counts(client, delegate):
    _u, _m, c = delegate
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    first = db.session.scalars(sa.select(Response)).one().receipt
    post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}))
    page = client.get("/consultations/idm-2010/receipt", query_string={"code": first.lower()})
    assert "It was replaced by a later revision" in page.get_data(as_text=True)
    bogus = client.get("/consultations/idm-2010/receipt", query_string={"code": "AAAAA-BBBBB"})
    assert "does not match" in bogus.get_data(as_text=True)


def test_draft_does_not_count_until_submitted(client, delegate):
    _u, _m, c = delegate
    response = post_ballot(client, "idm-2010", ranking_form(c, {1: "1", 2: "3"}), action="draft")
    assert response.status_code == 303
    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.status == "draft"
    assert stored.revision == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 0
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert '<option value="3" selected>' in page  # the draft (even with a gap) is kept


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({1: "1", 2: "1"}, "rank 1 is given to more than one option"),
        ({1: "1", 2: "3"}, "rank 2 is missing"),
        ({1: "x"}, "choose a rank between 1 and 3"),
        ({1: "99999999999999999999"}, "choose a rank between 1 and 3"),
        ({1: "-1"}, "choose a rank between 1 and 3"),
        ({1: "4"}, "choose a rank between 1 and 3"),
        ({}, "Question 1: rank at least one option (1 for your first choice)."),
    ],
)
def test_invalid_ranking_refused_and_nothing_changes(client, delegate, ranks, message):
    _u, _m, c = delegate
    before = snapshot()
    response = post_ballot(client, "idm-2010", ranking_form(c, ranks))
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert message in text
    assert 'role="alert"' in text
    assert snapshot() == before


def test_option_of_another_question_is_refused(client, delegate):
    _u, _m, c = delegate
    other = build_consultation("other")
    before = snapshot()
    q2 = c.questions[1]
    form = ranking_form(
        c,
        {1: "1"},
        **{f"q{q2.id}-choice": [str(other.questions[1].options[0].id), str(q2.options[0].id)]},
    )
    response = post_ballot(client, "idm-2010", form)
    assert response.status_code == 400
    assert snapshot() == before


def test_choose_bounds(client, delegate):
    _u, _m, c = delegate
    q2 = c.questions[1]
    form = ranking_form(c, {1: "1"}, **{f"q{q2.id}-choice": [str(o.id) for o in q2.options[:3]]})
    response = post_ballot(client, "idm-2010", form)
    assert response.status_code == 400
    assert "choose at most 2 options" in response.get_data(as_text=True)


def test_text_limit_and_control_characters(client, delegate):
    _u, _m, c = delegate
    q4 = c.questions[3]
    too_long = post_ballot(
        client, "idm-2010", ranking_form(c, {1: "1"}, **{f"q{q4.id}-text": "x" * 201})
    )
    assert too_long.status_code == 400
    assert "longer than 200 characters" in too_long.get_data(as_text=True)
    nul = post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}, comment="a\x00b"))
    assert nul.status_code == 400
    assert "control characters" in nul.get_data(as_text=True)


def test_member_and_author_come_from_the_session(client, delegate):
    user, member, c = delegate
    other = MemberFactory()
    form = ranking_form(c, {1: "1"}, member_id=str(other.id), submitted_by="1", is_final="1")
    assert post_ballot(client, "idm-2010", form).status_code == 303
    stored = db.session.scalars(sa.select(Response)).one()
    assert stored.member_id == member.id
    assert stored.submitted_by_id == user.id


def test_stale_revision_refused_with_author_and_input_kept(client, auth, delegate):
    _u, member, c = delegate
    colleague = UserFactory(email="c@example.org", name="Carla Colleague", member=member)
    old = hidden_fields(client, "idm-2010")
    other_client = client.application.test_client()
    type(auth)(other_client).login(colleague.email)
    assert post_ballot(other_client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    response = client.post(
        "/consultations/idm-2010",
        data={**ranking_form(c, {2: "1"}, comment="my careful comment"), **old, "action": "submit"},
    )
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "changed by Carla Colleague" in text
    assert "my careful comment" in text
    assert db.session.scalars(sa.select(Response)).one().revision == 1


def test_same_form_twice_writes_once(client, delegate):
    _u, _m, c = delegate
    fields = hidden_fields(client, "idm-2010")
    data = {**ranking_form(c, {1: "1"}), **fields, "action": "submit"}
    first = client.post("/consultations/idm-2010", data=data)
    second = client.post("/consultations/idm-2010", data=data)
    assert first.status_code == second.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Revision)) == 1


@pytest.mark.parametrize(("offset", "accepted"), [(-1, True), (0, False), (1, False)])
def test_deadline_on_server_clock(client, delegate, offset, accepted):
    _u, _m, c = delegate
    fields = hidden_fields(client, "idm-2010")
    with clock.freeze(c.closes_at + timedelta(seconds=offset)):
        response = client.post(
            "/consultations/idm-2010",
            data={**ranking_form(c, {1: "1"}), **fields, "action": "submit"},
        )
    assert (response.status_code == 303) is accepted
    if not accepted:
        assert response.status_code == 403
        assert "deadline has passed" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


def test_closed_consultation_is_read_only(client, delegate):
    _u, _m, c = delegate
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    with clock.freeze(c.closes_at + timedelta(days=1)):
        page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "shown read-only" in page
    assert "Submit the response" not in page


def test_other_members_response_unreachable(client, auth):
    mine, theirs = MemberFactory(), MemberFactory()
    UserFactory(email="d@example.org", member=mine)
    UserFactory(email="e@example.org", member=theirs)
    c = build_consultation()
    other = client.application.test_client()
    type(auth)(other).login("e@example.org")
    post_ballot(other, "idm-2010", ranking_form(c, {1: "1"}, comment="their secret"))
    auth.login("d@example.org")
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "their secret" not in page
    assert client.get("/consultations/idm-2010/revisions/1").status_code == 404


def test_uninvited_member_gets_404_and_cannot_post(client, auth):
    from consult.consultations.models import invitation

    member = MemberFactory()
    UserFactory(email="d@example.org", member=member)
    build_consultation()
    db.session.execute(sa.delete(invitation).where(invitation.c.member_id == member.id))
    db.session.commit()
    auth.login("d@example.org")
    assert client.get("/consultations/idm-2010").status_code == 404


def test_draft_consultation_not_listed_or_reachable(client, auth):
    UserFactory(email="d@example.org")
    build_consultation(status="draft")
    auth.login("d@example.org")
    assert "IDM 2010 theme" not in client.get("/").get_data(as_text=True)
    assert client.get("/consultations/idm-2010").status_code == 404


def test_observer_may_comment_but_not_rank(client, auth):
    from consult.members.models import MemberKind

    org = MemberFactory(code="ICRC", kind=MemberKind.OBSERVER_ORG)
    UserFactory(email="o@example.org", member=org)
    c = build_consultation()
    auth.login("o@example.org")
    page = client.get("/consultations/idm-2010").get_data(as_text=True)
    assert "Rank for South-South Migration" not in page
    refused = post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    assert refused.status_code == 400
    assert "observers may comment" in refused.get_data(as_text=True)
    ok = post_ballot(client, "idm-2010", {"comment": "We support both themes."})
    assert ok.status_code == 303


def test_each_submission_writes_one_audit_event_and_chained_revisions(client, delegate):
    from consult.ballots import receipts
    from consult.core.audit import verify
    from consult.core.keys import keyring

    _u, _m, c = delegate
    for position in (1, 2, 3):
        post_ballot(client, "idm-2010", ranking_form(c, {position: "1"}))
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "ballot_submitted")
        .order_by(AuditEvent.seq)
    ).all()
    assert len(events) == 3
    assert verify(db.session) == []
    previous = receipts.GENESIS
    stored = db.session.scalars(sa.select(Revision).order_by(Revision.number)).all()
    for revision, event in zip(stored, events, strict=True):
        assert revision.digest == receipts.chain_digest(
            previous, revision.response_id, revision.number, revision.content
        )
        assert revision.audit_head == event.head  # the receipt vouches for the trail's length
        assert revision.receipt == receipts.receipt_code(
            keyring().secret(revision.key_id),
            revision.response_id,
            revision.number,
            revision.content,
            event.head,
        )
        previous = revision.digest


def test_database_error_midway_leaves_previous_ballot(client, delegate):
    _u, _m, c = delegate
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    before = snapshot()
    # The audit event is written last: the answers, revision and response before it.
    with database_fails_at("INSERT INTO audit_event"):
        response = post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}))
    assert response.status_code == 503
    assert "Traceback" not in response.get_data(as_text=True)
    assert snapshot() == before


def test_expired_form_keeps_the_delegates_input(client, delegate):
    _u, _m, c = delegate
    fields = hidden_fields(client, "idm-2010")
    fields["csrf_token"] = "expired-or-forged-token"
    before = snapshot()
    response = client.post(
        "/consultations/idm-2010",
        data={
            **ranking_form(c, {1: "1"}, comment="typed before lunch"),
            **fields,
            "action": "submit",
        },
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "The form had expired, so nothing was saved." in text
    assert "typed before lunch" in text
    assert snapshot() == before


def test_ballot_checked_against_changed_questions_is_refused_and_nothing_saved(delegate):
    """The Administration adds an option after the save has read the consultation: the save
    refuses with a clear error instead of storing a ballot checked against stale rules."""
    user, _member, _consultation = delegate
    stale = services.load_consultation("idm-2010")
    question = stale.questions[0]
    form = {f"q{question.id}-rank-{question.options[0].id}": ["1"]}
    with db.engine.begin() as other:  # the Administration, on its own connection
        other.execute(
            sa.insert(Option).values(
                question_id=question.id, position=9, label="Migration and Health 2", translations={}
            )
        )
    before = snapshot()
    with pytest.raises(services.Changed):
        services.save(stale, user, form, submit=True, base_version=0, token="")
    assert snapshot() == before


def test_a_save_after_the_options_changed_is_checked_against_the_new_ones(client, delegate):
    """The ballot is parsed before the write lock against the structure the process saw last
    (services._parse_early), and again under the lock when the consultation's row says the
    structure changed: an option added since the last save can be ranked at once."""
    _user, _member, consultation = delegate
    data = {**ranking_form(consultation, {1: "1"}), **hidden_fields(client, "idm-2010")}
    assert client.post("/consultations/idm-2010", data=data).status_code == 303
    question = consultation.questions[0]
    added = Option(question_id=question.id, position=99, label="Added since")
    db.session.add(added)
    db.session.commit()
    data = {f"q{question.id}-rank-{added.id}": "1", **hidden_fields(client, "idm-2010")}
    assert client.post("/consultations/idm-2010", data=data).status_code == 303
    content = db.session.scalars(sa.select(Revision.content).order_by(Revision.number)).all()
    assert str(added.id) in str(content[-1])
