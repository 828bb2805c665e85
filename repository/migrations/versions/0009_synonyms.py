"""the search vocabulary: groups of words and phrases that mean the same

Revision ID: 0009_synonyms
Revises: 0008_side_doors
Create Date: 2026-12-01 15:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_synonyms'
down_revision = '0008_side_doors'
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
