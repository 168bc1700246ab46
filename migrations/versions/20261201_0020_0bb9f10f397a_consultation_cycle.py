"""consultation cycle: invitations, outcome and rationale, extensions, follow-up, merges

Revision ID: 0bb9f10f397a
Revises: e42072d5e273
Create Date: 2026-12-01 07:44:52.751428

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0bb9f10f397a'
down_revision = 'e42072d5e273'
branch_labels = None
depends_on = None

_TRUE = sa.true()
_FALSE = sa.false()


def upgrade():
    op.create_table('option_suggestion',
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_option_suggestion_member_id_member'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['option.id'], name=op.f('fk_option_suggestion_option_id_option'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('option_id', 'member_id', name=op.f('pk_option_suggestion'))
    )
    # Existing rows get the defaults of the model; the server defaults are dropped afterwards.
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invite_all', sa.Boolean(), nullable=False, server_default=_TRUE))
        batch_op.add_column(sa.Column('invite_observers', sa.Boolean(), nullable=False, server_default=_TRUE))
        batch_op.add_column(sa.Column('results_attributed', sa.Boolean(), nullable=False, server_default=_FALSE))
        batch_op.add_column(sa.Column('rationale', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('outcome_recorded_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('previous_closes_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('extended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_consultation_parent_id'), ['parent_id'], unique=False)
    op.execute(
        "UPDATE consultation SET published_at = updated_at "
        "WHERE status = 'published' AND published_at IS NULL"
    )
    op.execute("UPDATE consultation SET published_at = NULL WHERE status <> 'published'")
    with op.batch_alter_table('consultation', schema=None) as batch_op:
        for column in ('invite_all', 'invite_observers', 'results_attributed', 'rationale'):
            batch_op.alter_column(column, server_default=None)
        batch_op.create_check_constraint(
            'published_has_time', "(status = 'published') = (published_at IS NOT NULL)"
        )

    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_from', sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.alter_column('merged_from', server_default=None)


def downgrade():
    with op.batch_alter_table('option', schema=None) as batch_op:
        batch_op.drop_column('merged_from')

    with op.batch_alter_table('consultation', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_consultation_published_has_time'), type_='check')
        batch_op.drop_index(batch_op.f('ix_consultation_parent_id'))
        batch_op.drop_column('extended_at')
        batch_op.drop_column('previous_closes_at')
        batch_op.drop_column('outcome_recorded_at')
        batch_op.drop_column('rationale')
        batch_op.drop_column('results_attributed')
        batch_op.drop_column('invite_observers')
        batch_op.drop_column('invite_all')

    op.drop_table('option_suggestion')
