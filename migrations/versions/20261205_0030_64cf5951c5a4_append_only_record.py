"""the record is append-only: triggers refuse UPDATE, DELETE (and TRUNCATE) of audit events,
checkpoints and revisions

On PostgreSQL the triggers refuse every role, the owner included, until the owner lifts them
(ALTER TABLE ... DISABLE TRIGGER USER, see docs/deploy.md); consult db harden also takes
UPDATE, DELETE and TRUNCATE on these tables away from the application's role. SQLite has no
roles: its triggers are the whole protection.

Revision ID: 64cf5951c5a4
Revises: ea3caddc8d75
Create Date: 2026-12-04 22:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '64cf5951c5a4'
down_revision = 'ea3caddc8d75'
branch_labels = None
depends_on = None

TABLES = ('audit_event', 'audit_checkpoint', 'revision')

POSTGRESQL_FUNCTION = """
CREATE FUNCTION consult_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'consult: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRESQL_FUNCTION)
        for table in TABLES:
            op.execute(
                f'CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} '
                'FOR EACH ROW EXECUTE FUNCTION consult_append_only()'
            )
            op.execute(
                f'CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} '
                'FOR EACH STATEMENT EXECUTE FUNCTION consult_append_only()'
            )
        return
    for table in TABLES:
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f'CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} BEGIN '
                f"SELECT RAISE(ABORT, 'consult: {table} is append-only ({verb} refused)'); END"
            )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f'DROP TRIGGER {table}_append_only ON {table}')
            op.execute(f'DROP TRIGGER {table}_no_truncate ON {table}')
        op.execute('DROP FUNCTION consult_append_only()')
        return
    for table in TABLES:
        for verb in ('update', 'delete'):
            op.execute(f'DROP TRIGGER {table}_no_{verb}')
