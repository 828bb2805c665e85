"""the search vocabulary: groups of words and phrases that mean the same

Revision ID: 0012_synonyms
Revises: 0011_item_files
Create Date: 2026-12-01 15:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0012_synonyms'
down_revision = '0011_item_files'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Abbreviations of the field (MASH, MARAC, GDPR) are searched with their long forms.
    op.create_table('synonym_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=254), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_synonym_groups'))
    )


def downgrade() -> None:
    op.drop_table('synonym_groups')
