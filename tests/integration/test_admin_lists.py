"""Administration lists are paged and cost the same number of queries at any length."""

from __future__ import annotations

import pytest

from tests.factories import AdminFactory, MemberFactory, RegionFactory, build_consultation
from tests.integration.test_members import count_queries


@pytest.fixture
def admin(client, auth):
    AdminFactory(email="admin@example.org")
    auth.login("admin@example.org")
    return client


def test_consultations_on_the_administration_home_by_pages(admin, monkeypatch):
    from consult.ballots import queries

    monkeypatch.setattr(queries, "PAGE_SIZE", 5)  # fifty in use; five keeps the test short
    for i in range(3):
        build_consultation(f"round-{i:02d}", closes_in_days=100 - i)
    admin.get("/")
    with count_queries() as few:
        first = admin.get("/").get_data(as_text=True)
    assert "Page 1 of" not in first  # one page: no page links
    for i in range(3, 8):
        build_consultation(f"round-{i:02d}", closes_in_days=100 - i)
    with count_queries() as many:
        first = admin.get("/").get_data(as_text=True)
    assert many["n"] == few["n"]
    assert "Page 1 of 2" in first
    # Latest deadline first: round-00 closes last.
    assert first.index("/admin/consultations/round-00") < first.index(
        "/admin/consultations/round-01"
    )
    assert "/admin/consultations/round-04" in first
    assert "/admin/consultations/round-05" not in first
    with count_queries() as second_page:
        second = admin.get("/?page=2").get_data(as_text=True)
    assert second_page["n"] == few["n"]
    assert "Page 2 of 2" in second
    assert all(f"/admin/consultations/round-{i:02d}" in second for i in (5, 6, 7))
    assert "/admin/consultations/round-04" not in second


@pytest.mark.parametrize(
    ("path", "add", "name"),
    [
        ("/admin/administrators", lambda i: AdminFactory(name=f"Admin {i:02d}"), "Admin {:02d}"),
        ("/admin/regions", lambda i: RegionFactory(name=f"Region {i:02d}"), "Region {:02d}"),
    ],
)
def test_administrators_and_regions_by_pages(admin, monkeypatch, path, add, name):
    from consult.core import paging

    monkeypatch.setattr(paging, "PAGE_SIZE", 5)  # fifty in use; five keeps the test short
    for i in range(2):
        add(i)
    admin.get(path)
    with count_queries() as few:
        first = admin.get(path).get_data(as_text=True)
    assert "Page 1 of" not in first
    for i in range(2, 12):
        add(i)
    with count_queries() as many:
        first = admin.get(path).get_data(as_text=True)
    assert many["n"] == few["n"]
    assert "Page 1 of 3" in first
    assert name.format(0) in first
    assert name.format(5) not in first
    with count_queries() as last_page:
        last = admin.get(f"{path}?page=3").get_data(as_text=True)
    assert last_page["n"] == few["n"]
    assert "Page 3 of 3" in last
    assert name.format(11) in last
    assert name.format(0) not in last
    assert 'rel="prev"' in last


def test_members_list_costs_the_same_for_two_thousand_members_of_many_regions(admin):
    """Only the page's members are loaded (with their regions); the others are read as codes
    and names to search and sort."""
    for i in range(3):
        MemberFactory(code=f"M{i:03d}", name=f"Member {i:03d}", region=RegionFactory(name=f"R{i}"))
    admin.get("/admin/members")
    with count_queries() as few:
        admin.get("/admin/members")
    for i in range(3, 120):
        MemberFactory(code=f"M{i:03d}", name=f"Member {i:03d}", region=RegionFactory(name=f"R{i}"))
    with count_queries() as many:
        page = admin.get("/admin/members?q=member&page=2").get_data(as_text=True)
    assert many["n"] == few["n"]
    assert "Page 2 of 3" in page
    assert "Member 050" in page
    assert "Member 049" not in page
