"""registry, account tokens, outbox and reminders

Revision ID: e42072d5e273
Revises: 142b31ad6629
Create Date: 2026-12-01 07:42:43.644006

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e42072d5e273'
down_revision = '142b31ad6629'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('invitation', 'password_reset', name='tokenpurpose', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_account_token_created_by_id_user_account')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_token_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_token')),
    sa.UniqueConstraint('digest', name=op.f('uq_account_token_digest'))
    )
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_token_user_id'), ['user_id'], unique=False)

    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('invitation', 'password_reset', 'reminder', 'notice_opened', 'notice_extended', 'notice_published', name='mailkind', native_enum=False, create_constraint=True, length=30), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=254), nullable=False),
    sa.Column('locale', sa.String(length=5), nullable=False),
    sa.Column('subject', sa.String(length=300), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('secret', sa.Boolean(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.String(length=500), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_mail_outbox_consultation_id_consultation'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_mail_outbox_member_id_member')),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_mail_outbox_user_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox'))
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_next_attempt_at'), ['next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_outbox_sent_at'), ['sent_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_outbox_user_id'), ['user_id'], unique=False)

    op.create_table('reminder',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('recipients', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_reminder_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_reminder_member_id_member')),
    sa.ForeignKeyConstraint(['sent_by_id'], ['user_account.id'], name=op.f('fk_reminder_sent_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminder'))
    )
    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_consultation_id'), ['consultation_id', 'member_id', 'sent_at'], unique=False)

    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('translations', sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.alter_column('translations', server_default=None)



def downgrade():
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_column('translations')

    with op.batch_alter_table('reminder', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_consultation_id'))

    op.drop_table('reminder')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_outbox_user_id'))
        batch_op.drop_index(batch_op.f('ix_mail_outbox_sent_at'))
        batch_op.drop_index(batch_op.f('ix_mail_outbox_next_attempt_at'))

    op.drop_table('mail_outbox')
    with op.batch_alter_table('account_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_token_user_id'))

    op.drop_table('account_token')
