"""`reindex` and `check-index`: the index is derived data, rebuilt from the database."""

import os

import click

from ..context import resources
from ..services.indexing import compare_index, reindex_all
from .database import with_database


@click.command("reindex")
@click.option("--procs", type=click.IntRange(1, 64), default=None,
              help="Writer processes (default: all cores).")
@with_database
def reindex_command(procs: int | None) -> None:
    """Rebuild the whole search index from the database."""
    res = resources()
    with res.sessions() as session:
        count = reindex_all(session, res.index, procs=procs or os.cpu_count() or 1)
    click.echo(f"Index rebuilt: {count} published item(s).")


@click.command("check-index")
@with_database
def check_index_command() -> None:
    """Compare the database with the index; exit 1 if they differ."""
    res = resources()
    with res.sessions() as session:
        differences = compare_index(session, res.index)
    for label, ids in (("missing from the index", differences.missing),
                       ("in the index but not published", differences.extra),
                       ("out of date in the index", differences.stale)):
        for item_id in ids:
            click.echo(f"item {item_id}: {label}")
    if differences.outdated_schema:
        click.echo("the index was written by an older version of this software (its fields differ)")
    if differences.clean:
        click.echo("Index and database agree.")
        return
    total = len(differences.missing) + len(differences.extra) + len(differences.stale) + differences.outdated_schema
    click.echo(f"{total} difference(s); run `flask --app repository reindex` to repair.", err=True)
    raise SystemExit(1)
