"""`import-events` and `purge-registrations`."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask import current_app

from ..context import resources
from ..db import transaction
from ..services.event_import import import_events
from ..services.registrations import purge_registrations
from .database import with_database


@click.command("import-events")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_database
def import_events_command(file: Path) -> None:
    """Import seminars and their sessions from a CSV file (columns in the README); safe to run again."""
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{file} is not UTF-8 text; save it from the spreadsheet as CSV UTF-8") from None
    with transaction(resources().sessions) as session:
        report = import_events(session, text)
    for line, reason in report.errors:
        click.echo(f"{file}:{line}: {reason}", err=True)
    click.echo(f"{report.events_created} event(s) created, {report.events_updated} changed; "
               f"{report.sessions_added} session(s) added, {report.sessions_updated} changed; "
               f"{len(report.errors)} problem(s).")
    if report.errors:
        sys.exit(1)


@click.command("purge-registrations")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Treat this date as today (default: the real date).")
@with_database
def purge_registrations_command(today) -> None:
    """Delete registrations of interest REGISTRATIONS_KEEP_DAYS after their event."""
    keep = int(current_app.config["REGISTRATIONS_KEEP_DAYS"])
    with transaction(resources().sessions) as session:
        deleted = purge_registrations(session, today.date() if today else date.today(), keep)
    click.echo(f"{deleted} registration(s) deleted (kept for {keep} days after each event).")
