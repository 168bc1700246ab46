"""drop the indexes on answer.response_id, revision.response_id and response.consultation_id:
each is the first column of a unique constraint whose index serves every lookup by it

A submission deletes and inserts its answers and inserts a revision: each index it keeps up is
one more B-tree changed (more pages in SQLite's write-ahead log, more index writes on
PostgreSQL) for lookups the unique constraints' indexes answer as well: (response_id,
question_id, option_id), (response_id, number) and (consultation_id, member_id).

Revision ID: 3f6a9d2b7e41
Revises: 9c4d2e7f1a35
Create Date: 2026-12-06 16:30:00

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "3f6a9d2b7e41"
down_revision = "9c4d2e7f1a35"
branch_labels = None
depends_on = None

_DROPPED = {
    "ix_answer_response_id": ("answer", "response_id"),
    "ix_revision_response_id": ("revision", "response_id"),
    "ix_response_consultation_id": ("response", "consultation_id"),
}


def upgrade():
    for name, (table, _column) in _DROPPED.items():
        op.drop_index(name, table_name=table)


def downgrade():
    for name, (table, column) in _DROPPED.items():
        op.create_index(name, table, [column], unique=False)
