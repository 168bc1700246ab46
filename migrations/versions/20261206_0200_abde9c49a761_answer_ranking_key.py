"""each ranking's whole text on its first-ranked answer (results group rankings by it)

Revision ID: abde9c49a761
Revises: 5dfc94198b4b
Create Date: 2026-12-06 02:00:00

"""

from itertools import groupby

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "abde9c49a761"
down_revision = "5dfc94198b4b"
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ranking_key", sa.Text(), nullable=True))
    backfill(op.get_bind())


def backfill(conn):
    """Every stored ranking, its options best first, on its first-ranked row (a test runs
    it over answers written by the submit path and compares)."""
    answer = sa.table(
        "answer",
        sa.column("id", sa.Integer),
        sa.column("response_id", sa.Integer),
        sa.column("question_id", sa.Integer),
        sa.column("option_id", sa.Integer),
        sa.column("rank", sa.Integer),
        sa.column("ranking_key", sa.Text),
    )
    rows = conn.execute(
        sa.select(answer.c.id, answer.c.response_id, answer.c.question_id, answer.c.option_id)
        .where(answer.c.rank.is_not(None), answer.c.option_id.is_not(None))
        .order_by(answer.c.response_id, answer.c.question_id, answer.c.rank)
    ).all()
    updates = []
    for _ballot, group in groupby(rows, key=lambda r: (r.response_id, r.question_id)):
        ranked = list(group)
        updates.append(
            {"answer_id": ranked[0].id, "key": ",".join(str(r.option_id) for r in ranked)}
        )
    statement = (
        sa.update(answer)
        .where(answer.c.id == sa.bindparam("answer_id"))
        .values(ranking_key=sa.bindparam("key"))
    )
    for start in range(0, len(updates), BATCH):
        conn.execute(statement, updates[start : start + BATCH])


def downgrade():
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_column("ranking_key")
