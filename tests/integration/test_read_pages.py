"""The delegate's read pages as a reader checks them after the work on their cost: in the
reader's language throughout (macros imported without the page's context included), the
receipt's links, the security headers, and PostgreSQL's cursors describing their columns as
psycopg does."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from consult.extensions import db
from tests.factories import UserFactory, build_consultation
from tests.integration.builder_helpers import submit

HEADERS = {
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
}


def _hrefs(page: str) -> set[str]:
    return set(re.findall(r'href="([^"]+)"', page))


def test_the_receipt_pages_in_french_with_their_links(client, auth):
    """A French delegate's receipt: the table, the pager and the form in French, the pager's
    links to the other page, each revision's link, the check form and the way back."""
    delegate = UserFactory(locale="fr")
    build_consultation("idm-2010")
    for i in range(51):
        submit("idm-2010", delegate, {1: 1} if i % 2 else {2: 1})
    auth.login(delegate.email)
    path = "/consultations/idm-2010/receipt"
    first = client.get(path).get_data(as_text=True)
    assert '<html lang="fr">' in first
    assert 'aria-label="Révisions"' in first  # the table's scrolling box, named in French
    assert "Page 1 sur 2" in first
    assert "Page suivante" in first
    assert "Page précédente" not in first
    links = _hrefs(first)
    assert "/consultations/idm-2010/receipt?page=2" in links
    assert "/consultations/idm-2010/revisions/51" in links
    assert "/consultations/idm-2010/revisions/2" in links
    assert "/consultations/idm-2010/revisions/1" not in links
    assert "/consultations/idm-2010" in links
    assert 'action="/consultations/idm-2010/receipt"' in first
    second = client.get(f"{path}?page=2").get_data(as_text=True)
    assert "Page 2 sur 2" in second
    assert "Page précédente" in second
    assert "/consultations/idm-2010/receipt?page=1" in _hrefs(second)
    assert "/consultations/idm-2010/revisions/1" in _hrefs(second)


def test_the_home_page_in_each_language(client, auth):
    """The delegate's home follows the account's language, its list's labels included."""
    delegate = UserFactory(locale="es")
    build_consultation("idm-2010")
    auth.login(delegate.email)
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "/consultations/idm-2010" in _hrefs(page)
    db.session.execute(
        sa.update(type(delegate)).where(type(delegate).id == delegate.id).values(locale="fr")
    )
    db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert 'aria-label="Consultations auxquelles votre délégation est invitée"' in page


@pytest.mark.parametrize(
    "path", ["/", "/consultations/idm-2010", "/consultations/idm-2010/receipt"]
)
def test_the_read_pages_keep_their_security_headers(client, auth, path):
    delegate = UserFactory()
    build_consultation("idm-2010")
    submit("idm-2010", delegate, {1: 1})
    auth.login(delegate.email)
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert set(response.headers.keys()) >= HEADERS
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Cookie" in response.headers["Vary"]


def test_postgresql_cursors_describe_their_columns_as_psycopg(app):
    """What the app's cursors describe is psycopg's own description, from the result the
    cursor had when asked (even when read after the cursor ran another statement)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg's cursors")
    import psycopg

    sql = "SELECT 1 AS one, 'a'::varchar(5) AS two, now() AS three"
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        cursor = raw.cursor()
        cursor.execute(sql)
        described = cursor.description
        with psycopg.Cursor(raw) as plain:
            plain.execute(sql)
            expected = plain.description
        assert len(described) == 3
        assert [tuple(c) for c in described] == [tuple(c) for c in expected]
        assert [c.name for c in described[1:]] == ["two", "three"]
        cursor.execute("SELECT 2 AS other")
        assert [c.name for c in described] == ["one", "two", "three"]
        assert [c.name for c in cursor.description] == ["other"]
        cursor.execute("SET LOCAL statement_timeout = 1000")
        assert cursor.description is None
        cursor.close()
        # SQLAlchemy's own reads: a statement it has not cached describes its columns by name.
        row = conn.execute(sa.text("SELECT 3 AS three, 'x' AS ex")).one()
        assert row._mapping == {"three": 3, "ex": "x"}


def test_a_macro_module_imported_without_context_sees_the_pages_own_globals():
    """An import without context reuses the module Jinja keeps (core.templating.PageTemplate)
    unless the importing page has globals the imported template lacks: then, as in Jinja, the
    module is made again and sees them."""
    from jinja2 import DictLoader, Environment

    from consult.core.templating import PageTemplate

    templates = {
        "macros.html": "{% macro who() %}{{ extra | default('none') }}{% endmacro %}",
        "page.html": "{% import 'macros.html' as m %}{{ m.who() }}",
        "other.html": "{% import 'macros.html' as m %}{{ m.who() }}",
    }
    env = Environment(loader=DictLoader(templates), autoescape=True)
    env.template_class = PageTemplate
    assert env.get_template("page.html").render() == "none"
    assert env.get_template("page.html").render() == "none"
    assert env.get_template("other.html", globals={"extra": "its own"}).render() == "its own"
    assert env.get_template("page.html").render() == "none"
