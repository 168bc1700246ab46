"""The receipt by e-mail after every submission: to each active delegate of the member, in
their language, with the code, who and when, and the check link; never the answers."""

from __future__ import annotations

import sqlalchemy as sa

from consult.ballots.models import Response
from consult.extensions import db
from consult.mail.models import MailKind, OutboxMessage
from tests.factories import MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import hidden_fields, post_ballot, ranking_form
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
    assert french["Subject"] == "Accusé de réception : Thème du DIM 2010"
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


def test_refused_or_failed_submission_sends_nothing(client, auth, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from consult.ballots import services

    UserFactory(email="d@example.org")
    c = build_consultation()
    auth.login("d@example.org")
    refused = post_ballot(client, "idm-2010", ranking_form(c, {1: "1", 2: "1"}))
    assert refused.status_code == 400
    assert receipts() == []

    def broken(*_args, **_kwargs):
        raise OperationalError("INSERT INTO audit_event", {}, Exception("disk I/O error"))

    monkeypatch.setattr(services.audit, "record", broken)
    failed = post_ballot(client, "idm-2010", ranking_form(c, {1: "1"}))
    assert failed.status_code == 503
    assert receipts() == []
