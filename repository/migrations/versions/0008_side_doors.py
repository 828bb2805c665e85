"""the same file may be deposited again when its other item is hidden from the depositor

Revision ID: 0008_side_doors
Revises: 0007_uploads
Create Date: 2026-12-01 13:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_side_doors'
down_revision = '0007_uploads'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Named readers by address, before (or without) a confirmed account: naming one never says which.
    op.create_table('item_reader_invites',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_reader_invites_item_id_items'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'email', name=op.f('pk_item_reader_invites'))
    )
    # Refusing a second copy of a file would tell the depositor that a hidden item holds it.
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_item_files_sha256'), type_='unique')
        batch_op.create_index(batch_op.f('ix_item_files_sha256'), ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_table('item_reader_invites')
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_files_sha256'))
        batch_op.create_unique_constraint(batch_op.f('uq_item_files_sha256'), ['sha256'])
