"""An event as an iCalendar file (RFC 5545), written here: escaping, folding at 75 octets, CRLF."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..models import Event, EventSession


def escape_text(value: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    """Fold a content line so no physical line passes 75 octets, never splitting a UTF-8 character."""
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not parts else 74  # continuation lines start with one space
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _programme_text(parts: list[EventSession]) -> str:
    lines = []
    for part in parts:
        when = part.starts_at.strftime("%H:%M") + " " if part.starts_at else ""
        speakers = "; ".join(f"{name} ({affiliation})" if affiliation else name
                             for name, affiliation in part.speaker_list)
        lines.append(f"{when}{part.title}" + (f" – {speakers}" if speakers else ""))
    return "\n".join(lines)


def event_calendar(event: Event, parts: list[EventSession], *, url: str, host: str,
                   now: datetime | None = None) -> str:
    """Return a VCALENDAR with one all-day VEVENT for the event (its programme in the description)."""
    stamp = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    first = event.date
    after_last = (event.last_day or first) + timedelta(days=1)  # DTEND of an all-day event is exclusive
    hosted = f"Hosted by {event.host}." if event.host else ""
    description = "\n\n".join(text for text in (hosted, event.description, _programme_text(parts)) if text)
    location = ", ".join(text for text in (event.venue, event.place.name if event.place else "") if text)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Knowledge exchange repository//Seminars//EN",
        "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:event-{event.id}-{event.slug}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{first.strftime('%Y%m%d')}",
        f"DTEND;VALUE=DATE:{after_last.strftime('%Y%m%d')}",
        f"SUMMARY:{escape_text(event.name)}",
        f"URL:{url}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)

