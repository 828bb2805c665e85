"""seminars: end dates and venues, programmes with what was presented, registrations of interest, the event audit log

Revision ID: 0009_seminars
Revises: 0008_side_doors
Create Date: 2026-12-01 15:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_seminars'
down_revision = '0008_side_doors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('venue', sa.String(length=300), server_default='', nullable=False))
    op.create_table('event_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.Time(), nullable=True),
    sa.Column('ends_at', sa.Time(), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('speakers', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_sessions_event_id_events'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_sessions'))
    )
    with op.batch_alter_table('event_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_sessions_event_id'), ['event_id'], unique=False)
    op.create_table('event_session_items',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_event_session_items_item_id_items'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['event_sessions.id'],
                            name=op.f('fk_event_session_items_session_id_event_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'item_id', name=op.f('pk_event_session_items'))
    )
    op.create_table('event_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=200), nullable=False),
    sa.Column('accessibility', sa.Text(), nullable=False),
    sa.Column('consented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_registrations_event_id_events'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_registrations')),
    sa.UniqueConstraint('event_id', 'email', name=op.f('uq_event_registrations_event_id'))
    )
    with op.batch_alter_table('event_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_registrations_event_id'), ['event_id'], unique=False)
    op.create_table('event_audit_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('changes_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_audit_entries_event_id_events'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_event_audit_entries_user_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_audit_entries'))
    )
    with op.batch_alter_table('event_audit_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_audit_entries_event_id'), ['event_id'], unique=False)


def downgrade() -> None:
    op.drop_table('event_audit_entries')
    op.drop_table('event_registrations')
    op.drop_table('event_session_items')
    op.drop_table('event_sessions')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('venue')
        batch_op.drop_column('end_date')
