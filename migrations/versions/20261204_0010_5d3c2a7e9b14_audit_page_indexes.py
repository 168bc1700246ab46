"""audit page: an index per filter, ending in the id the page is ordered by

Revision ID: 5d3c2a7e9b14
Revises: 0bb9f10f397a
Create Date: 2026-12-04 21:50:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '5d3c2a7e9b14'
down_revision = '0bb9f10f397a'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_audit_event_action_id': ['action', 'id'],
    'ix_audit_event_actor_id_id': ['actor_id', 'id'],
    'ix_audit_event_consultation_id_id': ['consultation_id', 'id'],
    'ix_audit_event_member_id_id': ['member_id', 'id'],
    'ix_audit_event_at': ['at'],
}


def upgrade():
    for name, columns in INDEXES.items():
        op.create_index(name, 'audit_event', columns)


def downgrade():
    for name in INDEXES:
        op.drop_index(name, table_name='audit_event')
