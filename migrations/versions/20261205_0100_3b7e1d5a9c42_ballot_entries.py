"""responses entered by the secretariat on behalf of a member state: their provenance
(channel, date of receipt, reference, late entry and reason, scanned document), append-only

Revision ID: 3b7e1d5a9c42
Revises: fe41b7c2d9a3
Create Date: 2026-12-05 01:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e1d5a9c42'
down_revision = 'fe41b7c2d9a3'
branch_labels = None
depends_on = None

TABLE = 'ballot_entry'


def upgrade():
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('channel', sa.Enum('note_verbale', 'letter', 'email', 'in_person', name='channel', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=60), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('scan_sha256', sa.String(length=64), nullable=True),
    sa.Column('scan_name', sa.String(length=200), nullable=True),
    sa.Column('scan_size', sa.Integer(), nullable=True),
    sa.Column('scan_type', sa.String(length=100), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('entered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("NOT late OR reason <> ''", name=op.f('ck_ballot_entry_late_has_reason')),
    sa.CheckConstraint("reference <> ''", name=op.f('ck_ballot_entry_reference_given')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['user_account.id'], name=op.f('fk_ballot_entry_entered_by_id_user_account')),
    sa.ForeignKeyConstraint(['response_id'], ['response.id'], name=op.f('fk_ballot_entry_response_id_response'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ballot_entry')),
    sa.UniqueConstraint('response_id', 'revision', name=op.f('uq_ballot_entry_response_id_revision'))
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_entry_response_id'), ['response_id'], unique=False)
    # Append-only like revisions (see 64cf5951c5a4, whose PostgreSQL function this reuses).
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            f'CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} '
            'FOR EACH ROW EXECUTE FUNCTION consult_append_only()'
        )
        op.execute(
            f'CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} '
            'FOR EACH STATEMENT EXECUTE FUNCTION consult_append_only()'
        )
        return
    for verb in ('UPDATE', 'DELETE'):
        op.execute(
            f'CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} BEGIN '
            f"SELECT RAISE(ABORT, 'consult: {TABLE} is append-only ({verb} refused)'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP TRIGGER {TABLE}_append_only ON {TABLE}')
        op.execute(f'DROP TRIGGER {TABLE}_no_truncate ON {TABLE}')
    else:
        for verb in ('update', 'delete'):
            op.execute(f'DROP TRIGGER {TABLE}_no_{verb}')
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ballot_entry_response_id'))
    op.drop_table(TABLE)
