"""documents of consultations

Revision ID: f755a4141763
Revises: a1c3e5f7b9d1
Create Date: 2026-12-04 21:51:24.810305

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f755a4141763'
down_revision = 'a1c3e5f7b9d1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('note', 'annex', name='attachmentkind', native_enum=False, create_constraint=True, length=20), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('translations', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_attachment_consultation_id_consultation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_attachment_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment')),
    sa.UniqueConstraint('consultation_id', 'position', name=op.f('uq_attachment_consultation_id_position'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('attachment_file',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attachment_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("language IN ('en', 'fr', 'es')", name=op.f('ck_attachment_file_language_known')),
    sa.CheckConstraint('size > 0', name=op.f('ck_attachment_file_size_positive')),
    sa.CheckConstraint('version >= 1', name=op.f('ck_attachment_file_version_positive')),
    sa.ForeignKeyConstraint(['attachment_id'], ['attachment.id'], name=op.f('fk_attachment_file_attachment_id_attachment'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_attachment_file_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment_file')),
    sa.UniqueConstraint('attachment_id', 'language', 'version', name=op.f('uq_attachment_file_attachment_id_language_version'))
    )
    with op.batch_alter_table('attachment_file', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_file_attachment_id'), ['attachment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_file_sha256'), ['sha256'], unique=False)
        batch_op.create_index('ux_attachment_file_current', ['attachment_id', 'language'], unique=True, sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))



def downgrade():
    with op.batch_alter_table('attachment_file', schema=None) as batch_op:
        batch_op.drop_index('ux_attachment_file_current', sqlite_where=sa.text('superseded_at IS NULL'), postgresql_where=sa.text('superseded_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_attachment_file_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachment_file_attachment_id'))

    op.drop_table('attachment_file')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_consultation_id'))

    op.drop_table('attachment')
