"""`indexer`, `reindex` and `check-index`: each node's index follows the database's change log."""

from __future__ import annotations

import logging
import os
import signal
import threading

import click
from flask import current_app

from indexer.search import IndexLocked, IndexWriteFailed

from ..context import resources
from ..follower import Housekeeping, IndexFollower, follow, read_status, write_status
from ..services.changes import ChangeListener
from ..services.indexing import compare_index, reindex_all
from .database import with_database


def _procs(procs: int | None) -> int:
    return procs or os.cpu_count() or 1


@click.command("indexer")
@click.option("--once", is_flag=True, help="Apply what the change log holds now, then exit.")
@click.option("--procs", type=click.IntRange(1, 64), default=None,
              help="Writer processes for a rebuild (default: all cores).")
@with_database
def indexer_command(once: bool, procs: int | None) -> None:
    """Keep this node's search index up to date from the change log until stopped."""
    res = resources()
    follower = IndexFollower(res.sessions, res.index)
    if once:
        applied = follower.catch_up(procs=_procs(procs))
        click.echo(f"{applied} change(s) applied to the search index.")
        return
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("repository").setLevel(logging.INFO)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    config = current_app.config
    housekeeping = Housekeeping(embargo_seconds=float(config["EMBARGO_CHECK_SECONDS"]),
                                keep_changes_days=int(config["CHANGE_LOG_DAYS"]),
                                keep_registrations_days=int(config["REGISTRATIONS_KEEP_DAYS"]))
    listener = ChangeListener(config["DATABASE_URL"], stop)
    click.echo(f"Following the change log into {res.index.path} (stop with Ctrl-C).", err=True)
    try:
        follow(follower, stop=stop, wait=listener.wait, housekeeping=housekeeping, procs=_procs(procs),
               idle_seconds=float(config["INDEXER_POLL_SECONDS"]))
    finally:
        follower.cancel()
        listener.close()
    click.echo("Indexer stopped.", err=True)


@click.command("reindex")
@click.option("--procs", type=click.IntRange(1, 64), default=None,
              help="Writer processes (default: all cores).")
@with_database
def reindex_command(procs: int | None) -> None:
    """Rebuild the whole search index from the database."""
    res = resources()
    try:
        with res.sessions() as session:
            count = reindex_all(session, res.index, procs=_procs(procs))
        write_status(res.index, error=None, failed_items={})
    except (OSError, IndexWriteFailed, IndexLocked) as error:
        # A read-only or full disk, or another writer: say so plainly (the index is left as it was).
        cause = error.__cause__ if isinstance(error.__cause__, OSError) else error
        if isinstance(cause, OSError):
            reason = f"{cause.strerror or cause}" + (f" ({cause.filename})" if cause.filename else "")
        else:
            reason = str(cause)
        raise click.ClickException(
            f"Cannot write the search index in {res.index_path}: {reason}. Make the folder writable or "
            "free some space (or wait for the other writer), then run reindex again.") from None
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
    if differences.rebuild_reason:
        click.echo(f"the index must be rebuilt: {differences.rebuild_reason}")
    if differences.pending:
        click.echo(f"{differences.pending} change(s) in the change log are not applied yet "
                   "(is `flask --app repository indexer` running?)")
    status = read_status(res.index)
    if status.get("error"):
        click.echo(f"the indexer's last attempt failed at {status.get('at')}: {status['error']}")
    for item_id, error in sorted((status.get("failed_items") or {}).items()):
        click.echo(f"item {item_id}: cannot be indexed: {error}")
    if differences.clean:
        click.echo("Index and database agree.")
        return
    total = (len(differences.missing) + len(differences.extra) + len(differences.stale)
             + bool(differences.rebuild_reason) + differences.pending)
    click.echo(f"{total} difference(s); run `flask --app repository reindex` to repair.", err=True)
    raise SystemExit(1)
