"""uploads read by background jobs; procrastinate's job tables on PostgreSQL

Revision ID: 0007_uploads
Revises: 0006_connected
Create Date: 2026-12-01 12:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007_uploads'
down_revision = '0006_connected'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'uploads',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('batch', sa.String(length=32), nullable=True),
        sa.Column('options', sa.Text(), nullable=False),
        sa.Column('report', sa.Text(), nullable=False),
        sa.Column('file_name', sa.String(length=1000), nullable=False),
        sa.Column('spool_name', sa.String(length=400), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_uploads_user_id_users'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_uploads_item_id_items'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_uploads')),
    )
    op.create_index(op.f('ix_uploads_batch'), 'uploads', ['batch'])
    if op.get_bind().dialect.name == "postgresql":
        # The job queue's own tables and functions, as the pinned procrastinate release defines them.
        from procrastinate.schema import SchemaManager

        # Run by the driver as it stands: the script's % signs are SQL, not placeholders.
        op.get_bind().connection.cursor().execute(SchemaManager.get_schema())


# Everything the job queue's script made: its tables (their sequences and indexes go with them),
# then its functions and its types, found by the prefix the script gives every name.
_DROP_JOB_QUEUE = """
DO $$
DECLARE found record;
BEGIN
    FOR found IN SELECT tablename FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', found.tablename);
    END LOOP;
    FOR found IN SELECT p.oid::regprocedure AS signature FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\\_%' LOOP
        EXECUTE format('DROP FUNCTION IF EXISTS %s CASCADE', found.signature);
    END LOOP;
    FOR found IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
                 WHERE n.nspname = current_schema() AND t.typname LIKE 'procrastinate\\_%'
                   AND t.typtype IN ('c', 'd', 'e') LOOP
        EXECUTE format('DROP TYPE IF EXISTS %I CASCADE', found.typname);
    END LOOP;
END $$;
"""


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.get_bind().connection.cursor().execute(_DROP_JOB_QUEUE)
    op.drop_table('uploads')
