"""indexes for the results: rankings grouped over an index, texts and general comments found
without reading every answer or response

Revision ID: 7b1e4c2d9a60
Revises: a3c5e7d9f1b2
Create Date: 2026-12-06 05:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b1e4c2d9a60"
down_revision = "a3c5e7d9f1b2"
branch_labels = None
depends_on = None


def _where(condition):
    return {"sqlite_where": sa.text(condition), "postgresql_where": sa.text(condition)}


def upgrade():
    op.create_index(
        "ix_answer_ranking",
        "answer",
        ["question_id", "ranking_key", "response_id"],
        **_where("ranking_key IS NOT NULL"),
    )
    op.create_index("ix_answer_texts", "answer", ["question_id"], **_where("text IS NOT NULL"))
    op.create_index(
        "ix_response_commented", "response", ["consultation_id"], **_where("comment <> ''")
    )


def downgrade():
    op.drop_index("ix_response_commented", table_name="response")
    op.drop_index("ix_answer_texts", table_name="answer")
    op.drop_index("ix_answer_ranking", table_name="answer")
