"""The registry pages: list with search and filters, create, edit, names, deactivate, regions."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.members.models import Member, MemberKind, Region
from tests.conftest import csrf_token, session_csrf_token
from tests.factories import (
    AdminFactory,
    MemberFactory,
    RegionFactory,
    UserFactory,
    build_consultation,
)
from tests.integration.ballot_helpers import post_ballot, ranking_form


@pytest.fixture
def admin(client, auth):
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return client


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*_args, **_kwargs):
        counter["n"] += 1

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def _post(client, path, data, **kwargs):
    return client.post(path, data={**data, "csrf_token": session_csrf_token(client)}, **kwargs)


def _text(response) -> str:
    return response.get_data(as_text=True)


def _member(code):
    db.session.expire_all()
    return db.session.scalar(sa.select(Member).where(Member.code == code))


def test_list_searches_names_in_every_language_ignoring_accents(admin):
    africa = RegionFactory(name="Africa")
    MemberFactory(
        code="CIV",
        name="Côte d'Ivoire",
        region=africa,
        translations={"fr": {"name": "Côte d’Ivoire"}, "es": {"name": "Costa de Marfil"}},
    )
    MemberFactory(code="DEU", name="Germany", translations={"fr": {"name": "Allemagne"}})
    page = _text(admin.get("/admin/members?q=cote"))
    assert "Côte d&#39;Ivoire" in page
    assert "Germany" not in page
    page = _text(admin.get("/admin/members?q=allemagne"))
    assert "Germany" in page
    assert "Ivoire" not in page
    page = _text(admin.get("/admin/members?q=deu"))
    assert "Germany" in page


def test_list_filters_by_kind_region_and_status(admin):
    americas = RegionFactory(name="Americas")
    MemberFactory(code="MEX", name="Mexico", region=americas)
    MemberFactory(code="ICRC", name="Red Cross", kind=MemberKind.OBSERVER_ORG)
    MemberFactory(code="OLD", name="Former Member", active=False, kind=MemberKind.OBSERVER_ORG)
    page = _text(admin.get("/admin/members?kind=observer_org"))
    assert "Red Cross" in page
    assert "Mexico" not in page
    assert "Former Member" not in page
    page = _text(admin.get(f"/admin/members?region={americas.id}"))
    assert "Mexico" in page
    assert "Red Cross" not in page
    page = _text(admin.get("/admin/members?status=inactive"))
    assert "Former Member" in page
    assert "Mexico" not in page
    page = _text(admin.get("/admin/members?status=all"))
    assert all(name in page for name in ("Mexico", "Red Cross", "Former Member"))
    assert admin.get("/admin/members?region=x&status=bogus").status_code == 200


def test_list_query_count_does_not_grow_with_members(admin):
    for _ in range(3):
        UserFactory()
    admin.get("/admin/members")
    with count_queries() as few:
        admin.get("/admin/members")
    for _ in range(15):
        UserFactory()
    with count_queries() as many:
        page = admin.get("/admin/members")
    assert page.status_code == 200
    assert many["n"] == few["n"]
    for _ in range(60):
        MemberFactory()
    with count_queries() as paged:
        page = admin.get("/admin/members?page=2")
    assert "Page 2 of 2" in page.get_data(as_text=True)
    assert paged["n"] == few["n"]


def test_the_list_is_shown_fifty_to_a_page_in_name_order(admin):
    region = RegionFactory(name="Europe")
    for i in range(120):
        MemberFactory(code=f"P{i:03d}", name=f"Pageland {i:03d}", region=region)
    first = _text(admin.get("/admin/members?q=pageland"))
    assert "120 members" in first
    assert "Page 1 of 3" in first
    assert "Pageland 000" in first
    assert "Pageland 049" in first
    assert "Pageland 050" not in first
    next_link = "/admin/members?q=pageland&amp;kind=&amp;region=&amp;status=active&amp;page=2"
    assert f'href="{next_link}"' in first
    last = _text(admin.get("/admin/members?q=pageland&page=3"))
    assert "Page 3 of 3" in last
    assert "Pageland 100" in last
    assert "Pageland 119" in last
    assert "Pageland 099" not in last
    assert "Next page" not in last
    assert "Previous page" in last
    # A page beyond the last shows the last; nonsense shows the first.
    assert "Page 3 of 3" in _text(admin.get("/admin/members?q=pageland&page=99"))
    assert "Page 1 of 3" in _text(admin.get("/admin/members?q=pageland&page=x"))
    assert admin.get("/admin/members?q=pageland&page=x%00").status_code == 400  # NUL: refused


def test_the_list_sorts_and_searches_by_names_kept_folded_on_every_write(admin):
    """The list's order follows the names in the reader's language, accents and case set
    aside, also after a name changes and for members written by a bulk (Core) insert; the
    migration's backfill computes the same folded texts."""
    import importlib.util
    from pathlib import Path

    region = RegionFactory(name="Europe")
    MemberFactory(code="AAA", name="Zeta", region=region, translations={"fr": {"name": "Éta"}})
    MemberFactory(code="BBB", name="eta", region=region)
    db.session.execute(
        sa.insert(Member),
        [
            {"code": "CCC", "name": "Beta", "kind": MemberKind.MEMBER_STATE}
            | {"region_id": region.id, "active": True, "translations": {"es": {"name": "Ñu"}}}
        ],
    )
    db.session.commit()

    def order(url: str) -> list[str]:
        return re.findall(r"\b(AAA|BBB|CCC)\b", _text(admin.get(url)))

    assert order("/admin/members") == ["CCC", "BBB", "AAA"]  # Beta, eta, Zeta
    from consult.auth.models import User

    def read_in(locale: str) -> None:
        db.session.execute(
            sa.update(User).where(User.email == "admin@example.org").values(locale=locale)
        )
        db.session.commit()

    read_in("fr")
    assert order("/admin/members") == ["CCC", "AAA", "BBB"]  # Beta, Éta, eta (by code)
    read_in("en")
    assert "Beta" in _text(admin.get("/admin/members?q=%C3%B1U"))  # "ñU" finds "Ñu"
    member = _member("AAA")
    member.name = "Alpha"
    db.session.commit()
    assert order("/admin/members") == ["AAA", "CCC", "BBB"]
    assert "Zeta" not in _text(admin.get("/admin/members?q=zeta"))

    folded = {
        row.code: tuple(row[1:])
        for row in db.session.execute(
            sa.select(Member.code, Member.search_folded, Member.sort_en, Member.sort_fr)
        )
    }
    versions = Path(__file__).resolve().parents[2] / "migrations" / "versions"
    path = next(versions.glob("*_member_folded_names.py"))
    spec = importlib.util.spec_from_file_location("member_folded_names", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    db.session.execute(sa.update(Member).values(search_folded="", sort_en="", sort_fr=""))
    migration.backfill(db.session.connection())
    db.session.commit()
    db.session.expire_all()
    rebuilt = {
        row.code: tuple(row[1:])
        for row in db.session.execute(
            sa.select(Member.code, Member.search_folded, Member.sort_en, Member.sort_fr)
        )
    }
    assert rebuilt == folded
    assert folded["CCC"] == ("ccc beta nu", "beta", "beta")


def test_create_state_takes_iso_names_in_three_languages(admin):
    region = RegionFactory(name="Europe")
    response = _post(
        admin,
        "/admin/members/new",
        {"code": "deu", "kind": "member_state", "region": region.id, "name": ""},
    )
    assert response.status_code == 302
    germany = _member("DEU")
    assert (germany.name, germany.localized("name", "fr"), germany.localized("name", "es")) == (
        "Germany",
        "Allemagne",
        "Alemania",
    )
    page = _text(admin.get(f"/admin/members/{germany.id}"))
    assert page.count("ISO 3166 name") == 3
    assert db.session.scalar(
        sa.select(AuditEvent.id).where(
            AuditEvent.action == "member_created", AuditEvent.member_id == germany.id
        )
    )


def test_override_a_name_and_see_which_are_defaults(admin):
    region = RegionFactory(name="Europe")
    _post(admin, "/admin/members/new", {"code": "TUR", "kind": "member_state", "region": region.id})
    turkey = _member("TUR")
    response = _post(
        admin,
        f"/admin/members/{turkey.id}/edit",
        {
            "code": "TUR",
            "kind": "member_state",
            "region": region.id,
            "name": "Republic of Türkiye",
            "name_fr": "",
            "name_es": "República de Türkiye",
        },
    )
    assert response.status_code == 302
    turkey = _member("TUR")
    assert turkey.name == "Republic of Türkiye"
    assert turkey.localized("name", "es") == "República de Türkiye"
    assert turkey.localized("name", "fr") == "Turquie"  # the default stays
    page = _text(admin.get(f"/admin/members/{turkey.id}"))
    assert page.count("Overrides the ISO 3166 name") == 2
    assert page.count("ISO 3166 name") == 3  # two "Overrides the …" plus one default
    form = _text(admin.get(f"/admin/members/{turkey.id}/edit"))
    assert 'value="República de Türkiye"' in form
    assert re.search(r'id="name_fr"[^>]*value=""', form)  # the default is shown as such


def test_clearing_an_override_brings_the_default_back(admin):
    region = RegionFactory(name="Europe")
    member = MemberFactory(
        code="FRA", name="French Republic", region=region, translations={"fr": {"name": "Gaule"}}
    )
    _post(
        admin,
        f"/admin/members/{member.id}/edit",
        {"code": "FRA", "kind": "member_state", "region": region.id, "name": "", "name_fr": ""},
    )
    france = _member("FRA")
    assert (france.name, france.localized("name", "fr")) == ("France", "France")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "FRANCE", "name": "France"}, "three-letter ISO 3166 code"),
        ({"code": "XQZ", "name": ""}, "no ISO 3166 name exists"),
        ({"code": "FRA", "name": "=HYPERLINK(1)"}, "would run as a formula"),
        ({"code": "FRA", "name": "France", "name_es": "@x"}, "would run as a formula"),
        ({"code": "FRA", "name": "Bad\x07name"}, "control characters"),
    ],
)
def test_bad_member_form_is_explained_and_writes_nothing(admin, data, message):
    region = RegionFactory(name="Europe")
    response = _post(
        admin, "/admin/members/new", {"kind": "member_state", "region": region.id, **data}
    )
    assert response.status_code == 400
    page = _text(response)
    assert message in page
    assert 'role="alert"' in page
    assert 'aria-invalid="true"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == 0


def test_code_must_be_unique(admin):
    region = RegionFactory(name="Europe")
    MemberFactory(code="FRA", region=region)
    response = _post(
        admin, "/admin/members/new", {"code": "fra", "kind": "member_state", "region": region.id}
    )
    assert response.status_code == 400
    assert "Another member has the code FRA already." in _text(response)


def test_deactivate_member_keeps_it_and_signs_its_delegates_out(app, admin):
    member = MemberFactory(code="QAA")
    UserFactory(email="d@example.org", member=member)
    delegate = app.test_client()
    token = csrf_token(delegate, "/login")
    delegate.post(
        "/login",
        data={"email": "d@example.org", "password": "correct horse battery", "csrf_token": token},
    )
    assert delegate.get("/").status_code == 200
    assert (
        _post(admin, f"/admin/members/{member.id}/deactivate", {"confirm": "yes"}).status_code
        == 302
    )
    assert _member("QAA").active is False
    assert delegate.get("/").status_code == 302
    assert _post(admin, f"/admin/members/{member.id}/reactivate", {}).status_code == 302
    assert _member("QAA").active is True
    assert delegate.get("/").status_code == 302  # the old session does not come back


def test_member_page_shows_delegates_and_responses(app, admin):
    member = MemberFactory(code="QAB", name="Testland")
    UserFactory(email="d@example.org", member=member, name="Dora Delegate")
    consultation = build_consultation()
    build_consultation("idm-2010-workshops")
    delegate = app.test_client()
    token = csrf_token(delegate, "/login")
    delegate.post(
        "/login",
        data={"email": "d@example.org", "password": "correct horse battery", "csrf_token": token},
    )
    assert post_ballot(delegate, "idm-2010", ranking_form(consultation, {1: "1"})).status_code in (
        200,
        302,
        303,
    )
    page = _text(admin.get(f"/admin/members/{member.id}"))
    assert "Dora Delegate" in page
    assert "d@example.org" in page
    assert "Submitted on" in page
    assert "Not started" in page  # the workshops consultation
    with count_queries() as few:
        admin.get(f"/admin/members/{member.id}")
    for i in range(5):
        UserFactory(member=member)
        build_consultation(f"extra-{i}")
    with count_queries() as many:
        admin.get(f"/admin/members/{member.id}")
    assert many["n"] == few["n"]


def test_regions_are_a_managed_list(admin):
    response = _post(
        admin, "/admin/regions", {"name": "Africa", "name_fr": "Afrique", "name_es": "África"}
    )
    assert response.status_code == 302
    africa = db.session.scalar(sa.select(Region).where(Region.name == "Africa"))
    assert africa.localized("name", "fr") == "Afrique"
    duplicate = _post(admin, "/admin/regions", {"name": "africa"})
    assert duplicate.status_code == 400
    assert "exists already" in _text(duplicate)
    _post(admin, f"/admin/regions/{africa.id}", {"name": "Africa", "name_fr": "L’Afrique"})
    db.session.expire_all()
    assert db.session.get(Region, africa.id).localized("name", "fr") == "L’Afrique"
    MemberFactory(region=db.session.get(Region, africa.id))
    refused = _post(admin, f"/admin/regions/{africa.id}/delete", {}, follow_redirects=True)
    assert "still has 1 member; move it to another region first." in _text(refused)
    assert db.session.get(Region, africa.id) is not None
    empty_id = RegionFactory(name="Antarctica").id
    _post(admin, f"/admin/regions/{empty_id}/delete", {})
    db.session.expire_all()
    assert db.session.get(Region, empty_id) is None


def test_member_names_are_escaped_on_registry_pages(admin):
    member = MemberFactory(name="<script>alert(1)</script>", kind=MemberKind.OBSERVER_ORG)
    UserFactory(member=member, name="<img src=x onerror=alert(1)>")
    for path in ("/admin/members", f"/admin/members/{member.id}"):
        page = _text(admin.get(path))
        assert "<script>alert(1)</script>" not in page
        assert "<img src=x" not in page


def test_a_members_responses_come_a_page_at_a_time_latest_deadline_first(admin, monkeypatch):
    member = MemberFactory(code="PGE", name="Pageland")
    for number, days in enumerate((3, 9, 6)):
        build_consultation(f"idm-{number}", closes_in_days=days)
    monkeypatch.setattr("consult.core.paging.PAGE_SIZE", 2)
    first = _text(admin.get(f"/admin/members/{member.id}"))
    assert re.findall(r"/consultations/(idm-\d)", first)[:2] == ["idm-1", "idm-2"]
    assert "idm-0" not in first
    assert "Page 1 of 2" in first
    second = _text(admin.get(f"/admin/members/{member.id}?page=2"))
    assert "idm-0" in second
    assert "idm-1" not in second
    with count_queries() as few:
        admin.get(f"/admin/members/{member.id}?page=2")
    build_consultation("idm-3", closes_in_days=12)
    with count_queries() as more:
        admin.get(f"/admin/members/{member.id}?page=2")
    assert more["n"] == few["n"]
