"""`init-db`: create or upgrade the schema, seed the theme taxonomy, rebuild an outdated index."""

import functools
import os

import click
from flask.cli import with_appcontext

from ..context import resources
from ..db import schema_is_current, transaction, upgrade_schema
from ..services.indexing import reindex_all
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
    """Upgrade the schema to the newest migration and add missing seed themes."""
    res = resources()
    upgrade_schema(res.engine)
    with transaction(res.sessions) as session:
        return seed_themes(session)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create or upgrade the database and seed the theme taxonomy."""
    added = prepare_database()
    res = resources()
    click.echo(f"Database ready at {res.engine.url.render_as_string(hide_password=True)}; "
               f"{added} theme(s) added.")
    if res.index.outdated:
        # An upgrade changed the index's fields: the database holds everything to rebuild it.
        with res.sessions() as session:
            count = reindex_all(session, res.index, procs=os.cpu_count() or 1)
        click.echo(f"The search index was written by an older version; rebuilt it ({count} published item(s)).")
