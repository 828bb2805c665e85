"""public records for harvesting, saved-search alerts, usage figures and copy requests

Revision ID: 0006_connected
Revises: 0005_formats
Create Date: 2026-12-01 10:58:26
"""

from alembic import op
import sqlalchemy as sa


revision = '0006_connected'
down_revision = '0005_formats'
branch_labels = None
depends_on = None


def upgrade() -> None:
    state = op.create_table('public_record_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_record_state'))
    )
    # Seq -1: the first harvest describes every item from the database, then follows the change log.
    op.bulk_insert(state, [{"id": 1, "seq": -1}])
    op.create_table('public_records',
    sa.Column('item_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('datestamp', sa.DateTime(timezone=True), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('exposed', sa.Boolean(), nullable=False),
    sa.Column('set_specs', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_public_records'))
    )
    with op.batch_alter_table('public_records', schema=None) as batch_op:
        batch_op.create_index('ix_public_records_datestamp_item', ['datestamp', 'item_id'], unique=False)

    op.create_table('usage_salts',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('salt', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_usage_salts'))
    )
    op.create_table('saved_searches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('query', sa.String(length=4000), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_saved_searches_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches'))
    )
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_searches_user_id'), ['user_id'], unique=False)

    op.create_table('saved_search_items',
    sa.Column('saved_search_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('noted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_saved_search_items_item_id_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['saved_search_id'], ['saved_searches.id'], name=op.f('fk_saved_search_items_saved_search_id_saved_searches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('saved_search_id', 'item_id', name=op.f('pk_saved_search_items'))
    )
    op.create_table('usage_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('visitor', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_usage_events_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_usage_events'))
    )
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.create_index('ix_usage_events_item_kind', ['item_id', 'kind'], unique=False)
        batch_op.create_index('ix_usage_events_month', ['month'], unique=False)
        batch_op.create_index('ix_usage_events_visitor', ['visitor', 'item_id', 'kind', 'created_at'], unique=False)

    op.create_table('copy_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('file_id', sa.Integer(), nullable=True),
    sa.Column('link_nonce', sa.String(length=32), nullable=True),
    sa.Column('link_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_copy_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['file_id'], ['item_files.id'], name=op.f('fk_copy_requests_file_id_item_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_copy_requests_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_copy_requests'))
    )
    with op.batch_alter_table('copy_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_copy_requests_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('copy_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_copy_requests_item_id'))

    op.drop_table('copy_requests')
    with op.batch_alter_table('usage_events', schema=None) as batch_op:
        batch_op.drop_index('ix_usage_events_visitor')
        batch_op.drop_index('ix_usage_events_month')
        batch_op.drop_index('ix_usage_events_item_kind')

    op.drop_table('usage_events')
    op.drop_table('saved_search_items')
    with op.batch_alter_table('saved_searches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_searches_user_id'))

    op.drop_table('saved_searches')
    op.drop_table('usage_salts')
    with op.batch_alter_table('public_records', schema=None) as batch_op:
        batch_op.drop_index('ix_public_records_datestamp_item')

    op.drop_table('public_records')
    op.drop_table('public_record_state')
