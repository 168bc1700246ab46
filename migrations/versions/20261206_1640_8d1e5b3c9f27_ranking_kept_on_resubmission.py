"""SQLite: a resubmission leaves a counted ranking's row (``ballot_ranking``) and its count as
they are when the ranking is the same, and changes them once when it differs

A submission on SQLite inserts its revision (whose trigger deletes the answers it replaces:
``revision_replaces_answers``), then its answers, then updates the response to point at the
revision. The answers' DELETE trigger refreshed the ranking at once: with no answer left, it
deleted the ballot's row and counted it out, and the INSERT of the same ranking put it back and
counted it in again (two rows written, a counter updated twice, four more pages in the
write-ahead log per submission). Now a deletion between a revision's insert and the response's
update (the revision numbered past the response's: a submission under way) leaves the refresh
to the answers inserted next, which refresh their own question, and to the response's
update, which refreshes all of its ballots (the ranking questions the new revision no longer
answers). Every other deletion refreshes at once, as before. PostgreSQL writes a submission in
one statement whose statement triggers all see its end: it needs none of this.

Revision ID: 8d1e5b3c9f27
Revises: 3f6a9d2b7e41
Create Date: 2026-12-06 16:40:00

"""

import importlib.util
from pathlib import Path

from alembic import op

# revision identifiers, used by Alembic.
revision = "8d1e5b3c9f27"
down_revision = "3f6a9d2b7e41"
branch_labels = None
depends_on = None


def _counters():
    """The results counters' migration, whose statements refresh a ballot's rankings."""
    path = Path(__file__).with_name("20261206_1100_9c4d2e7f1a35_results_counters.py")
    spec = importlib.util.spec_from_file_location("results_counters", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: A revision of the answer's response is numbered past the one the response points at.
_UNDER_WAY = (
    "EXISTS (SELECT 1 FROM response r JOIN revision v ON v.response_id = r.id "
    "AND v.number > r.revision WHERE r.id = OLD.response_id)"
)


def _delete_trigger(counters, when: str) -> str:
    statements = counters._refresh_ballots(
        "response_id = OLD.response_id AND question_id = OLD.question_id",
        "a.response_id = OLD.response_id AND a.question_id = OLD.question_id",
        postgresql=False,
    )
    return (
        "CREATE TRIGGER answer_results_delete AFTER DELETE ON answer "
        f"WHEN {when} BEGIN {'; '.join(statements)}; END"
    )


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    counters = _counters()
    op.execute("DROP TRIGGER answer_results_delete")
    op.execute(_delete_trigger(counters, f"OLD.ranking_key IS NOT NULL AND NOT {_UNDER_WAY}"))
    ballots = counters._refresh_ballots(
        "response_id = NEW.id", "a.response_id = NEW.id", postgresql=False
    )
    op.execute(
        "CREATE TRIGGER response_results_revision AFTER UPDATE OF revision ON response "
        f"WHEN OLD.revision IS NOT NEW.revision BEGIN {'; '.join(ballots)}; END"
    )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER response_results_revision")
    op.execute("DROP TRIGGER answer_results_delete")
    op.execute(_delete_trigger(_counters(), "OLD.ranking_key IS NOT NULL"))
