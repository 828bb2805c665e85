"""change log for the search index

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:30:00
"""

import uuid

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        'index_changes',
        sa.Column('seq', SEQUENCE, autoincrement=True, nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('reason', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_index_changes')),
        sqlite_autoincrement=True,
    )
    state = op.create_table(
        'change_log_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('pruned_through', SEQUENCE, nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_change_log_state')),
    )
    # Indexes written before the log existed have no checkpoint: init-db rebuilds them from here.
    op.bulk_insert(state, [{"id": 1, "source": uuid.uuid4().hex, "pruned_through": 0}])


def downgrade() -> None:
    op.drop_table('change_log_state')
    op.drop_table('index_changes')
