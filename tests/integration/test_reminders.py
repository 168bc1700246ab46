"""Reminders: who has not submitted, a preview, send to all or one, and no second reminder
within the interval."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.ballots import services as ballots
from consult.core import clock
from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.mail import outbox
from consult.mail.models import Reminder
from tests.conftest import session_csrf_token
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import ranking_form
from tests.integration.test_members import count_queries
from tests.smtp import links, text_of

PAGE = "/admin/consultations/idm-2010/reminders"


@pytest.fixture
def admin(client, auth):
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return client


def answer(user, submit=True):
    consultation = ballots.load_consultation("idm-2010")
    form = {k: [v] for k, v in ranking_form(consultation, {1: "1"}).items() if v}
    outcome = ballots.save(consultation, user, form, submit=submit, base_version=0, token="")
    assert not isinstance(outcome, list), outcome


def remind(client, member=None):
    data = {"csrf_token": session_csrf_token(client)}
    if member is not None:
        data["member"] = str(member.id)
    else:
        data["confirm"] = "yes"  # as the confirmation page of "remind all" posts
    return client.post(PAGE, data=data)


@pytest.fixture
def membership(app):
    """Four members: one submitted, one with a draft, one never started, one without delegate."""
    done = MemberFactory(code="QDN", name="Doneland")
    drafted = MemberFactory(code="QDR", name="Draftland")
    silent = MemberFactory(code="QSI", name="Silentia")
    empty = MemberFactory(code="QEM", name="Emptyland")
    done_user = UserFactory(email="done@example.org", member=done)
    draft_user = UserFactory(email="draft@example.org", member=drafted, locale="fr", name="Dora")
    UserFactory(email="silent@example.org", member=silent, name="Sam")
    UserFactory(email="silent2@example.org", member=silent, name="Sue")
    UserFactory(email="gone@example.org", member=silent, active=False)
    build_consultation()
    answer(done_user)
    answer(draft_user, submit=False)
    outbox.deliver()  # Doneland's receipt leaves before the tests count the reminders
    return {"done": done, "drafted": drafted, "silent": silent, "empty": empty}


def test_page_lists_members_that_have_not_submitted(admin, membership):
    page = admin.get(PAGE).get_data(as_text=True)
    assert "1 of 4 invited members have submitted; 3 have not." in page
    assert "Doneland" not in page
    assert "Draft saved, not submitted" in page
    assert "Silentia" in page
    assert "Sam, Sue" in page  # the deactivated delegate is not listed
    assert "No active delegate" in page
    assert page.count("Never") == 3


def test_preview_shows_the_message_in_the_chosen_language(admin, membership):
    page = admin.get(PAGE).get_data(as_text=True)
    assert "Preview of the reminder" in page
    assert "Reminder: IDM 2010 theme" in page
    french = admin.get(PAGE + "?preview=fr").get_data(as_text=True)
    assert "Rappel\u00a0: Thème du DIM 2010" in french


def test_remind_all_sends_to_each_delegate_in_their_language(admin, membership, mailbox):
    response = remind(admin)
    assert response.status_code == 302
    messages = mailbox.wait(3)
    assert sorted(str(m["To"]) for m in messages) == [
        "draft@example.org",
        "silent2@example.org",
        "silent@example.org",
    ]
    draft = mailbox.to("draft@example.org")[0]
    assert draft["Subject"] == "Rappel\u00a0: Thème du DIM 2010"
    assert "Un brouillon a été enregistré mais pas soumis" in text_of(draft)
    sam = mailbox.to("silent@example.org")[0]
    assert "Dear Sam," in text_of(sam)
    assert "Silentia has not submitted its response yet" in text_of(sam)
    assert "draft" not in text_of(sam)
    assert links(sam) == ["https://consult.example.org/consultations/idm-2010"]
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reminder sent to the delegates of 2 members (3 people)." in page
    assert "1 member has no active delegate to remind." in page
    assert page.count("Never") == 1  # only the member without a delegate
    reminded = db.session.scalars(sa.select(Reminder)).all()
    assert sorted((r.member_id, r.recipients) for r in reminded) == sorted(
        [(membership["drafted"].id, 1), (membership["silent"].id, 2)]
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "reminders_sent"))
    assert sorted(event.details["members"]) == ["QDR", "QSI"]


def test_second_reminder_within_the_interval_is_refused(admin, membership, mailbox):
    remind(admin, membership["silent"])
    assert len(mailbox.wait(2)) == 2
    again = remind(admin, membership["silent"])
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "Silentia was reminded on" in text
    assert "Another reminder can be sent from" in text
    everyone = remind(admin)
    follow = admin.get(everyone.headers["Location"]).get_data(as_text=True)
    assert "1 member was reminded recently and was skipped." in follow
    assert len(mailbox.messages) == 3  # only Draftland's delegate was added
    with clock.freeze(clock.now() + timedelta(hours=24, seconds=1)):
        assert remind(admin, membership["silent"]).status_code == 302
    assert len(mailbox.wait(5)) == 5


def test_reminders_only_while_open(admin, membership):
    from consult.consultations.models import Consultation

    consultation = db.session.scalar(sa.select(Consultation))
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Reminder))
    with clock.freeze(consultation.closes_at + timedelta(seconds=1)):
        response = remind(admin)
        assert response.status_code == 409
        assert "only while the consultation is open" in response.get_data(as_text=True)
        page = admin.get(PAGE).get_data(as_text=True)
    assert re.search(r"<button[^>]*>Remind", page) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == before


def test_unknown_consultation_and_bad_member_value(admin, membership):
    assert admin.get("/admin/consultations/nope/reminders").status_code == 404
    response = admin.post(PAGE, data={"csrf_token": session_csrf_token(admin), "member": "x"})
    assert response.status_code == 400


def test_page_query_count_does_not_grow_with_members(admin, membership):
    admin.get(PAGE)
    with count_queries() as few:
        admin.get(PAGE)
    consultation_id = db.session.scalar(sa.text("SELECT id FROM consultation"))
    for _ in range(10):
        member = MemberFactory()
        UserFactory(member=member)
        db.session.execute(
            sa.text("INSERT INTO invitation (consultation_id, member_id) VALUES (:c, :m)"),
            {"c": consultation_id, "m": member.id},
        )
        db.session.commit()
    remind(admin)
    with count_queries() as many:
        page = admin.get(PAGE)
    assert "Silentia" in page.get_data(as_text=True)
    assert many["n"] == few["n"]


def test_index_lists_open_consultations(admin, membership):
    page = admin.get("/admin/reminders").get_data(as_text=True)
    assert 'href="/admin/consultations/idm-2010/reminders"' in page


def _invite_many(count: int, start: int) -> None:
    """``count`` more invited members with one delegate each, written in bulk."""
    from consult.auth.models import Role, User
    from consult.members.models import Member, MemberKind, Region
    from tests.factories import _hash

    consultation_id = db.session.scalar(sa.text("SELECT id FROM consultation"))
    region_id = db.session.scalar(sa.select(Region.id))
    ids = range(start, start + count)
    db.session.execute(
        sa.insert(Member),
        [
            {"id": 10_000 + i, "code": f"Z{i:04d}", "name": f"Bulkland {i}", "region_id": region_id}
            | {"kind": MemberKind.MEMBER_STATE, "active": True, "translations": {}}
            for i in ids
        ],
    )
    db.session.execute(
        sa.insert(User),
        [
            {"email": f"bulk{i}@example.org", "name": f"Bulk {i}", "role": Role.DELEGATE}
            | {"member_id": 10_000 + i, "password_hash": _hash(), "session_nonce": f"n{i}"}
            for i in ids
        ],
    )
    db.session.execute(
        sa.text("INSERT INTO invitation (consultation_id, member_id) VALUES (:c, :m)"),
        [{"c": consultation_id, "m": 10_000 + i} for i in ids],
    )
    db.session.commit()


def test_remind_all_writes_in_a_fixed_number_of_statements(admin, membership):
    """Without a mail server the messages wait in the outbox: what is counted is the writing."""
    _invite_many(3, start=0)
    with count_queries() as few:
        assert remind(admin).status_code == 302
    reminded = db.session.scalar(sa.select(sa.func.count()).select_from(Reminder))
    db.session.execute(sa.delete(Reminder))
    db.session.commit()
    _invite_many(60, start=100)
    with count_queries() as many:
        assert remind(admin).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == reminded + 60
    assert many["n"] == few["n"]


def test_remind_all_delivers_every_message_in_the_request(admin, membership, mailbox):
    _invite_many(230, start=0)
    assert remind(admin).status_code == 302
    # 230 bulk delegates, Draftland's and Silentia's two: more than one delivery batch.
    assert len(mailbox.wait(233)) == 233
    from consult.mail.models import OutboxMessage

    unsent = (
        sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
    )
    assert db.session.scalar(unsent) == 0


def test_page_shows_fifty_members_at_a_time_and_counts_them_all(admin, membership):
    _invite_many(60, start=0)
    first = admin.get(PAGE).get_data(as_text=True)
    assert "1 of 64 invited members have submitted; 63 have not." in first
    assert "Draftland" in first
    assert "Bulkland 46" in first
    assert "Bulkland 47" not in first
    assert "Page 1 of 2" in first
    second = admin.get(PAGE + "?page=2").get_data(as_text=True)
    assert "Bulkland 47" in second
    assert "Bulkland 59" in second
    assert "Draftland" not in second
    assert "1 of 64 invited members have submitted; 63 have not." in second
    remind(admin)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == 62
