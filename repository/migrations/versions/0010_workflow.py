"""review of new versions, theme and place editing with old addresses kept

Revision ID: 0010_workflow
Revises: 0009_seminars
Create Date: 2026-12-01 15:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_workflow'
down_revision = '0009_seminars'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new version of a published item's file waits for an editor; every earlier version was accepted.
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('review', sa.String(length=10), server_default='accepted', nullable=False))
    # What editors change outside items; no foreign key to the subject, which a merge removes.
    op.create_table('curation_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=10), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('subject_label', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('actor', sa.String(length=254), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('changes_json', sa.Text(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_curation_entries_user_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curation_entries'))
    )
    op.create_index('ix_curation_entries_subject', 'curation_entries', ['subject', 'subject_id'], unique=False)
    # Old addresses of renamed and merged themes and places, so links and bookmarks keep working.
    op.create_table('theme_aliases',
    sa.Column('slug', sa.String(length=80), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_theme_aliases_theme_id_themes'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_theme_aliases'))
    )
    op.create_index(op.f('ix_theme_aliases_theme_id'), 'theme_aliases', ['theme_id'], unique=False)
    op.create_table('place_aliases',
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('place_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['place_id'], ['places.id'], name=op.f('fk_place_aliases_place_id_places'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_place_aliases'))
    )
    op.create_index(op.f('ix_place_aliases_place_id'), 'place_aliases', ['place_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_place_aliases_place_id'), table_name='place_aliases')
    op.drop_table('place_aliases')
    op.drop_index(op.f('ix_theme_aliases_theme_id'), table_name='theme_aliases')
    op.drop_table('theme_aliases')
    op.drop_index('ix_curation_entries_subject', table_name='curation_entries')
    op.drop_table('curation_entries')
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.drop_column('review')
