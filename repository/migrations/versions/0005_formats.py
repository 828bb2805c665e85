"""formats: each stored file's format, OCR-marked page text, suggestions to check

Revision ID: 0005_formats
Revises: 0004
Create Date: 2026-12-01 12:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0005_formats'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every file stored before this revision is a PDF.
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.add_column(sa.Column('format', sa.String(length=10), nullable=False, server_default='pdf'))
    with op.batch_alter_table('page_texts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ocr', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unsure_fields', sa.String(length=100), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('unsure_fields')
    with op.batch_alter_table('page_texts', schema=None) as batch_op:
        batch_op.drop_column('ocr')
    with op.batch_alter_table('item_files', schema=None) as batch_op:
        batch_op.drop_column('format')
