"""SQLite: a response's new revision replaces its answers (a trigger deletes the answers of
the previous revision, and the submission inserts the new ones after the revision)

SQLite has no data-modifying WITH: the trigger saves the submission a statement. PostgreSQL
writes the whole submission in one statement, the answers' DELETE included, so it has no
trigger (an AFTER trigger there would run at the end of that statement and delete the new
answers too).

Revision ID: 5e2f8b1c7d93
Revises: 7b1e4c2d9a60
Create Date: 2026-12-06 06:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5e2f8b1c7d93'
down_revision = '7b1e4c2d9a60'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute(
        'CREATE TRIGGER revision_replaces_answers AFTER INSERT ON revision BEGIN '
        'DELETE FROM answer WHERE response_id = NEW.response_id; END'
    )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    op.execute('DROP TRIGGER revision_replaces_answers')
