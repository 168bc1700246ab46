"""CSV import in the browser: upload, preview, confirm; all rows or none; same file twice
changes nothing."""

from __future__ import annotations

import base64
import io
import re

import pytest
import sqlalchemy as sa

from consult.core.audit import AuditEvent
from consult.extensions import db
from consult.members.models import Member, Region
from tests.conftest import session_csrf_token
from tests.factories import AdminFactory, MemberFactory, RegionFactory

GOOD = (
    "code,name,kind,region\n"
    "DEU,,member_state,Europe\n"
    "SEN,Senegal,member_state,Africa\n"
    "ICRC,International Committee of the Red Cross,observer_org,Europe\n"
)
_HIDDEN = re.compile(r'<input type="hidden" name="(payload|signature|plan)" value="([^"]*)">')
_NEW_REGION = re.compile(r'<input type="hidden" name="new_region" value="([^"]*)">')


@pytest.fixture
def admin(client, auth):
    AdminFactory(email="admin@example.org")
    RegionFactory(name="Africa", translations={"fr": {"name": "Afrique"}, "es": {"name": "África"}})
    RegionFactory(name="Europe")
    auth.login("admin@example.org")
    return client


def upload(client, content: bytes | str, filename="members.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return client.post(
        "/admin/members/import",
        data={"file": (io.BytesIO(data), filename), "csrf_token": session_csrf_token(client)},
        content_type="multipart/form-data",
    )


def confirm(client, preview, **override):
    page = preview.get_data(as_text=True)
    fields: dict[str, object] = dict(_HIDDEN.findall(page))
    fields["new_region"] = _NEW_REGION.findall(page)
    fields.update(override)
    return client.post(
        "/admin/members/import/confirm", data={**fields, "csrf_token": session_csrf_token(client)}
    )


def accept_regions(client, preview, *regions: str):
    """Tick regions as new on the preview of a file naming regions not in the list."""
    fields = dict(_HIDDEN.findall(preview.get_data(as_text=True)))
    return client.post(
        "/admin/members/import/regions",
        data={
            "payload": fields["payload"],
            "signature": fields["signature"],
            "new_region": list(regions),
            "csrf_token": session_csrf_token(client),
        },
    )


def snapshot():
    db.session.expire_all()
    members = [
        (m.code, m.name, m.kind.value, m.region.name, m.translations, m.active)
        for m in db.session.scalars(sa.select(Member).order_by(Member.code))
    ]
    regions = sorted(db.session.scalars(sa.select(Region.name)))
    audits = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    return members, regions, audits


def test_preview_then_confirm_imports_the_file(admin):
    preview = upload(admin, GOOD)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "will create 3 members, update 0 and leave 0 unchanged" in page
    assert "New regions" not in page
    assert snapshot()[0] == []  # the preview writes nothing
    done = confirm(admin, preview)
    assert done.status_code == 302
    members, regions, _ = snapshot()
    assert [m[0] for m in members] == ["DEU", "ICRC", "SEN"]
    assert members[0][1] == "Germany"
    assert members[0][4] == {"fr": {"name": "Allemagne"}, "es": {"name": "Alemania"}}
    assert regions == ["Africa", "Europe"]
    follow = admin.get(done.headers["Location"]).get_data(as_text=True)
    assert "Import done: 3 created, 0 updated, 0 unchanged." in follow


def test_reimporting_the_same_file_changes_nothing(admin):
    first = upload(admin, GOOD)
    confirm(admin, first)
    before = snapshot()
    preview = upload(admin, GOOD)
    page = preview.get_data(as_text=True)
    assert "will create 0 members, update 0 and leave 3 unchanged" in page
    assert "there is nothing to import" in page
    assert snapshot() == before
    replay = confirm(admin, first)  # the first confirmation sent again
    assert replay.status_code == 409
    assert snapshot() == before  # not even an audit row


def test_update_shows_what_changes_and_keeps_overrides(admin):
    europe = RegionFactory(name="Europe")
    MemberFactory(
        code="DEU",
        name="Germany",
        region=europe,
        translations={"fr": {"name": "République fédérale"}, "es": {"name": "Alemania"}},
    )
    unknown = upload(admin, "code,name,kind,region\nDEU,,member_state,Western Europe\n")
    assert unknown.status_code == 400
    preview = accept_regions(admin, unknown, "Western Europe")
    page = preview.get_data(as_text=True)
    assert "New regions: Western Europe." in page
    assert "update 1" in page
    assert "<del>Europe</del> → <ins>Western Europe</ins>" in page
    confirm(admin, preview)
    germany = snapshot()[0][0]
    assert germany[3] == "Western Europe"
    assert germany[4]["fr"] == {"name": "République fédérale"}  # the override stays


def test_misspelt_region_is_refused_with_a_suggestion(admin):
    before = snapshot()
    response = upload(admin, "code,name,kind,region\nSEN,,member_state,Afirca\n")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The region “Afirca” is not in the list of regions. Did you mean “Africa”?" in page
    assert "Nothing was imported" in page
    assert snapshot() == before


def test_region_named_in_french_or_without_accents_is_the_same_region(admin):
    preview = upload(admin, "code,name,kind,region\nSEN,,member_state,afrique\n")
    assert preview.status_code == 200
    confirm(admin, preview)
    members, regions, _ = snapshot()
    assert members[0][3] == "Africa"
    assert regions == ["Africa", "Europe"]


def test_new_region_is_created_only_once_confirmed(admin):
    unknown = upload(admin, "code,name,kind,region\nJOR,,member_state,Middle East\n")
    assert unknown.status_code == 400
    assert "Create these regions" in unknown.get_data(as_text=True)
    not_ticked = accept_regions(admin, unknown)
    assert not_ticked.status_code == 400
    preview = accept_regions(admin, unknown, "Middle East")
    assert preview.status_code == 200
    assert "New regions: Middle East." in preview.get_data(as_text=True)
    assert snapshot()[1] == ["Africa", "Europe"]  # nothing yet
    assert confirm(admin, preview).status_code == 302
    members, regions, _ = snapshot()
    assert regions == ["Africa", "Europe", "Middle East"]
    assert members[0][3] == "Middle East"


def test_confirming_without_the_new_region_imports_nothing(admin):
    unknown = upload(admin, "code,name,kind,region\nJOR,,member_state,Middle East\n")
    preview = accept_regions(admin, unknown, "Middle East")
    before = snapshot()
    response = confirm(admin, preview, new_region=[])
    assert response.status_code == 400
    assert snapshot() == before


def test_optional_french_and_spanish_columns(admin):
    confirm(
        admin,
        upload(
            admin,
            "code,name,kind,region,name_fr,name_es\n"
            "IOM,International Organization for Migration,observer_org,Europe,"
            "Organisation internationale pour les migrations,Organización Internacional para las"
            " Migraciones\n",
        ),
    )
    iom = db.session.scalar(sa.select(Member).where(Member.code == "IOM"))
    assert iom.localized("name", "fr") == "Organisation internationale pour les migrations"


BAD = (
    "code,name,kind,region\n"
    "FRA,France,member_state,Europe\n"  # line 2: fine
    "FRA,France again,member_state,Europe\n"  # line 3: duplicate code
    "XYZ,Planet,planet,Europe\n"  # line 4: unknown kind
    "ORG1,,observer_org,Europe\n"  # line 5: empty name
    'EVL,"=HYPERLINK(""http://evil.org"")",observer_org,Europe\n'  # line 6: formula
    "SEN,Senegal,member_state,\n"  # line 7: no region
)


def test_bad_rows_are_each_listed_and_nothing_is_written(admin):
    before = snapshot()
    response = upload(admin, BAD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    rows = re.findall(r'<tr><td class="num">(\d+)</td><td>([^<]+)</td></tr>', page)
    problems = {(int(line), text) for line, text in rows}
    assert (3, "The code FRA appears already on line 2.") in problems
    assert any(line == 4 and "The kind “planet” is unknown" in t for line, t in problems)
    assert any(line == 5 and "The name is empty" in t for line, t in problems)
    assert any(line == 6 and "would run as a formula" in t for line, t in problems)
    assert (7, "The region is empty.") in problems
    assert 2 not in {line for line, _ in problems}
    assert 'name="payload"' not in page  # no way to confirm
    assert snapshot() == before


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_every_formula_start_is_refused(admin, start):
    response = upload(admin, f"code,name,kind,region\nORG,{start}1+1,observer_org,Europe\n")
    assert response.status_code == 400
    assert f"starts with “{start}”" in response.get_data(as_text=True)


def test_file_not_in_utf8_is_refused_with_a_clear_message(admin):
    latin1 = "code,name,kind,region\nCIV,Côte d'Ivoire,member_state,Africa\n".encode("latin-1")
    response = upload(admin, latin1)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "The file is not UTF-8 text." in page
    assert "CSV UTF-8" in page
    assert snapshot()[0] == []


def test_utf8_with_byte_order_mark_is_accepted(admin):
    content = "\ufeffcode,name,kind,region\r\nCIV,Côte d'Ivoire,member_state,Africa\r\n"
    preview = upload(admin, content.encode("utf-8"))
    assert preview.status_code == 200
    confirm(admin, preview)
    assert snapshot()[0][0][1] == "Côte d'Ivoire"


def test_wrong_header_and_empty_file(admin):
    assert "must name the columns code,name,kind,region" in upload(
        admin, "id,label\n1,x\n"
    ).get_data(as_text=True)
    assert "holds no member" in upload(admin, "").get_data(as_text=True)
    missing = admin.post(
        "/admin/members/import",
        data={"csrf_token": session_csrf_token(admin)},
        content_type="multipart/form-data",
    )
    assert missing.status_code == 400
    assert "Choose a CSV file to import." in missing.get_data(as_text=True)


def test_tampered_payload_is_refused(admin):
    preview = upload(admin, GOOD)
    fields = dict(_HIDDEN.findall(preview.get_data(as_text=True)))
    evil = base64.b64encode(b"code,name,kind,region\nEVL,Evil,observer_org,Europe\n").decode()
    response = confirm(admin, preview, payload=evil, signature=fields["signature"])
    assert response.status_code == 400
    assert snapshot()[0] == []


def test_registry_changed_between_preview_and_confirm(admin):
    preview = upload(admin, GOOD)
    MemberFactory(code="SEN", name="Sénégal (entered meanwhile)")
    before = snapshot()
    response = confirm(admin, preview)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "The registry changed since the preview" in page
    assert "update 1" in page
    assert snapshot() == before
    assert confirm(admin, response).status_code == 302  # the new preview can be confirmed


def test_import_is_audited(admin):
    confirm(admin, upload(admin, GOOD))
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "members_imported"))
    assert event.details["created"] == 3
    assert event.actor_id is not None


def test_example_file_imports_cleanly(admin):
    example = admin.get("/admin/members/import/example.csv")
    assert example.headers["Content-Type"].startswith("text/csv")
    assert upload(admin, example.data).status_code == 200
