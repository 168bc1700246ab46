"""Administration lists are paged and cost the same number of queries at any length."""

from __future__ import annotations

import pytest

from tests.factories import AdminFactory, build_consultation
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
