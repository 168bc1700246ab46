"""question settings: what a kind keeps beyond the question's columns

Revision ID: 6d1f3a9c2b10
Revises: 64cf5951c5a4
Create Date: 2026-12-04 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '6d1f3a9c2b10'
down_revision = '64cf5951c5a4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.add_column(sa.Column('settings', sa.JSON(), nullable=False, server_default=sa.text("'{}'")))


def downgrade():
    with op.batch_alter_table('question', schema=None) as batch_op:
        batch_op.drop_column('settings')
