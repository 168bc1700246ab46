"""receipt by e-mail: a new kind of outbox message

Revision ID: a1c3e5f7b9d1
Revises: 5d3c2a7e9b14
Create Date: 2026-12-04 20:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d1'
down_revision = '5d3c2a7e9b14'
branch_labels = None
depends_on = None

_BEFORE = ('invitation', 'password_reset', 'reminder', 'notice_opened', 'notice_extended', 'notice_published')
_AFTER = (*_BEFORE, 'receipt')


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def _set_kinds(kinds):
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_mail_outbox_mailkind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_mail_outbox_mailkind'), _kinds(kinds))


def upgrade():
    _set_kinds(_AFTER)


def downgrade():
    op.execute("DELETE FROM mail_outbox WHERE kind = 'receipt'")
    _set_kinds(_BEFORE)
