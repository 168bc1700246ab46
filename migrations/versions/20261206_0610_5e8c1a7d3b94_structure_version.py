"""consultation.structure_version, raised by the database on every write to its questions and options

Triggers on question and option (insert, update, delete) raise the version of the
consultation the rows belong to, whoever writes: the builder's ORM flushes, the YAML import's
Core batches, merges, follow-up rounds, cascaded deletes. PostgreSQL raises it once per
statement (transition tables), SQLite once per row. The ballot pages keep a consultation's
questions and options per process by (consultation, version).

Revision ID: 5e8c1a7d3b94
Revises: 5e2f8b1c7d93
Create Date: 2026-12-06 06:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e8c1a7d3b94"
down_revision = "5e2f8b1c7d93"
branch_labels = None
depends_on = None

RAISE = "UPDATE consultation SET structure_version = structure_version + 1 WHERE id"
TABLES = ("question", "option")
EVENTS = ("insert", "update", "delete")


def _consultations(table: str, rows: str, *, transition: bool) -> str:
    """The consultations of the changed ``rows``: a transition table, or ``NEW``/``OLD``."""
    if table == "question":
        return f"SELECT consultation_id FROM {rows}" if transition else f"SELECT {rows}.consultation_id"
    if transition:
        return (
            f"SELECT question.consultation_id FROM question JOIN {rows} "
            f"ON question.id = {rows}.question_id"
        )
    return f"SELECT consultation_id FROM question WHERE question.id = {rows}.question_id"


def upgrade():
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("structure_version", sa.BigInteger(), server_default="0", nullable=False)
        )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgresql:
            op.execute(
                f"CREATE FUNCTION consult_{table}_structure() RETURNS trigger LANGUAGE plpgsql "
                f"AS $$ BEGIN {RAISE} IN ({_consultations(table, 'changed', transition=True)}); "
                "RETURN NULL; END $$"
            )
        for event in EVENTS:
            if postgresql:
                transition = "OLD" if event == "delete" else "NEW"
                op.execute(
                    f'CREATE TRIGGER {table}_structure_{event} AFTER {event.upper()} ON "{table}" '
                    f"REFERENCING {transition} TABLE AS changed FOR EACH STATEMENT "
                    f"EXECUTE FUNCTION consult_{table}_structure()"
                )
            else:
                row = "OLD" if event == "delete" else "NEW"
                op.execute(
                    f'CREATE TRIGGER {table}_structure_{event} AFTER {event.upper()} ON "{table}" '
                    f"BEGIN {RAISE} IN ({_consultations(table, row, transition=False)}); END"
                )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        for event in EVENTS:
            op.execute(
                f'DROP TRIGGER {table}_structure_{event} ON "{table}"'
                if postgresql
                else f"DROP TRIGGER {table}_structure_{event}"
            )
        if postgresql:
            op.execute(f"DROP FUNCTION consult_{table}_structure()")
    with op.batch_alter_table("consultation", schema=None) as batch_op:
        batch_op.drop_column("structure_version")
