"""Moderation: the review queue, publishing, returning with a message, withdrawing."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ..models import Item, ItemFile, User
from ..models.base import utcnow
from . import audit
from .access import is_editor
from .changes import record_change
from .deposits import NotAllowed, missing_for_submission
from .items import InvalidItem


def _require_editor(actor: User) -> None:
    if not is_editor(actor):
        raise NotAllowed("Only editors can do this")


def review_queue(session: Session) -> list[Item]:
    """Return the submissions, and published items with a new version of their file, waiting for an editor."""
    new_version = select(ItemFile.item_id).where(ItemFile.review == "pending")
    return list(session.scalars(
        select(Item).where(or_(Item.status == "submitted",
                               (Item.status == "published") & Item.id.in_(new_version)))
        .order_by(Item.updated_at, Item.id)
    ))


def publish(session: Session, item: Item, editor: User) -> None:
    """Publish a submission; the change log takes it to search."""
    _require_editor(editor)
    if item.status != "submitted":
        raise InvalidItem(f"This item is {item.status}; only a submission can be published")
    missing = missing_for_submission(item)
    if missing:
        raise InvalidItem("; ".join(missing))
    before = item.status
    item.status = "published"
    item.published_at = utcnow()
    item.withdrawn_at = None
    item.withdrawal_reason = ""
    session.flush()
    audit.record(session, item, editor, "published", changes={"status": [before, "published"]})
    record_change(session, [item.id], "published")


def return_to_depositor(session: Session, item: Item, editor: User, message: str) -> None:
    """Send a submission back to its depositor as a draft, with a message they will see."""
    _require_editor(editor)
    if item.status != "submitted":
        raise InvalidItem(f"This item is {item.status}; only a submission can be returned")
    if not message.strip():
        raise InvalidItem("Enter a message that tells the depositor what to change")
    item.status = "draft"
    session.flush()
    audit.record(session, item, editor, "returned", changes={"status": ["submitted", "draft"]},
                 message=message.strip())


def return_message(session: Session, item: Item) -> str | None:
    """Return the editor's message if the item is a draft that was returned, else None."""
    if item.status != "draft":
        return None
    entry = audit.latest_entry(session, item, "returned")
    if entry is None:
        return None
    submitted = audit.latest_entry(session, item, "submitted")
    # A message answered by a later submission is history, not a request.
    if submitted is not None and (submitted.created_at, submitted.id) > (entry.created_at, entry.id):
        return None
    return entry.message


def withdraw(session: Session, item: Item, editor: User, reason: str) -> None:
    """Withdraw a published item: out of the index, a tombstone at its address."""
    _require_editor(editor)
    if item.status != "published":
        raise InvalidItem(f"This item is {item.status}; only a published item can be withdrawn")
    if not reason.strip():
        raise InvalidItem("Enter the reason for withdrawing the item; it is shown on its page")
    item.status = "withdrawn"
    item.withdrawn_at = utcnow()
    item.withdrawal_reason = reason.strip()
    session.flush()
    audit.record(session, item, editor, "withdrawn", changes={"status": ["published", "withdrawn"]},
                 message=reason.strip())
    record_change(session, [item.id], "withdrawn")


def accept_version(session: Session, item: Item, editor: User) -> None:
    """Make the version waiting for review the published file; search takes its text from the change log."""
    _require_editor(editor)
    waiting = item.pending_file
    if item.status != "published" or waiting is None:
        raise InvalidItem("This item has no new version waiting for review")
    before = item.current_file.version if item.current_file else None
    waiting.review = "accepted"
    session.flush()
    audit.record(session, item, editor, "version_accepted", changes={"current_version": [before, waiting.version]})
    record_change(session, [item.id], "new version")


def reject_version(session: Session, item: Item, editor: User, message: str) -> None:
    """Refuse the version waiting for review, with a message for the depositor; the published file stays."""
    _require_editor(editor)
    waiting = item.pending_file
    if item.status != "published" or waiting is None:
        raise InvalidItem("This item has no new version waiting for review")
    if not message.strip():
        raise InvalidItem("Enter a message that tells the depositor why the new version was not accepted")
    waiting.review = "rejected"
    session.flush()
    audit.record(session, item, editor, "version_rejected", changes={"rejected_version": [None, waiting.version]},
                 message=message.strip())
