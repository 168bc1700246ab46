"""The receipt e-mail of a response the secretariat entered: over real SMTP, to each active
delegate of the member in their language, saying who entered it from what, never the answers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from babel.dates import format_date

from consult.ballots import onbehalf
from consult.ballots.models import Response
from consult.core import clock
from consult.extensions import db
from tests.conftest import AuthActions
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form
from tests.integration.test_onbehalf import enter
from tests.integration.test_receipt_mail import SECRET_ANSWERS, answered_form
from tests.smtp import html_of, links, text_of


@pytest.fixture
def kenya(client, auth):
    """Kenya with an English, a French and a Spanish delegate, one inactive; a Ghanaian
    delegate; the secretariat signed in."""
    member = MemberFactory(code="KEN", name="Kenya")
    UserFactory(email="en@ken.example.org", name="Wanjiru", member=member)
    UserFactory(email="fr@ken.example.org", name="Otieno", member=member, locale="fr")
    UserFactory(email="es@ken.example.org", name="Achieng", member=member, locale="es")
    UserFactory(email="gone@ken.example.org", member=member, active=False)
    UserFactory(email="gha@example.org", member=MemberFactory(code="GHA", name="Ghana"))
    AdminFactory(email="sec@example.org", name="Ana Secretariat")
    consultation = build_consultation()
    auth.login("sec@example.org")
    return consultation, member


def day(value: date, locale: str) -> str:
    """As the organisation writes a day: day first in English too (2 February 2026)."""
    return format_date(value, format="long", locale="en_GB" if locale == "en" else locale)


def test_each_delegate_is_told_the_secretariat_entered_it_in_their_language(client, kenya, mailbox):
    c, member = kenya
    received = clock.now().date() - timedelta(days=1)
    response = enter(
        client,
        c,
        member.id,
        received_on=received.isoformat(),
        fields=answered_form(c),
    )
    assert response.status_code == 303
    stored = db.session.scalars(sa.select(Response)).one()
    messages = mailbox.wait(3)
    assert sorted(str(m["To"]) for m in messages) == [
        "en@ken.example.org",
        "es@ken.example.org",
        "fr@ken.example.org",
    ]

    (english,) = mailbox.to("en@ken.example.org")
    text = text_of(english)
    assert "The response of Kenya to the consultation “IDM 2010 theme” was recorded on" in text
    assert (
        "Entered by the secretariat (Ana Secretariat) from note verbale NV/KEN/2010/17 of "
        f"{day(received, 'en')}" in text
    )
    assert "Your delegation may revise it until the deadline" in text
    assert "by Ana Secretariat. It is revision" not in text  # not as if a delegate submitted
    assert f"Receipt code: {stored.receipt}" in text
    assert links(english) == [
        f"https://consult.example.org/consultations/idm-2010/receipt?code={stored.receipt}"
    ]
    assert "Late entry" not in text

    (french,) = mailbox.to("fr@ken.example.org")
    assert french["Subject"] == "Accusé de réception\u00a0: Thème du DIM 2010"
    assert (
        "Saisie par le secrétariat (Ana Secretariat) d’après la note verbale NV/KEN/2010/17 du "
        f"{day(received, 'fr')}" in text_of(french)
    )
    assert "Saisie par le secrétariat" in html_of(french)
    (spanish,) = mailbox.to("es@ken.example.org")
    assert (
        "Registrada por la secretaría (Ana Secretariat) a partir de la nota verbal "
        f"NV/KEN/2010/17 del {day(received, 'es')}" in text_of(spanish)
    )
    for message in messages:
        for secret in SECRET_ANSWERS:
            assert secret not in text_of(message)
            assert secret not in html_of(message)


def test_a_late_entry_is_flagged_in_the_receipt(client, kenya, mailbox):
    c, member = kenya
    last_day = onbehalf.deadline_day(c.closes_at, "Europe/Zurich")
    with clock.freeze(c.closes_at + timedelta(days=2)):
        response = enter(
            client,
            c,
            member.id,
            channel="letter",
            reference="L/KEN/9",
            received_on=last_day.isoformat(),
            reason="Held at the registry",
        )
    assert response.status_code == 303
    mailbox.wait(3)
    text = text_of(mailbox.to("en@ken.example.org")[0])
    assert f"from letter L/KEN/9 of {day(last_day, 'en')}" in text
    assert "Late entry: Held at the registry" in text
    assert "may revise it" not in text  # the deadline has passed
    html = html_of(mailbox.to("fr@ken.example.org")[0])
    assert "Saisie tardive\u00a0: Held at the registry" in html


def test_a_delegates_own_submission_still_names_the_delegate(client, auth, kenya, mailbox):
    c, _member = kenya
    auth.logout()
    auth.login("en@ken.example.org")
    assert post_ballot(client, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    mailbox.wait(3)
    text = text_of(mailbox.to("es@ken.example.org")[0])
    assert "por Wanjiru" in text
    assert "secretaría" not in text


def test_the_link_checks_the_entered_revision_and_shows_its_mark(app, client, kenya, mailbox):
    c, member = kenya
    assert enter(client, c, member.id).status_code == 303
    mailbox.wait(3)
    (link,) = links(mailbox.to("en@ken.example.org")[0])
    delegate = app.test_client()
    AuthActions(delegate).login("en@ken.example.org")
    assert post_ballot(delegate, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303
    page = delegate.get(link.removeprefix("https://consult.example.org")).get_data(as_text=True)
    assert "This code is the receipt of revision 1" in page
    assert "It was replaced by a later revision." in page
    mark = page.split('id="checked-mark">', 1)[1].split("</p>", 1)[0]
    assert mark.startswith("Entered by the secretariat (Ana Secretariat) from note verbale")
