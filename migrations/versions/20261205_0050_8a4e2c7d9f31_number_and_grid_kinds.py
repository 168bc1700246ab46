"""number and grid kinds of question

Revision ID: 8a4e2c7d9f31
Revises: 6d1f3a9c2b10
Create Date: 2026-12-04 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8a4e2c7d9f31'
down_revision = '6d1f3a9c2b10'
branch_labels = None
depends_on = None

OLD = ('ranking', 'choose', 'single', 'likert', 'text')
NEW = (*OLD, 'number', 'grid')


def _kind(values):
    return sa.Enum(*values, name='questionkind', native_enum=False, create_constraint=True, length=20)


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind(OLD), type_=_kind(NEW), existing_nullable=False)


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.alter_column('kind', existing_type=_kind(NEW), type_=_kind(OLD), existing_nullable=False)
