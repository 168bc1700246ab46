"""PostgreSQL: a response's UPDATE that changes neither its status nor its owner (a draft saved,
a ballot submitted again) leaves the results' refresh after one query

The statement trigger ``response_results_update`` ran its three queries over the transition
tables on every UPDATE of a response, each submission included, to find that no ballot and no
participant needed a refresh. Now it first asks whether any row changed its status,
consultation or member, and returns at once when none did; otherwise it refreshes as before.
SQLite's row triggers fire only for those changes already (``WHEN``).

Revision ID: 4b8e2f6a1c57
Revises: 8d1e5b3c9f27
Create Date: 2026-12-06 19:00:00

"""

import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "4b8e2f6a1c57"
down_revision = "8d1e5b3c9f27"
branch_labels = None
depends_on = None

_NAME = "consult_response_update_refresh()"
#: The rows of the UPDATE whose status, consultation or member changed.
_MOVED = (
    "FROM changed n JOIN before o ON o.id = n.id WHERE o.status IS DISTINCT FROM n.status "
    "OR o.consultation_id <> n.consultation_id OR o.member_id <> n.member_id"
)


def _function() -> str:
    """The function as the results counters' migration creates it."""
    path = Path(__file__).with_name("20261206_1100_9c4d2e7f1a35_results_counters.py")
    spec = importlib.util.spec_from_file_location("results_counters", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (created,) = (f for f in module._pg_functions() if f"FUNCTION {_NAME}" in f)
    return created.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    function = _function()
    begin = "BEGIN "
    assert _MOVED in function and begin in function
    early = f"IF NOT EXISTS (SELECT 1 {_MOVED}) THEN RETURN NULL; END IF; "
    at = function.index(begin) + len(begin)
    op.execute(function[:at] + early + function[at:])


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_function())
