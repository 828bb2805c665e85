"""The audit log: what changed on an item, who changed it and when."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CASE_STUDY_SECTIONS, AuditEntry, Item, User

SYSTEM = "system"


def snapshot(item: Item) -> dict[str, Any]:
    """Return the item's describable state as plain JSON-friendly values, for diffing."""
    state: dict[str, Any] = {
        "type": item.type,
        "title": item.title,
        "authors": [author.name for author in item.authors],
        "abstract": item.abstract,
        "summary": item.summary,
        "year": item.year,
        "date": item.date.isoformat() if item.date else None,
        "licence": item.licence,
        "access": item.access,
        "embargo_until": item.embargo_until.isoformat() if item.embargo_until else None,
        "status": item.status,
        "themes": [theme.slug for theme in item.themes],
        "places": [place.slug for place in item.places],
        "event": item.event.slug if item.event else None,
        "readers": sorted([grant.user.email for grant in getattr(item, "grants", []) if grant.user]
                          + [invite.email for invite in getattr(item, "invites", [])]),
        "file_versions": len(item.files),
    }
    if item.case_study is not None:
        for name in CASE_STUDY_SECTIONS:
            state[f"case_study.{name}"] = getattr(item.case_study, name)
    return state


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list]:
    """Return field -> [before, after] for every field whose value changed."""
    changes = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new and not (old in (None, "", []) and new in (None, "", [])):
            changes[key] = [old, new]
    return changes


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def record(
    session: Session,
    item: Item,
    actor: User | None,
    action: str,
    *,
    changes: dict[str, list] | None = None,
    message: str = "",
) -> AuditEntry:
    """Add one entry to the item's audit log (actor None means the system)."""
    entry = AuditEntry(
        item_id=item.id,
        user_id=actor.id if actor is not None else None,
        actor=actor.email if actor is not None else SYSTEM,
        action=action,
        changes_json=json.dumps(
            {key: [_plain(old), _plain(new)] for key, (old, new) in (changes or {}).items()},
            ensure_ascii=False,
        ),
        message=message,
    )
    session.add(entry)
    session.flush()
    return entry


def entries_for(session: Session, item: Item) -> list[AuditEntry]:
    """Return the item's audit log, oldest first."""
    return list(session.scalars(
        select(AuditEntry).where(AuditEntry.item_id == item.id).order_by(AuditEntry.created_at, AuditEntry.id)
    ))


def latest_entry(session: Session, item: Item, action: str) -> AuditEntry | None:
    """Return the newest entry of `action` on the item, or None."""
    return session.scalar(
        select(AuditEntry)
        .where(AuditEntry.item_id == item.id, AuditEntry.action == action)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(1)
    )
