"""Usage figures, counted the COUNTER way: no robots, a double click counted once, no addresses kept.

A visitor is a SHA-256 of their address and browser under a random salt that lives one
day: enough to tell a double click from two readers, and once the day's salt is deleted
nobody (the operator included) can tell whose hash it was. Robots and machines are those
of the COUNTER robots list (the `counter-robots` package, kept by COUNTER's community).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import counter_robots
from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import USAGE_KINDS, Item, Place, Theme, UsageEvent, UsageSalt
from ..models.base import utcnow
from ..models.items import item_places, item_themes

DOUBLE_CLICK = timedelta(seconds=30)  # COUNTER: the same visitor on the same item within 30 s counts once
NONE = "(none)"


def is_robot(user_agent: str | None) -> bool:
    """Return True for crawlers, robots and scripts (and requests that name no browser at all)."""
    agent = (user_agent or "").strip()
    return not agent or counter_robots.is_robot_or_machine(agent)


def daily_salt(session: Session, day: date) -> str:
    """Return the salt of `day`'s visitor hashes, making it (and forgetting older ones) on first use."""
    existing = session.get(UsageSalt, day)
    if existing is not None:
        return existing.salt
    session.execute(delete(UsageSalt).where(UsageSalt.day < day))
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Two workers starting the day at once: one salt wins, both use it.
    session.execute(insert(UsageSalt).values(day=day, salt=secrets.token_hex(32)).on_conflict_do_nothing())
    return session.scalar(select(UsageSalt.salt).where(UsageSalt.day == day))


def visitor_hash(session: Session, address: str, user_agent: str, now: datetime) -> str:
    """Return today's hash of a visitor (their address itself is never stored)."""
    salt = daily_salt(session, now.date())
    return hashlib.sha256(f"{salt}\x00{address}\x00{user_agent}".encode()).hexdigest()


def record_use(session: Session, item_id: int, kind: str, *, address: str, user_agent: str | None,
               now: datetime | None = None) -> bool:
    """Count one view or download unless it is a robot's or a double click; return True when counted."""
    if kind not in USAGE_KINDS or is_robot(user_agent):
        return False
    now = now or utcnow()
    visitor = visitor_hash(session, address, user_agent or "", now)
    recent = session.scalar(select(UsageEvent.id).where(
        UsageEvent.visitor == visitor, UsageEvent.item_id == item_id, UsageEvent.kind == kind,
        UsageEvent.created_at > now - DOUBLE_CLICK).limit(1))
    if recent is not None:
        return False
    session.add(UsageEvent(item_id=item_id, kind=kind, month=now.strftime("%Y-%m"), visitor=visitor, created_at=now))
    session.flush()
    return True


def figures(session: Session, item_id: int) -> dict[str, int]:
    """Return {'views': n, 'downloads': n} for one item."""
    counts = dict(session.execute(select(UsageEvent.kind, func.count()).where(UsageEvent.item_id == item_id)
                                  .group_by(UsageEvent.kind)).all())
    return {"views": counts.get("view", 0), "downloads": counts.get("download", 0)}


@dataclass
class ReportRow:
    """One line of the usage report."""

    label: str
    views: int = 0
    downloads: int = 0


def _rows(results) -> list[ReportRow]:
    rows: dict[str, ReportRow] = {}
    for label, kind, count in results:
        row = rows.setdefault(label or NONE, ReportRow(label or NONE))
        if kind == "view":
            row.views += count
        else:
            row.downloads += count
    return list(rows.values())


def report(session: Session, first: str, last: str) -> dict[str, list[ReportRow]]:
    """Return views and downloads by month, theme and place for months first..last ("2026-01").

    An item with several themes or places counts under each of them.
    """
    period = (UsageEvent.month >= first, UsageEvent.month <= last)
    by_month = session.execute(select(UsageEvent.month, UsageEvent.kind, func.count()).where(*period)
                               .group_by(UsageEvent.month, UsageEvent.kind).order_by(UsageEvent.month))
    by_theme = session.execute(
        select(Theme.name, UsageEvent.kind, func.count()).select_from(UsageEvent)
        .outerjoin(item_themes, item_themes.c.item_id == UsageEvent.item_id)
        .outerjoin(Theme, Theme.id == item_themes.c.theme_id).where(*period)
        .group_by(Theme.name, UsageEvent.kind).order_by(Theme.name))
    by_place = session.execute(
        select(Place.name, UsageEvent.kind, func.count()).select_from(UsageEvent)
        .outerjoin(item_places, item_places.c.item_id == UsageEvent.item_id)
        .outerjoin(Place, Place.id == item_places.c.place_id).where(*period)
        .group_by(Place.name, UsageEvent.kind).order_by(Place.name))
    def busiest_first(rows):
        return sorted(rows, key=lambda row: (row.label == NONE, -(row.views + row.downloads), row.label))

    return {"month": _rows(by_month), "theme": busiest_first(_rows(by_theme)),
            "place": busiest_first(_rows(by_place))}


def report_table(session: Session, first: str, last: str) -> list[tuple[str, str, str, int, int]]:
    """Return (month, theme, place, views, downloads) for every combination that has any use, for CSV."""
    results = session.execute(
        select(UsageEvent.month, Theme.name, Place.name, UsageEvent.kind, func.count()).select_from(UsageEvent)
        .join(Item, Item.id == UsageEvent.item_id)
        .outerjoin(item_themes, item_themes.c.item_id == Item.id).outerjoin(Theme, Theme.id == item_themes.c.theme_id)
        .outerjoin(item_places, item_places.c.item_id == Item.id).outerjoin(Place, Place.id == item_places.c.place_id)
        .where(UsageEvent.month >= first, UsageEvent.month <= last)
        .group_by(UsageEvent.month, Theme.name, Place.name, UsageEvent.kind))
    table: dict[tuple[str, str, str], list[int]] = {}
    for month, theme, place, kind, count in results:
        cell = table.setdefault((month, theme or NONE, place or NONE), [0, 0])
        cell[0 if kind == "view" else 1] += count
    return [(*key, views, downloads) for key, (views, downloads) in sorted(table.items())]
