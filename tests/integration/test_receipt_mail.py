"""The receipt by e-mail after every submission: to each active delegate of the member, in
their language, with the code, who and when, and the check link; never the answers."""

from __future__ import annotations

import sqlalchemy as sa

from consult.ballots.models import Response
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import (
    database_fails_at,
    hidden_fields,
    post_ballot,
    ranking_form,
)
from tests.smtp import html_of, links, text_of

SECRET_ANSWERS = ("Migration and climate", "Timely theme", "More case studies", "Thank you")


def answered_form(c):
    q1, q2 = c.questions[0], c.questions[1]
    return ranking_form(
        c,
        {1: "2", 2: "1"},
        **{
            f"q{q1.id}-writein": SECRET_ANSWERS[0],
            f"q{q1.id}-comment-{q1.options[0].id}": SECRET_ANSWERS[1],
            f"q{q2.id}-choice": [str(q2.options[0].id), str(q2.options[2].id)],
            f"q{c.questions[3].id}-text": SECRET_ANSWERS[2],
            "comment": SECRET_ANSWERS[3],
        },
    )


def receipts() -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.kind == MailKind.RECEIPT)
            .order_by(OutboxMessage.id)
        )
    )


def test_every_active_delegate_gets_the_receipt_in_their_language(client, auth, mailbox):
    member = MemberFactory(name="Kenya", translations={"fr": {"name": "Kenya"}})
    UserFactory(email="ana@example.org", name="Ana Delegate", member=member)
    UserFactory(email="bea@example.org", name="Béatrice", member=member, locale="fr")
    UserFactory(email="gone@example.org", member=member, active=False)
    UserFactory(email="other@example.org", member=MemberFactory())
    c = build_consultation()
    auth.login("ana@example.org")
    response = post_ballot(client, "idm-2010", answered_form(c))
    assert response.status_code == 303
    stored = db.session.scalars(sa.select(Response)).one()
    messages = mailbox.wait(2)
    assert sorted(str(m["To"]) for m in messages) == ["ana@example.org", "bea@example.org"]

    (english,) = mailbox.to("ana@example.org")
    assert english["Subject"] == "Receipt: IDM 2010 theme"
    text = text_of(english)
    assert "The response of Kenya to the consultation “IDM 2010 theme” was submitted on" in text
    assert "by Ana Delegate. It is revision 1, and it is the one that counts." in text
    assert f"Receipt code: {stored.receipt}" in text
    assert links(english) == [
        f"https://consult.example.org/consultations/idm-2010/receipt?code={stored.receipt}"
    ]
    (french,) = mailbox.to("bea@example.org")
    assert french["Subject"] == "Accusé de réception\u00a0: Thème du DIM 2010"
    assert "Bonjour Béatrice," in text_of(french)
    assert stored.receipt in html_of(french)
    for message in messages:
        for secret in SECRET_ANSWERS:
            assert secret not in text_of(message)
            assert secret not in html_of(message)
    # The link in the message checks the code for a signed-in delegate.
    page = client.get(links(english)[0].removeprefix("https://consult.example.org"))
    assert "the response that counts" in page.get_data(as_text=True)


def test_each_revision_sends_its_own_code_and_a_draft_sends_nothing(client, auth):
    member = MemberFactory()
    UserFactory(email="d@example.org", member=member)
    c = build_consultation()
    auth.login("d@example.org")
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}), action="draft")
    assert receipts() == []
    post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    post_ballot(client, "idm-2010", ranking_form(c, {2: "1"}))
    codes = [r.receipt for r in db.session.scalars(sa.select(Response))]
    sent = receipts()
    assert len(sent) == 2
    assert codes[0] in sent[1].body_text
    assert codes[0] not in sent[0].body_text
    assert "revision 2" in sent[1].body_text


def test_the_same_form_twice_sends_one_receipt(client, auth):
    UserFactory(email="d@example.org")
    c = build_consultation()
    auth.login("d@example.org")
    fields = hidden_fields(client, "idm-2010")
    data = {**ranking_form(c, {1: "1"}), **fields, "action": "submit"}
    assert client.post("/consultations/idm-2010", data=data).status_code == 303
    assert client.post("/consultations/idm-2010", data=data).status_code == 303
    assert len(receipts()) == 1


def test_refused_or_failed_submission_sends_nothing(client, auth):
    UserFactory(email="d@example.org")
    c = build_consultation()
    auth.login("d@example.org")
    refused = post_ballot(client, "idm-2010", ranking_form(c, {1: "1", 2: "1"}))
    assert refused.status_code == 400
    assert receipts() == []

    with database_fails_at("INSERT INTO audit_event"):  # after the receipts were queued
        failed = post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    assert failed.status_code == 503
    assert receipts() == []


def test_the_mail_worker_writes_the_receipts_the_submission_queued(
    client, auth, mailbox, deferred_mail
):
    """Production's way: the page queues one message per delegate, naming the revision, and
    the mail worker writes each in its recipient's language before delivering it."""
    from consult.mail.worker import run_pass

    member = MemberFactory(name="Kenya")
    UserFactory(email="ana@example.org", name="Ana Delegate", member=member)
    UserFactory(email="bea@example.org", name="Béatrice", member=member, locale="fr")
    c = build_consultation()
    auth.login("ana@example.org")
    assert post_ballot(client, "idm-2010", answered_form(c)).status_code == 303
    queued = receipts()
    assert sorted((m.recipient, m.locale, m.pending, m.subject) for m in queued) == [
        ("ana@example.org", "en", True, ""),
        ("bea@example.org", "fr", True, ""),
    ]
    assert mailbox.messages == []

    run_pass()
    db.session.rollback()
    stored = db.session.scalars(sa.select(Response)).one()
    assert [(m.pending, m.sent_at is not None) for m in receipts()] == [(False, True)] * 2
    (english,) = mailbox.to("ana@example.org")
    assert english["Subject"] == "Receipt: IDM 2010 theme"
    assert "by Ana Delegate. It is revision 1, and it is the one that counts." in text_of(english)
    assert f"Receipt code: {stored.receipt}" in text_of(english)
    (french,) = mailbox.to("bea@example.org")
    assert french["Subject"] == "Accusé de réception\u00a0: Thème du DIM 2010"
    assert stored.receipt in text_of(french)


def test_a_receipt_still_being_written_is_written_when_sent_now(
    client, auth, mailbox, deferred_mail
):
    """The Mail page names a queued receipt as being written; "Send now" writes it first."""
    from tests.conftest import csrf_token
    from tests.factories import AdminFactory

    UserFactory(email="d@example.org", name="Dana")
    AdminFactory(email="admin@example.org")
    c = build_consultation()
    auth.login("d@example.org")
    assert post_ballot(client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    (queued,) = receipts()
    auth.logout()
    auth.login("admin@example.org")
    page = client.get("/admin/mail").get_data(as_text=True)
    assert "Being written" in page
    token = csrf_token(client, "/admin/mail")
    client.post(f"/admin/mail/{queued.id}/retry", data={"csrf_token": token})
    (sent,) = mailbox.to("d@example.org")
    assert sent["Subject"] == "Receipt: IDM 2010 theme"
    db.session.rollback()
    assert "Being written" not in client.get("/admin/mail").get_data(as_text=True)
