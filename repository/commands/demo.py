"""`load-demo`: the demo collection, rendered to PDF and ingested like anyone's files."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
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
from ..services.seminars import EventData, SessionData, add_session, create_event, programme
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


PRESENTED_TYPES = ("paper", "slides")


def _add_upcoming(res: Resources, collection: dict, today: date) -> None:
    """Add the upcoming seminar, dated from the day it is loaded so it stays ahead, with its programme."""
    with transaction(res.sessions) as session:
        for entry in collection.get("upcoming", []):
            if find_event(session, entry["slug"]) is not None:
                continue
            event = create_event(session, EventData(
                name=entry["name"], date=today + timedelta(days=entry["days_after_loading"]), slug=entry["slug"],
                venue=entry.get("venue", ""), place=entry.get("place", ""), host=entry.get("host", ""),
                description=entry.get("description", "")), None, action="event_imported")
            for part in entry.get("programme", []):
                add_session(session, event, SessionData(
                    title=part["title"], starts_at=time.fromisoformat(part["starts_at"]),
                    ends_at=time.fromisoformat(part["ends_at"]) if part.get("ends_at") else None,
                    speakers=[(name, affiliation) for name, affiliation in part.get("speakers", [])]), None)


def _add_past_programmes(res: Resources, collection: dict) -> None:
    """Give each past seminar without a programme one: a welcome, then a session for each paper and slides."""
    with transaction(res.sessions) as session:
        for entry in collection["events"]:
            event = find_event(session, entry["slug"])
            if event is None or programme(session, event):
                continue
            documents = [doc for doc in collection["documents"]
                         if doc.get("event") == entry["slug"] and doc["type"] in PRESENTED_TYPES]
            add_session(session, event, SessionData(title="Welcome and introductions", starts_at=time(9, 30),
                                                    speakers=[("Series convenors", entry.get("host", ""))]), None)
            start = datetime.combine(event.date, time(10, 0))
            for doc in documents:
                item = session.scalar(select(Item).where(Item.title == doc["title"], Item.event_id == event.id))
                if item is None:
                    continue
                first = doc["authors"][0] if doc["authors"] else {"name": "", "affiliation": ""}
                add_session(session, event, SessionData(
                    title=doc["title"], starts_at=start.time(), ends_at=(start + timedelta(minutes=40)).time(),
                    speakers=[(first["name"], first.get("affiliation", ""))], item_ids=[item.id]), None)
                start += timedelta(minutes=45)


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
    _add_past_programmes(res, collection)
    _add_upcoming(res, collection, date.today())
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
