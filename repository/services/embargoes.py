"""Embargoes that end: the item opens, its text reaches search, without anyone acting."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ..models import Item
from . import audit
from .changes import record_change


def due_embargoes(session: Session, today: date) -> list[int]:
    """Return the ids of items whose embargo has ended but is still recorded."""
    return list(session.scalars(
        select(Item.id).where(Item.access == "embargoed", Item.embargo_until <= today).order_by(Item.id)
    ))


def lift_due_embargoes(session: Session, today: date | None = None) -> list[int]:
    """Open every item whose embargo ends on or before `today`; return their ids.

    The item's access becomes "open" (its embargo date stays as history), so the check
    that finds due items stays cheap and each embargo is lifted once; the change log
    takes the opened text to every node's index.
    """
    today = today or date.today()
    lifted = []
    for item_id in due_embargoes(session, today):
        # The conditional update lets one process claim the item when several check at once.
        claimed = session.execute(
            update(Item).where(Item.id == item_id, Item.access == "embargoed").values(access="open")
        ).rowcount
        if not claimed:
            continue
        item = session.get(Item, item_id)
        session.refresh(item)
        audit.record(session, item, None, "embargo_lifted", changes={"access": ["embargoed", "open"]},
                     message=f"The embargo ended on {item.embargo_until.isoformat()}")
        lifted.append(item_id)
    record_change(session, lifted, "embargo lifted")
    return lifted
