"""`worker`: run background jobs (reading deposited files) from the queue in PostgreSQL."""

from __future__ import annotations

import logging

import click

from ..context import resources
from ..jobs import ProcrastinateJobs
from .database import with_database


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then exit.")
@click.option("--concurrency", type=click.IntRange(1, 32), default=1, show_default=True,
              help="Jobs run at once (each file is read in its own child process).")
@with_database
def worker_command(once: bool, concurrency: int) -> None:
    """Run background jobs until stopped; any machine sharing the database and FILES_DIR can."""
    jobs = resources().jobs
    if not isinstance(jobs, ProcrastinateJobs):
        click.echo("This repository uses SQLite: its jobs run inside the web server's own process, "
                   "so no worker is needed. Workers serve a PostgreSQL deployment.")
        return
    if once:
        jobs.run_pending()
        return
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    click.echo(f"Running jobs, {concurrency} at a time (stop with Ctrl-C).", err=True)
    jobs.run_worker(concurrency=concurrency)
    click.echo("Worker stopped.", err=True)
