"""`load-demo`: the demo collection, rendered to PDF and ingested like anyone's files."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import click
from sqlalchemy import func, select

from indexer.extraction import Extraction

from ..context import Resources, resources
from ..db import transaction
from ..demo import pdfs as demo_pdfs
from ..ingestion import Ingester, IngestOptions
from ..models import Event, Item
from ..services.items import AuthorData, ItemData
from ..services.places import ensure_place, find_event
from .database import with_database


def _add_places_and_events(res: Resources, collection: dict) -> None:
    with transaction(res.sessions) as session:
        for entry in collection.get("places", []):
            ensure_place(session, entry["name"], region=entry.get("region", ""), ons_code=entry.get("ons_code"))
        for entry in collection["events"]:
            if find_event(session, entry["slug"]) is None:
                session.add(Event(
                    slug=entry["slug"], name=entry["name"], date=date.fromisoformat(entry["date"]),
                    host=entry.get("host", ""), description=entry.get("description", ""),
                    place=ensure_place(session, entry["place"]) if entry.get("place") else None,
                ))


def demo_item_data(entry: dict) -> ItemData:
    """Describe a demo document from its entry in the collection."""
    return ItemData(
        title=entry["title"],
        type=entry["type"],
        authors=[AuthorData(a["name"], a.get("affiliation", ""), a.get("orcid")) for a in entry["authors"]],
        abstract=entry.get("abstract", ""),
        summary=entry.get("summary", ""),
        year=entry.get("year"),
        date=date.fromisoformat(entry["date"]) if entry.get("date") else None,
        licence=entry.get("licence", ""),
        access=entry.get("access", "open"),
        themes=entry.get("themes", []),
        places=entry.get("places", []),
        event=entry.get("event"),
        case_study=entry.get("case_study"),
    )


def load_demo(res: Resources, work_dir: Path) -> Counter[str]:
    """Render the demo collection into `work_dir` and ingest it; return counts by status."""
    collection = demo_pdfs.load_collection()
    _add_places_and_events(res, collection)
    by_file = {entry["file"]: entry for entry in collection["documents"]}
    paths = demo_pdfs.render_collection(work_dir)

    def describe(extraction: Extraction) -> ItemData:
        return demo_item_data(by_file[Path(extraction.path).name])

    ingester = Ingester(res.sessions, res.index, res.files, limits=res.limits)
    counts: Counter[str] = Counter()
    for outcome in ingester.run(paths, IngestOptions(), describe=describe):
        counts[outcome.status] += 1
        if outcome.status == "rejected":
            click.echo(f"demo file rejected: {outcome.path}: {outcome.reason}", err=True)
    return counts


@click.command("load-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing when the repository already holds items.")
@with_database
def load_demo_command(if_empty: bool) -> None:
    """Load the demo collection of papers, case studies, reports and slides."""
    res = resources()
    if if_empty:
        with res.sessions() as session:
            if session.scalar(select(func.count(Item.id))):
                click.echo("The repository already holds items; demo not loaded.")
                return
    counts = load_demo(res, res.index_path.parent / "demo")
    click.echo(f"Demo collection: {counts['ingested']} ingested, {counts['duplicate']} already present, "
               f"{counts['rejected']} rejected.")
    if counts["rejected"]:
        raise SystemExit(1)
