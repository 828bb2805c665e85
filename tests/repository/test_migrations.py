"""The migrations build exactly the schema the models describe, and can be undone and redone."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from repository.db import _alembic_config, schema_is_current, upgrade_schema
from repository.models import Base


def _ours(name, kind, parents) -> bool:
    # The job queue's tables on PostgreSQL are procrastinate's own (made by migration 0007).
    return not (kind == "table" and name.startswith("procrastinate_"))


def _differences(engine) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _ours})
        return compare_metadata(context, Base.metadata)


def test_the_migrated_schema_is_the_models_schema(res):
    # The app's database was made by the migrations (prepare_database runs them to head).
    assert schema_is_current(res.engine)
    assert _differences(res.engine) == []


def test_the_migrations_form_one_line_in_number_order(res):
    script = ScriptDirectory.from_config(_alembic_config(res.engine))
    revisions = list(script.walk_revisions())  # from the head down to the first
    assert len(script.get_heads()) == 1 and len(script.get_bases()) == 1
    assert not any(revision.is_branch_point or revision.is_merge_point for revision in revisions)
    oldest_first = [revision.revision for revision in reversed(revisions)]
    assert oldest_first == sorted(oldest_first)  # 0001_..., 0002_...: the files' order is the chain's


def test_every_migration_can_be_undone_and_redone(res):
    config = _alembic_config(res.engine)
    command.downgrade(config, "base")
    assert not schema_is_current(res.engine)
    with res.engine.connect() as connection:  # nothing is left behind, the job queue's tables included
        assert [name for name in inspect(connection).get_table_names() if name != "alembic_version"] == []
    upgrade_schema(res.engine)
    assert schema_is_current(res.engine) and _differences(res.engine) == []
