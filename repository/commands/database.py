"""`init-db`: create or upgrade the schema, seed the theme taxonomy, rebuild an index that cannot follow it."""

import functools
import os

import click
from flask.cli import with_appcontext

from ..context import resources
from ..db import schema_is_current, transaction, upgrade_schema
from ..services.indexing import NEW_INDEX, rebuild_reason, reindex_all
from ..services.synonyms import seed_synonyms
from ..services.taxonomy import seed_themes


def with_database(command):
    """Like with_appcontext, but stop with a clear message when the schema is missing or old."""

    @functools.wraps(command)
    def checked(*args, **kwargs):
        if not schema_is_current(resources().engine):
            raise click.ClickException(
                "the database is not set up, or its schema is older than this code: "
                "run `flask --app repository init-db` first")
        return command(*args, **kwargs)

    return with_appcontext(checked)


def prepare_database() -> int:
    """Upgrade the schema to the newest migration, add missing seed themes and, once, the seed synonyms."""
    res = resources()
    upgrade_schema(res.engine)
    with transaction(res.sessions) as session:
        seed_synonyms(session)
        return seed_themes(session)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database and seed the theme taxonomy; rebuild an index that cannot follow it."""
    added = prepare_database()
    res = resources()
    click.echo(f"Database ready at {res.engine.url.render_as_string(hide_password=True)}; "
               f"{added} theme(s) added.")
    with res.sessions() as session:
        reason = rebuild_reason(session, res.index)
        if reason is None:
            return
        # The database holds everything the index is made of.
        count = reindex_all(session, res.index, procs=os.cpu_count() or 1)
    verb = "built" if reason == NEW_INDEX else "rebuilt"
    click.echo(f"Search index {verb} from the database ({count} published item(s)): {reason}.")
