"""Import events and sessions from CSV: bad rows reported by line, the rest imported; a re-run changes nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import EventSession, User
from .places import find_event
from .seminars import EventData, InvalidEvent, SessionData, add_session, create_event, session_snapshot, update_event
from .seminars import update_session as change_session

# The columns a file may have; `slug`, `name` and `date` are needed for a new event.
COLUMNS = ("slug", "name", "date", "end_date", "venue", "place", "host", "description",
           "session_title", "session_starts", "session_ends", "speakers", "items")


@dataclass
class ImportReport:
    """What an import did: events created and changed, sessions added and changed, and the rows refused."""

    events_created: int = 0
    events_updated: int = 0
    sessions_added: int = 0
    sessions_updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)


def _date(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidEvent(f"{name} {text.strip()!r} is not a date like 2027-03-27") from None


def _time(text: str, name: str) -> time | None:
    if not text.strip():
        return None
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise InvalidEvent(f"{name} {text.strip()!r} is not a time like 14:30") from None


def _session_data(row: dict[str, str]) -> SessionData:
    speakers = []
    for entry in (row.get("speakers") or "").split(";"):
        name, _, affiliation = entry.partition(",")
        if name.strip():
            speakers.append((name.strip(), affiliation.strip()))
    try:
        item_ids = [int(part) for part in (row.get("items") or "").replace(";", " ").replace(",", " ").split()]
    except ValueError:
        raise InvalidEvent(f"items {row.get('items')!r} must be item numbers separated by semicolons") from None
    return SessionData(title=row["session_title"].strip(),
                       starts_at=_time(row.get("session_starts") or "", "session_starts"),
                       ends_at=_time(row.get("session_ends") or "", "session_ends"),
                       speakers=speakers, item_ids=item_ids)


def _import_row(session: Session, row: dict[str, str], actor: User | None, report: ImportReport) -> None:
    slug = (row.get("slug") or "").strip()
    if not slug:
        raise InvalidEvent("the slug is empty")
    event = find_event(session, slug)
    if (row.get("name") or "").strip() or event is None:
        start = _date(row.get("date") or "", "date")
        if start is None:
            raise InvalidEvent("the date is empty")
        data = EventData(name=row.get("name") or "", date=start,
                         end_date=_date(row.get("end_date") or "", "end_date"),
                         venue=row.get("venue") or "", place=row.get("place") or "", host=row.get("host") or "",
                         description=row.get("description") or "", slug=slug)
        if event is None:
            event = create_event(session, data, actor, action="event_imported")
            if event.slug != slug:
                raise InvalidEvent(f"the slug {slug!r} cannot be used; choose another")
            report.events_created += 1
        elif update_event(session, event, data, actor):
            report.events_updated += 1
    if (row.get("session_title") or "").strip():
        data = _session_data(row)
        existing = session.scalar(select(EventSession).where(EventSession.event_id == event.id,
                                                             EventSession.title == data.title))
        if existing is None:
            add_session(session, event, data, actor)
            report.sessions_added += 1
        else:
            before = session_snapshot(existing)
            change_session(session, event, existing, data, actor)
            if session_snapshot(existing) != before:
                report.sessions_updated += 1


def import_events(session: Session, text: str, actor: User | None = None) -> ImportReport:
    """Import every good row of CSV `text`, each in its own savepoint; flush, never commit."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    unknown = set(reader.fieldnames or []) - set(COLUMNS)
    if not reader.fieldnames or "slug" not in reader.fieldnames:
        report.errors.append((1, "the first line must name the columns, with at least slug, name and date"))
        return report
    if unknown:
        report.errors.append((1, f"unknown column(s) ignored: {', '.join(sorted(unknown))}"))
    for row in reader:
        line = reader.line_num
        savepoint = session.begin_nested()
        try:
            _import_row(session, {key: value or "" for key, value in row.items() if key}, actor, report)
        except InvalidEvent as error:
            savepoint.rollback()
            report.errors.append((line, str(error)))
        else:
            savepoint.commit()
    return report
