"""reset requests: written by the request, answered by the mail worker (same timing for any address)

Revision ID: fe41b7c2d9a3
Revises: fd5c5c2408a7
Create Date: 2026-12-04 22:34:36.433902

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fe41b7c2d9a3'
down_revision = 'fd5c5c2408a7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reset_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reset_request'))
    )


def downgrade():
    op.drop_table('reset_request')
