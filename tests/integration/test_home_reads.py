"""The home page's reads: a delegate's list outside a transaction (one statement, as the
ballot page), the administrators' overview, whose counts must agree with its page of
consultations, in one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from consult.extensions import db
from tests.factories import AdminFactory, UserFactory, build_consultation
from tests.integration.builder_helpers import submit


@contextmanager
def statements() -> Iterator[list[tuple[str, bool]]]:
    """Each statement sent, and whether it ran in a transaction of its request."""
    seen: list[tuple[str, bool]] = []

    def before(conn, _cursor, sql, *_args):
        options = conn.get_execution_options()
        alone = options.get("sqlite_begin") == "LATER" or (
            options.get("isolation_level") == "AUTOCOMMIT"
        )
        seen.append((sql.split()[0].upper(), not alone))

    sa.event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before)


def test_a_delegate_home_reads_outside_a_transaction(client, auth):
    delegate = UserFactory()
    build_consultation("idm-2010")
    submit("idm-2010", delegate, {1: 1})
    auth.login(delegate.email)
    client.get("/")
    with statements() as seen:
        page = client.get("/").get_data(as_text=True)
    assert "idm-2010" in page
    assert "Submitted on" in page
    assert seen == [("SELECT", False), ("SELECT", False)]  # the user, the list; no BEGIN


def test_the_administrators_overview_reads_its_counts_in_one_transaction(client, auth):
    delegate = UserFactory()
    build_consultation("idm-2010")
    submit("idm-2010", delegate, {1: 1})
    admin = AdminFactory()
    auth.login(admin.email)
    client.get("/")
    with statements() as seen:
        page = client.get("/").get_data(as_text=True)
    assert "idm-2010" in page
    user, *overview = seen
    assert user == ("SELECT", False)
    assert overview
    assert all(in_transaction for _sql, in_transaction in overview)
    if db.engine.dialect.name == "sqlite":
        assert overview[0] == ("BEGIN", True)
