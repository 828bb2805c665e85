"""The curation log's writing and reading: every editor's change to a theme, a place or a membership."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import CurationEntry, User


def record(session: Session, subject: str, subject_id: int, label: str, actor: User | None, action: str, *,
           changes: dict[str, list] | None = None, message: str = "") -> CurationEntry:
    """Add one entry to the curation log (actor None means the system)."""
    entry = CurationEntry(
        subject=subject, subject_id=subject_id, subject_label=label[:254],
        user_id=actor.id if actor is not None else None,
        actor=actor.email if actor is not None else "system",
        action=action, changes_json=json.dumps(changes or {}, ensure_ascii=False), message=message,
    )
    session.add(entry)
    session.flush()
    return entry


def entries_for(session: Session, subject: str, subject_id: int) -> list[CurationEntry]:
    """Return the log of one theme, place or person, oldest first."""
    return list(session.scalars(
        select(CurationEntry).where(CurationEntry.subject == subject, CurationEntry.subject_id == subject_id)
        .order_by(CurationEntry.created_at, CurationEntry.id)))
