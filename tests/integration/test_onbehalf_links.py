"""The entry is reached from where the officer works: the participation section of the results
page, the reminders list and the consultation's page link to it, for administrators only and
only while an entry is possible."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from consult.core import clock
from consult.extensions import db
from consult.members.models import MemberKind
from tests.conftest import AuthActions
from tests.factories import AdminFactory, MemberFactory, UserFactory, build_consultation
from tests.integration.ballot_helpers import post_ballot, ranking_form

_LINK = re.compile(r'<a href="([^"]+)">(Enter a (?:response|revision) received)')


@pytest.fixture
def setting(client, auth):
    kenya = MemberFactory(code="KEN", name="Kenya")
    ghana = MemberFactory(code="GHA", name="Ghana")
    UserFactory(email="ken@example.org", member=kenya)
    UserFactory(email="gha@example.org", member=ghana)
    observer = MemberFactory(code="OBN", name="Observia", kind=MemberKind.OBSERVER_STATE)
    AdminFactory(email="sec@example.org")
    auth.login("sec@example.org")
    return kenya, ghana, observer


def links_on(client, url: str) -> dict[str, str]:
    """{entry page: link text} of the page's entry links."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return dict(_LINK.findall(page.get_data(as_text=True)))


def entry(member, slug: str = "idm-2010") -> str:
    return f"/admin/consultations/{slug}/entries/{member.id}"


def test_participation_links_each_member_to_its_entry(app, client, setting):
    kenya, ghana, observer = setting
    c = build_consultation()
    delegate = app.test_client()
    AuthActions(delegate).login("gha@example.org")
    assert post_ballot(delegate, "idm-2010", ranking_form(c, {1: "1"})).status_code == 303

    found = links_on(client, "/admin/consultations/idm-2010/results")
    assert found[entry(kenya)] == "Enter a response received"
    assert found[entry(observer)] == "Enter a response received"  # observers may comment
    assert found[entry(ghana)] == "Enter a revision received"
    # Every link opens the member's entry page.
    for href in found:
        assert client.get(href).status_code == 200

    reminders = links_on(client, "/admin/consultations/idm-2010/reminders")
    assert reminders == {
        entry(kenya): "Enter a response received",
        entry(observer): "Enter a response received",
    }
    show = client.get("/admin/consultations/idm-2010").get_data(as_text=True)
    assert "Enter a response received by note verbale, letter or e-mail" in show


def test_no_link_for_observers_that_answer_nothing(client, setting):
    kenya, _ghana, observer = setting
    build_consultation(observers_may="nothing")
    found = links_on(client, "/admin/consultations/idm-2010/results")
    assert entry(kenya) in found
    assert entry(observer) not in found
    page = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    assert f'<option value="{kenya.id}">Kenya (KEN)</option>' in page  # "enter the response of"
    assert f'<option value="{observer.id}">' not in page
    assert entry(observer) not in links_on(client, "/admin/consultations/idm-2010/reminders")


def test_after_the_deadline_the_links_stay_for_late_entries(client, setting):
    kenya, _ghana, _observer = setting
    c = build_consultation()
    with clock.freeze(c.closes_at + timedelta(days=1)):
        assert entry(kenya) in links_on(client, "/admin/consultations/idm-2010/results")
        assert entry(kenya) in links_on(client, "/admin/consultations/idm-2010/reminders")


@pytest.mark.parametrize("status", ["draft", "published"])
def test_no_link_before_opening_or_once_published(client, setting, status):
    build_consultation(status="draft" if status == "draft" else "open")
    if status == "published":
        db.session.execute(
            sa.text(
                "UPDATE consultation SET status = 'published', published_at = closes_at "
                "WHERE slug = 'idm-2010'"
            )
        )
        db.session.commit()
    show = client.get("/admin/consultations/idm-2010").get_data(as_text=True)
    assert "Enter a response received" not in show
    if status == "published":
        assert links_on(client, "/admin/consultations/idm-2010/results") == {}
        assert links_on(client, "/admin/consultations/idm-2010/reminders") == {}


def test_delegates_never_see_the_links(app, setting):
    build_consultation()
    delegate = app.test_client()
    AuthActions(delegate).login("ken@example.org")
    for url in ("/admin/consultations/idm-2010/results", "/admin/consultations/idm-2010/reminders"):
        assert delegate.get(url).status_code == 403
    page = delegate.get("/consultations/idm-2010").get_data(as_text=True)
    assert "Enter a response received" not in page


def test_the_submitted_list_comes_fifty_to_a_page(client, setting):
    """However many members answered, the results page lists one page of them (its cost must
    not grow with the responses); the pager reaches the others."""
    from tests.integration.builder_helpers import submit

    users = [UserFactory(member=MemberFactory()) for _ in range(53)]
    build_consultation()
    for user in users:
        submit("idm-2010", user, {1: 1})
    first = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    assert "53 invited members have submitted" in first
    assert first.count("Enter a revision received") == 50
    assert "Page 1 of 2" in first
    second = client.get("/admin/consultations/idm-2010/results?page=2").get_data(as_text=True)
    assert second.count("Enter a revision received") == 3
    assert "Page 2 of 2" in second


def test_the_missing_list_comes_fifty_to_a_page_and_a_long_registry_is_entered_by_code(
    client, setting
):
    """The members that have not submitted come a page at a time too; beyond fifty members
    the entry form asks for the member's code instead of listing them all."""
    kenya, _ghana, _observer = setting
    for i in range(50):
        MemberFactory(name=f"Zland {i:02d}")
    build_consultation()
    first = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)
    assert "53 invited members have not submitted" in first
    assert first.count("Enter a response received") == 50
    assert "missing=2" in first
    second = client.get("/admin/consultations/idm-2010/results?missing=2").get_data(as_text=True)
    assert second.count("Enter a response received") == 3
    assert "Page 2 of 2" in second
    assert "<option value=" not in first.split('id="entry-member"')[1].split("</form>")[0]
    assert 'name="code" id="entry-member"' in first

    chosen = client.get("/admin/consultations/idm-2010/entries?code=ken")
    assert chosen.status_code == 303
    assert chosen.headers["Location"].endswith(entry(kenya))
    unknown = client.get("/admin/consultations/idm-2010/entries?code=XYZ", follow_redirects=True)
    assert "No member has the code XYZ." in unknown.get_data(as_text=True)


def test_each_list_of_members_keeps_its_own_members_and_order(client, setting):
    """The results page reads its lists of members together: those who have not submitted
    and those who have, each by region and then by name, and the entry form's members by
    name."""
    from tests.factories import RegionFactory
    from tests.integration.builder_helpers import submit

    kenya, ghana, observer = setting  # Kenya, Ghana and Observia are in Europe
    asia = RegionFactory(name="Asia")
    africa = RegionFactory(name="Africa")
    bhutan = MemberFactory(code="BTN", name="Bhutan", region=asia)
    MemberFactory(code="TCD", name="Chad", region=africa)
    albania = MemberFactory(code="ALB", name="Albania")
    build_consultation()
    for member in (ghana, bhutan, albania):
        submit("idm-2010", UserFactory(member=member), {1: 1})
    page = client.get("/admin/consultations/idm-2010/results").get_data(as_text=True)

    def names(table_id: str) -> list[str]:
        body = page.split(f'id="{table_id}"')[1].split("</tbody>")[0]
        return re.findall(r'<tr><td>([^<]+) <span class="muted">', body)

    assert names("not-submitted") == ["Chad", "Kenya", "Observia"]
    assert names("submitted") == ["Bhutan", "Albania", "Ghana"]
    form = page.split('id="entry-member"')[1].split("</select>")[0]
    assert re.findall(r'<option value="\d+">([^ ]+) \(', form) == [
        "Albania",
        "Bhutan",
        "Chad",
        "Ghana",
        "Kenya",
        "Observia",
    ]
    assert f'<option value="{observer.id}">Observia (OBN)</option>' in form
    assert kenya.code in form


def test_the_results_page_of_a_consultation_without_invited_members(client, auth):
    """Nobody to invite yet: every list is empty and the entry form has nobody to offer."""
    AdminFactory(email="sec@example.org")
    auth.login("sec@example.org")
    build_consultation()
    page = client.get("/admin/consultations/idm-2010/results")
    assert page.status_code == 200
    assert "0 invited members have not submitted" in page.get_data(as_text=True)
