"""folded copies of each member's code and names (the registry's list searches them in SQL)

Revision ID: 2c6d386ea426
Revises: abde9c49a761
Create Date: 2026-12-06 02:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "2c6d386ea426"
down_revision = "abde9c49a761"
branch_labels = None
depends_on = None

LANGUAGES = ("en", "fr", "es")


def upgrade():
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_folded", sa.Text(), server_default="", nullable=False)
        )
        for lang in LANGUAGES:
            batch_op.add_column(
                sa.Column(f"sort_{lang}", sa.String(length=200), server_default="", nullable=False)
            )
    backfill(op.get_bind())


def backfill(conn):
    """Every member's folded texts, computed as the model computes them on every write."""
    from consult.members.models import folded_names

    member = sa.table(
        "member",
        sa.column("id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("translations", sa.JSON),
        sa.column("search_folded", sa.Text),
        *(sa.column(f"sort_{lang}", sa.String) for lang in LANGUAGES),
    )
    rows = conn.execute(sa.select(member.c.id, member.c.code, member.c.name, member.c.translations))
    updates = []
    for member_id, code, name, translations in rows:
        folded = folded_names(code, name, translations)
        updates.append(
            {
                "member_id": member_id,
                "search": folded["search"],
                **{f"s_{lang}": folded[lang] for lang in LANGUAGES},
            }
        )
    if updates:
        conn.execute(
            sa.update(member)
            .where(member.c.id == sa.bindparam("member_id"))
            .values(
                search_folded=sa.bindparam("search"),
                **{f"sort_{lang}": sa.bindparam(f"s_{lang}") for lang in LANGUAGES},
            ),
            updates,
        )


def downgrade():
    with op.batch_alter_table("member", schema=None) as batch_op:
        for lang in reversed(LANGUAGES):
            batch_op.drop_column(f"sort_{lang}")
        batch_op.drop_column("search_folded")
