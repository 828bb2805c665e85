"""`ingest`: bulk-load documents (PDF, Word, OpenDocument, PowerPoint) and folders of them."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from ..context import resources
from ..db import transaction
from ..ingestion import Ingester, IngestOptions, collect_paths
from ..jobs import ProcrastinateJobs
from ..models import ACCESS_LEVELS, ITEM_TYPES
from ..services import uploads
from ..services.places import find_event
from ..services.taxonomy import find_theme
from .database import with_database


def _check_options(options: IngestOptions) -> None:
    with resources().sessions() as session:
        for slug in options.themes:
            if find_theme(session, slug) is None:
                raise click.BadParameter(f"no theme with the slug {slug!r}", param_hint="--theme")
        if options.event and find_event(session, options.event) is None:
            raise click.BadParameter(f"no event with the slug {options.event!r}", param_hint="--event")


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--type", "item_type", type=click.Choice(list(ITEM_TYPES)), default="paper", show_default=True,
              help="Type of every item in the batch.")
@click.option("--theme", "themes", multiple=True, metavar="SLUG", help="Theme for every item (repeatable).")
@click.option("--event", metavar="SLUG", help="Seminar or event the items came from.")
@click.option("--place", metavar="NAME", help="Place the items are about (created if new).")
@click.option("--access", type=click.Choice(list(ACCESS_LEVELS)), default="open", show_default=True,
              help="Access level of every item.")
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Parallel extractions (default: all cores).")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per input file to this file.")
@click.option("--queue", is_flag=True,
              help="Hand each file to the job workers instead of reading them here (PostgreSQL).")
@with_database
def ingest_command(paths, item_type, themes, event, place, access, jobs, report, queue) -> None:
    """Extract, record and index documents; folders are searched for .pdf, .docx, .doc, .odt and .pptx files."""
    if access == "embargoed":
        raise click.BadParameter("bulk ingest cannot set an embargo date; deposit embargoed items one by one",
                                 param_hint="--access")
    options = IngestOptions(type=item_type, themes=list(themes), event=event, place=place, access=access)
    _check_options(options)
    files = collect_paths(paths)
    if not files:
        raise click.UsageError("no documents (.pdf, .docx, .doc, .odt, .pptx) found in the given paths")

    res = resources()
    if queue:
        _queue_batch(files, options, report)
        return
    ingester = Ingester(res.sessions, res.index, res.files, limits=res.limits,
                        jobs=jobs or os.cpu_count())
    outcomes = []
    with click.progressbar(length=len(files), label="Ingesting", file=sys.stderr, show_pos=True) as bar:
        for outcome in ingester.run(files, options):
            outcomes.append(outcome)
            bar.update(1)
    # Written once the batch has committed, so each line can say whether its item is searchable.
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            for outcome in outcomes:
                handle.write(json.dumps(outcome.as_report(), ensure_ascii=False) + "\n")

    counts = Counter(outcome.status for outcome in outcomes)
    rejections = [(o.path, o.reason or "unknown reason") for o in outcomes if o.status == "rejected"]
    for path, reason in rejections:
        click.echo(f"rejected: {path}: {reason}", err=True)
    if ingester.unindexed:
        errors = "; ".join(sorted(set(ingester.index_errors))) or "see the log"
        click.echo(f"{len(ingester.unindexed)} recorded item(s) are not searchable yet ({errors}). They are safe "
                   "in the database and wait in the change log: the indexer service applies them, or run "
                   "this command again.", err=True)
    click.echo(f"{len(files)} file(s): {counts['ingested']} ingested, {counts['duplicate']} duplicate(s), "
               f"{counts['rejected']} rejected, {len(ingester.unindexed)} not searchable.")
    if rejections or ingester.unindexed:
        raise SystemExit(1)


def _queue_batch(files: list[Path], options: IngestOptions, report: Path | None) -> None:
    res = resources()
    if not isinstance(res.jobs, ProcrastinateJobs):
        raise click.UsageError("--queue needs the job queue of a PostgreSQL deployment; with SQLite, ingest "
                               "reads the files here (leave out --queue)")
    if report:
        raise click.UsageError("--report is for files read here; for a queued batch use ingest-status --report")
    with transaction(res.sessions) as session:
        batch, upload_ids = uploads.queue_ingest(session, files, res.files, options)
    for upload_id in upload_ids:
        res.jobs.defer("ingest_file", upload_id=upload_id)
    click.echo(f"{len(files)} file(s) queued as batch {batch}. The workers (`flask --app repository worker`) "
               f"read them; follow with `flask --app repository ingest-status {batch}`.")


@click.command("ingest-status")
@click.argument("batch")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Write one JSON line per file read so far to this file.")
@with_database
def ingest_status_command(batch: str, report: Path | None) -> None:
    """Say how far a queued ingest batch has got; exit 1 if any file was rejected."""
    with resources().sessions() as session:
        files = uploads.batch_reports(session, batch)
    if not files:
        raise click.ClickException(f"no queued batch {batch!r}")
    lines = [json.loads(f.report) for f in files if f.report]
    if report:
        with open(report, "w", encoding="utf-8") as handle:
            for line in lines:
                handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    counts = Counter(line["status"] for line in lines)
    waiting = sum(1 for f in files if f.state == "reading")
    for f in files:
        if f.state in ("refused", "failed"):
            click.echo(f"rejected: {f.file_name}: {f.message or 'unknown reason'}", err=True)
    click.echo(f"{len(files)} file(s): {counts['ingested']} ingested, {counts['duplicate']} duplicate(s), "
               f"{counts['rejected'] + sum(1 for f in files if f.state == 'failed')} rejected, {waiting} waiting.")
    if any(f.state in ("refused", "failed") for f in files):
        raise SystemExit(1)
