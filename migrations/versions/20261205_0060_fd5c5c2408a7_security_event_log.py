"""security event log: refused access, CSRF failures, rate-limit hits, failed sign-ins

Revision ID: fd5c5c2408a7
Revises: 8a4e2c7d9f31
Create Date: 2026-12-04 22:24:23.873059

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fd5c5c2408a7'
down_revision = '8a4e2c7d9f31'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('security_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.Enum('access_refused', 'csrf_failed', 'rate_limited', 'sign_in_failed', name='securitykind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=300), nullable=True),
    sa.Column('address', sa.String(length=100), nullable=True),
    sa.Column('method', sa.String(length=10), nullable=True),
    sa.Column('endpoint', sa.String(length=100), nullable=True),
    sa.Column('path', sa.String(length=600), nullable=True),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.Column('request_id', sa.String(length=40), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_security_event_member_id_member'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_security_event_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_security_event'))
    )
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_security_event_kind'), ['kind', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_security_event_user_id'), ['user_id', 'id'], unique=False)



def downgrade():
    with op.batch_alter_table('security_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_security_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_security_event_kind'))

    op.drop_table('security_event')
