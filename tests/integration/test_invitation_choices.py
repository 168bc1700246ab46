"""Choosing whom to invite: names in the reader's language in alphabetical order, ticks by
region, kind, all or none (without JavaScript: nothing saved until "Save"), a count, and the
members who joined after the opening offered on the consultation's page."""

from __future__ import annotations

import re

import pytest

from consult.members.models import MemberKind
from tests.factories import MemberFactory, RegionFactory, build_consultation
from tests.integration.builder_helpers import (
    audit_actions,
    consultation,
    post,
    sign_in_admin,
    snapshot,
    text,
)

PAGE = "/admin/consultations/idm-2011/invitations"


@pytest.fixture
def admin(auth):
    sign_in_admin(auth)


@pytest.fixture
def registry():
    africa = RegionFactory(name="Africa", translations={"fr": {"name": "Afrique"}})
    europe = RegionFactory(name="Europe")
    members = {
        "DEU": MemberFactory(
            code="DEU", name="Germany", region=europe, translations={"fr": {"name": "Allemagne"}}
        ),
        "EGY": MemberFactory(
            code="EGY", name="Egypt", region=africa, translations={"fr": {"name": "Égypte"}}
        ),
        "CIV": MemberFactory(
            code="CIV",
            name="Côte d'Ivoire",
            region=africa,
            translations={"fr": {"name": "Côte d'Ivoire"}},
        ),
        "ICRC": MemberFactory(
            code="ICRC",
            name="International Committee of the Red Cross",
            kind=MemberKind.OBSERVER_ORG,
            region=europe,
        ),
    }
    build_consultation("idm-2011", status="draft")
    return {"africa": africa, "europe": europe, **members}


def ticked(page: str) -> set[str]:
    """Codes of the ticked members (the code is in each label)."""
    boxes = re.findall(
        r'<input type="checkbox" name="members"([^>]*)>\s*<label[^>]*>.*?\((\w+) ·', page, re.S
    )
    return {code for attributes, code in boxes if " checked" in attributes}


def test_names_in_the_reader_language_and_alphabetical(client, admin, registry):
    client.post("/language", data={"lang": "fr", "csrf_token": _token(client)})
    page = text(client.get(PAGE))
    order = [page.index(name) for name in ("Allemagne", "Côte d'Ivoire", "Égypte")]
    assert order == sorted(order)
    assert "Afrique" in page


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, PAGE)


def test_tick_by_region_kind_all_and_none_without_saving(client, admin, registry):
    before = snapshot()
    ids = {code: str(registry[code].id) for code in ("DEU", "EGY", "CIV", "ICRC")}
    page = post(client, PAGE, {"mode": "all", "members": [ids["DEU"]], "select": "none"})
    assert page.status_code == 200
    assert ticked(page.get_data(as_text=True)) == set()
    assert "0 members ticked" in text(page)
    africa = f"region:{registry['africa'].id}"
    page = post(client, PAGE, {"mode": "all", "members": [ids["DEU"]], "select": africa})
    assert ticked(page.get_data(as_text=True)) == {"DEU", "EGY", "CIV"}
    assert "3 members ticked" in text(page)
    # The choice switches to "only the ticked members", so saving keeps exactly these.
    assert re.search(r'<input checked[^>]*value="chosen"', page.get_data(as_text=True))
    page = post(client, PAGE, {"members": [], "select": "kind:observers"})
    assert ticked(page.get_data(as_text=True)) == {"ICRC"}
    page = post(client, PAGE, {"members": [ids["ICRC"]], "select": "all"})
    assert ticked(page.get_data(as_text=True)) == {"DEU", "EGY", "CIV", "ICRC"}
    for nonsense in ("region:²", "region:999999", "kind:x", "x"):
        page = post(client, PAGE, {"members": [ids["EGY"]], "select": nonsense})
        assert page.status_code == 200
        assert ticked(page.get_data(as_text=True)) == {"EGY"}
    assert snapshot() == before
    saved = post(client, PAGE, {"mode": "chosen", "members": [ids["EGY"], ids["CIV"]]})
    assert saved.status_code == 303
    assert sorted(m.code for m in consultation("idm-2011").invited) == ["CIV", "EGY"]


def test_members_who_joined_after_opening_are_offered(client, admin):
    build_consultation("idm-2010")  # open, every member state invited (none yet)
    late = MemberFactory(code="NOR", name="Norway")
    page = text(client.get("/admin/consultations/idm-2010"))
    assert "1 member joined after the invitations were drawn up and is not invited: Norway." in page
    response = post(client, "/admin/consultations/idm-2010/invitations/newcomers")
    assert response.status_code == 303
    assert late.id in {m.id for m in consultation("idm-2010").invited}
    assert audit_actions()[-1] == "invitations_changed"
    assert "joined after the invitations" not in text(client.get("/admin/consultations/idm-2010"))


def test_the_results_link_of_a_published_preview_opens_for_the_administrator(client, admin):
    from consult.consultations import cycle
    from consult.consultations.document import Text
    from tests.factories import AdminFactory

    c = build_consultation("idm-2009")
    actor = AdminFactory()
    cycle.close_consultation(c.id, actor_id=actor.id, reason=Text("The Council meets earlier."))
    cycle.record_outcome(
        c.id, Text("Agreed."), Text(), actor_id=actor.id, selected=(), reason=Text("In session.")
    )
    cycle.publish(c.id, actor_id=actor.id, notify=False)
    preview = client.get("/consultations/idm-2009/preview").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">See the results</a>', preview).group(1)
    assert client.get(link).status_code == 200
