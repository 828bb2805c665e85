"""Seminars and events: creating and editing them, their programmes, what was presented, and their audit log."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Event, EventAuditEntry, EventSession, Item, User, session_items
from ..slugs import slugify
from .access import can_view
from .audit import SYSTEM, diff
from .places import ensure_place, find_event

# Addresses under /events/ that are pages, not events.
RESERVED_SLUGS = {"new", "withdraw"}


class InvalidEvent(ValueError):
    """Raised when event or session data breaks a rule; `field` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class EventData:
    """What an editor gives for an event."""

    name: str
    date: date
    end_date: date | None = None
    venue: str = ""
    place: str = ""  # a place name, created on first mention
    host: str = ""
    description: str = ""
    slug: str = ""  # made from the name when empty


@dataclass
class SessionData:
    """What an editor gives for one session of a programme."""

    title: str
    starts_at: time | None = None
    ends_at: time | None = None
    speakers: list[tuple[str, str]] = field(default_factory=list)  # (name, affiliation)
    item_ids: list[int] = field(default_factory=list)


def event_snapshot(event: Event) -> dict[str, Any]:
    """Return the event's describable state as plain values, for diffing."""
    return {
        "name": event.name, "date": event.date.isoformat() if event.date else None,
        "end_date": event.end_date.isoformat() if event.end_date else None, "venue": event.venue,
        "place": event.place.name if event.place else None, "host": event.host, "description": event.description,
    }


def session_snapshot(part: EventSession) -> dict[str, Any]:
    """Return a session's state as plain values, for diffing."""
    return {
        "title": part.title, "starts_at": part.starts_at.strftime("%H:%M") if part.starts_at else None,
        "ends_at": part.ends_at.strftime("%H:%M") if part.ends_at else None, "speakers": part.speakers,
        "items": [item.id for item in part.items],
    }


def record_event_change(session: Session, event: Event | None, actor: User | None, action: str, *,
                        subject: str = "", changes: dict[str, list] | None = None) -> EventAuditEntry:
    """Add one entry to the event audit log (actor None means the system)."""
    entry = EventAuditEntry(
        event_id=event.id if event is not None else None, subject=subject or (event.slug if event else ""),
        user_id=actor.id if actor is not None else None, actor=actor.email if actor is not None else SYSTEM,
        action=action, changes_json=json.dumps(changes or {}, ensure_ascii=False))
    session.add(entry)
    session.flush()
    return entry


def event_log(session: Session, event: Event) -> list[EventAuditEntry]:
    """Return the event's audit log, oldest first."""
    return list(session.scalars(select(EventAuditEntry).where(EventAuditEntry.event_id == event.id)
                                .order_by(EventAuditEntry.created_at, EventAuditEntry.id)))


def _check(data: EventData) -> None:
    if not data.name.strip():
        raise InvalidEvent("Enter the event's title", field="name")
    if data.end_date is not None and data.end_date < data.date:
        raise InvalidEvent("The end date must be the same as or after the start date", field="end_date")


def _apply(session: Session, event: Event, data: EventData) -> None:
    event.name = data.name.strip()
    event.date = data.date
    event.end_date = data.end_date if data.end_date != data.date else None
    event.venue = data.venue.strip()
    event.host = data.host.strip()
    event.description = data.description.strip()
    event.place = ensure_place(session, data.place) if data.place.strip() else None


def create_event(session: Session, data: EventData, actor: User | None, *, action: str = "event_created") -> Event:
    """Create an event with a slug of its own; flush, never commit."""
    _check(data)
    base = slugify(data.slug or data.name, max_length=100)
    slug, n = (base, 2) if base not in RESERVED_SLUGS else (f"{base}-2", 3)
    while find_event(session, slug) is not None:
        slug, n = f"{base}-{n}", n + 1
    event = Event(slug=slug, name="", host="", description="")
    _apply(session, event, data)
    session.add(event)
    session.flush()
    record_event_change(session, event, actor, action, changes=diff({}, event_snapshot(event)))
    return event


def update_event(session: Session, event: Event, data: EventData, actor: User | None) -> dict[str, list]:
    """Change an event's description; record what changed (nothing recorded when nothing did)."""
    _check(data)
    before = event_snapshot(event)
    _apply(session, event, data)
    session.flush()
    changes = diff(before, event_snapshot(event))
    if changes:
        record_event_change(session, event, actor, "event_updated", changes=changes)
    return changes


def programme(session: Session, event: Event) -> list[EventSession]:
    """Return the event's sessions in time order (untimed ones last, then as added)."""
    parts = session.scalars(select(EventSession).where(EventSession.event_id == event.id).order_by(EventSession.id))
    return sorted(parts, key=lambda part: (part.starts_at is None, part.starts_at or time(0), part.id))


def find_session(session: Session, event: Event, session_id: int) -> EventSession | None:
    """Return the event's session with this id, or None."""
    return session.scalar(select(EventSession).where(EventSession.id == session_id,
                                                     EventSession.event_id == event.id))


def _items(session: Session, item_ids: list[int]) -> list[Item]:
    wanted = sorted(set(item_ids))
    found = list(session.scalars(select(Item).where(Item.id.in_(wanted)))) if wanted else []
    missing = set(wanted) - {item.id for item in found}
    if missing:
        raise InvalidEvent(f"There is no item numbered {min(missing)}", field="items")
    return found


def _apply_session(session: Session, part: EventSession, data: SessionData) -> None:
    if not data.title.strip():
        raise InvalidEvent("Enter the session's title", field="title")
    if data.starts_at and data.ends_at and data.ends_at < data.starts_at:
        raise InvalidEvent("The session must end after it starts", field="ends_at")
    part.title = data.title.strip()
    part.starts_at, part.ends_at = data.starts_at, data.ends_at
    part.speakers = "\n".join(f"{name}, {affiliation}" if affiliation else name
                              for name, affiliation in data.speakers if name.strip())
    part.items = _items(session, data.item_ids)


def add_session(session: Session, event: Event, data: SessionData, actor: User | None) -> EventSession:
    """Add a session to the event's programme."""
    part = EventSession(event_id=event.id, title="", speakers="")
    _apply_session(session, part, data)
    session.add(part)
    session.flush()
    record_event_change(session, event, actor, "session_added",
                        changes={f"session {part.id}.{key}": [None, value]
                                 for key, value in session_snapshot(part).items() if value not in (None, "", [])})
    return part


def update_session(session: Session, event: Event, part: EventSession, data: SessionData,
                   actor: User | None) -> dict[str, list]:
    """Change one session (its items too); record what changed."""
    before = session_snapshot(part)
    _apply_session(session, part, data)
    session.flush()
    changes = {f"session {part.id}.{key}": value for key, value in diff(before, session_snapshot(part)).items()}
    if changes:
        record_event_change(session, event, actor, "session_updated", changes=changes)
    return changes


def remove_session(session: Session, event: Event, part: EventSession, actor: User | None) -> None:
    """Take a session off the programme (the items it linked stay as they are)."""
    before = session_snapshot(part)
    session.delete(part)
    session.flush()
    record_event_change(session, event, actor, "session_removed",
                        changes={f"session {part.id}.title": [before["title"], None]})


def visible_items(part: EventSession, viewer: Any) -> list[Item]:
    """Return the session's published items whose record `viewer` may see; the rest leave no trace.

    Drafts, submissions and withdrawn items are never listed, not even to editors (they see
    every linked item on the edit page): the event page shows what the series published.
    """
    return [item for item in part.items if item.status == "published" and can_view(viewer, item)]


def sessions_presenting(session: Session, item: Item) -> list[EventSession]:
    """Return the sessions an item was presented in, newest event first."""
    parts = session.scalars(select(EventSession).join(session_items, session_items.c.session_id == EventSession.id)
                            .join(Event, Event.id == EventSession.event_id)
                            .where(session_items.c.item_id == item.id)
                            .order_by(Event.date.desc().nulls_last(), EventSession.id))
    return list(parts)


def split_events(events: list[Any], today: date, key=lambda event: event) -> tuple[list[Any], list[Any]]:
    """Split events into upcoming (soonest first) and past (newest first); an undated event counts as past."""
    upcoming = [entry for entry in events if key(entry).last_day is not None and key(entry).last_day >= today]
    past = [entry for entry in events if entry not in upcoming]
    upcoming.sort(key=lambda entry: key(entry).date)
    return upcoming, past


def is_upcoming(event: Event, today: date) -> bool:
    """Return True while the event's last day has not passed."""
    return event.last_day is not None and event.last_day >= today
