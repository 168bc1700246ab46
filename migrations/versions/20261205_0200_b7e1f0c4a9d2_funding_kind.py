"""funding kind of question

Revision ID: b7e1f0c4a9d2
Revises: 3b7e1d5a9c42
Create Date: 2026-12-05 02:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e1f0c4a9d2'
down_revision = '3b7e1d5a9c42'
branch_labels = None
depends_on = None

OLD = ('ranking', 'choose', 'single', 'likert', 'text', 'number', 'grid')
NEW = (*OLD, 'funding')


def _kind(values):
    return sa.Enum(*values, name='questionkind', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind(OLD), type_=_kind(NEW), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind(NEW), type_=_kind(OLD), existing_nullable=False)
