"""outbox messages written later by their feature's writer (receipts rendered by the mail worker)

Revision ID: a3c5e7d9f1b2
Revises: 2c6d386ea426
Create Date: 2026-12-06 02:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c5e7d9f1b2'
down_revision = '2c6d386ea426'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('item_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_mail_outbox_pending'), ['pending'], unique=False)


def downgrade():
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_outbox_pending'))
        batch_op.drop_column('item_id')
        batch_op.drop_column('pending')
