"""item files: additional files beside an item's main file, each with a label, its text and its own access

Revision ID: 0011_item_files
Revises: 0010_workflow
Create Date: 2026-12-01 16:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_item_files'
down_revision = '0010_workflow'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('additional_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=20), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('access', sa.String(length=20), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('page_count', sa.Integer(), nullable=False),
    sa.Column('original_name', sa.String(length=300), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_additional_files_item_id_items'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_additional_files'))
    )
    with op.batch_alter_table('additional_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_additional_files_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_additional_files_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('additional_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_additional_files_sha256'))
        batch_op.drop_index(batch_op.f('ix_additional_files_item_id'))
    op.drop_table('additional_files')
