"""What everyone may see, and the public records that harvesting, the sitemap and feeds follow.

The rule itself stays in `access`: an item is public when `can_view(None, item)`. This
module keeps, per item, what the public channels have said about it (`PublicRecord`):
when it last changed for them (the OAI-PMH datestamp) and whether it was ever public,
so a record that anyone could once harvest is reported as deleted when it goes, while an
item that was never public leaves no trace at all. The records follow the change log,
which every change that alters what search shows writes in the change's own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from ..models import ACCESS_LEVELS, Item, PublicRecord, PublicRecordState, Theme
from ..models.base import utcnow
from . import changes
from .access import PUBLIC, can_see_tombstone, can_view, readers_for

BATCH = 500
# The state's seq before the first description of the repository.
NEVER = -1


@lru_cache(maxsize=1)
def public_levels() -> tuple[str, ...]:
    """Return the access levels whose published items everyone may see, as `access` decides."""
    return tuple(level for level in ACCESS_LEVELS if PUBLIC in readers_for(Item(access=level)))


def public_clause():
    """Return the SQL condition for items an anonymous visitor may see (checked again per record)."""
    return and_(Item.status == "published", Item.access.in_(public_levels()))


def is_public(item: Item | None) -> bool:
    """Return True when an anonymous visitor may see the item's record."""
    return item is not None and can_view(None, item)


def whole_second(moment: datetime) -> datetime:
    """Return `moment` in UTC without its fraction of a second (OAI-PMH datestamps have none)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).replace(microsecond=0)


def set_specs(item: Item) -> list[str]:
    """Return the OAI-PMH sets of an item: its type, themes (with their parents), seminar and places."""
    themes = sorted({ancestor.slug for theme in item.themes for ancestor in theme.lineage()})
    specs = [f"type:{item.type}"] + [f"theme:{slug}" for slug in themes]
    if item.event is not None:
        specs.append(f"seminar:{item.event.slug}")
    specs += [f"place:{slug}" for slug in sorted(place.slug for place in item.places)]
    return specs


def stored_specs(specs: Iterable[str]) -> str:
    """Return set specs as stored: space-separated with a space at each end, so LIKE matches whole specs."""
    joined = " ".join(specs)
    return f" {joined} " if joined else ""


def _state(session: Session) -> PublicRecordState:
    # FOR UPDATE on PostgreSQL: two workers catching up at once take turns.
    state = session.scalar(select(PublicRecordState).where(PublicRecordState.id == 1).with_for_update())
    if state is None:
        state = PublicRecordState(id=1, seq=NEVER)
        session.add(state)
        session.flush()
    return state


def _load(session: Session, ids: list[int]) -> dict[int, Item]:
    query = (select(Item).where(Item.id.in_(ids))
             .options(selectinload(Item.themes).selectinload(Theme.parent), selectinload(Item.places),
                      selectinload(Item.event), selectinload(Item.depositor)))
    return {item.id: item for item in session.scalars(query)}


def refresh(session: Session, item_ids: Iterable[int], now: datetime, *, initial: bool = False) -> int:
    """Bring the public records of these items in line with the database; return how many changed.

    `initial` (the first description of an existing repository) dates records from when
    their items were published or withdrawn rather than from now.
    """
    ids = sorted(set(item_ids))
    changed = 0
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        items = _load(session, chunk)
        known = session.scalars(select(PublicRecord).where(PublicRecord.item_id.in_(chunk)))
        rows = {row.item_id: row for row in known}
        for item_id in chunk:
            item, row = items.get(item_id), rows.get(item_id)
            if is_public(item):
                stamp = whole_second((item.published_at or item.updated_at or now) if initial else now)
                if row is None:
                    session.add(PublicRecord(item_id=item_id, datestamp=stamp, public=True, exposed=True,
                                             set_specs=stored_specs(set_specs(item))))
                else:
                    row.public, row.exposed, row.datestamp = True, True, stamp
                    row.set_specs = stored_specs(set_specs(item))
                changed += 1
            elif row is not None and row.exposed:
                # Once public, now not: a deleted record, dated when it went. Its sets stay those it
                # had when public, and later changes to the hidden item leave it alone (they are
                # none of the public's business, not even as a new datestamp).
                if row.public:
                    row.public, row.datestamp = False, whole_second(now)
                    changed += 1
            elif item is not None and can_see_tombstone(None, item):
                # Withdrawn while everyone could see it (its page shows a tombstone): deleted,
                # naming no set, since what it is filed under now was never checked as public.
                stamp = whole_second((item.withdrawn_at or now) if initial else now)
                if row is None:
                    session.add(PublicRecord(item_id=item_id, datestamp=stamp, public=False, exposed=True,
                                             set_specs=""))
                else:
                    row.public, row.exposed, row.datestamp = False, True, stamp
                changed += 1
            # Otherwise the item was never public: it has no record, and gets none.
    session.flush()
    return changed


def catch_up(session: Session, now: datetime | None = None) -> int:
    """Apply the change log to the public records; return how many records changed.

    Cheap when nothing is new (two small queries). When the log was pruned past this
    point, or on the first run, every item is looked at again.
    """
    now = whole_second(now or utcnow())
    state = _state(session)
    if state.seq < 0 or state.seq < changes.log_state(session).pruned_through:
        first = state.seq < 0
        latest = changes.latest_seq(session)
        changed = refresh(session, list(session.scalars(select(Item.id))), now, initial=first)
        state.seq = latest
        session.flush()
        return changed
    changed = 0
    while True:
        entries = changes.changes_after(session, state.seq, 5000)
        if not entries:
            break
        changed += refresh(session, [item_id for _, item_id in entries], now)
        state.seq = entries[-1][0]
    session.flush()
    return changed


def datestamp_of(session: Session, item_id: int) -> datetime | None:
    """Return when the item's public record last changed, or None if it has none."""
    stamp = session.scalar(select(PublicRecord.datestamp).where(PublicRecord.item_id == item_id))
    return whole_second(stamp) if stamp is not None else None
