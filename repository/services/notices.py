"""Who is told what when an item moves through review: the notices, not their delivery.

Each function returns the notices an event calls for, one per person. A notice names the
page it points to as an endpoint and its values, so this module stays free of requests;
`repository.notify` turns them into mail. Nobody is told about an item they may not see:
every notice passes `may_be_told` for its recipient, decided at the moment it is made.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Item, ItemGrant, User
from .access import can_see_tombstone, can_view


@dataclass(frozen=True)
class Notice:
    """One message to one person: what happened, and the page to see it on."""

    to: User
    subject: str
    body: str
    endpoint: str
    values: dict = field(default_factory=dict)


def may_be_told(user: User | None, item: Item) -> bool:
    """Return True when `user` may get mail about `item`: an active, confirmed account that may see it."""
    if user is None or not user.active or user.email_confirmed_at is None:
        return False
    return can_view(user, item) or can_see_tombstone(user, item)


def _keep(notices: list[Notice], item: Item) -> list[Notice]:
    return [notice for notice in notices if may_be_told(notice.to, item)]


def editors(session: Session) -> list[User]:
    """Return the active editors and administrators, in a stable order."""
    return list(session.scalars(
        select(User).where(User.role.in_(("editor", "admin")), User.active.is_(True)).order_by(User.id)))


def _depositor_notice(item: Item, subject: str, body: str, endpoint: str = "items.show") -> list[Notice]:
    if item.depositor is None:
        return []
    return _keep([Notice(item.depositor, subject, body, endpoint, {"item_id": item.id})], item)


def submitted(session: Session, item: Item, *, new_version: bool = False) -> list[Notice]:
    """Tell every editor that a submission (or a new version of a published file) awaits review."""
    who = item.depositor.name if item.depositor else "Someone"
    if new_version:
        subject = f"New version to review: ‘{item.title}’"
        body = (f"{who} has uploaded a new version of the file of ‘{item.title}’. "
                "The published version stays live until an editor accepts the new one.")
    else:
        subject = f"Submitted for review: ‘{item.title}’"
        body = f"{who} has submitted ‘{item.title}’ for review."
    return _keep([Notice(editor, subject, body, "moderation.review", {"item_id": item.id})
                  for editor in editors(session) if editor.id != item.depositor_id], item)


def returned(item: Item, message: str) -> list[Notice]:
    """Tell the depositor their submission came back, with the editor's message."""
    return _depositor_notice(
        item, f"Returned to you: ‘{item.title}’",
        f"An editor has returned ‘{item.title}’ to you as a draft. Their message:\n\n{message.strip()}\n\n"
        "Change the draft and submit it again when it is ready.", "deposit.edit")


def published(item: Item) -> list[Notice]:
    """Tell the depositor that their item is published."""
    return _depositor_notice(item, f"Published: ‘{item.title}’",
                             f"‘{item.title}’ has been published and can now be found by those it is open to.")


def withdrawn(item: Item, reason: str) -> list[Notice]:
    """Tell the depositor that their item was withdrawn, and why."""
    return _depositor_notice(item, f"Withdrawn: ‘{item.title}’",
                             f"An editor has withdrawn ‘{item.title}’. "
                             f"The reason shown on its page:\n\n{reason.strip()}")


def version_accepted(item: Item) -> list[Notice]:
    """Tell the depositor that the new version of their file is now the published one."""
    return _depositor_notice(item, f"New version published: ‘{item.title}’",
                             f"An editor has accepted the new version of the file of ‘{item.title}’; "
                             "it is now the published version.")


def version_rejected(item: Item, message: str) -> list[Notice]:
    """Tell the depositor that the new version of their file was not accepted, with the editor's message."""
    return _depositor_notice(item, f"New version not accepted: ‘{item.title}’",
                             f"An editor has not accepted the new version of the file of ‘{item.title}’; "
                             f"the published version stays as it was. Their message:\n\n{message.strip()}")


def readers_given_access(item: Item, user_ids: set[int] | None = None) -> list[Notice]:
    """Tell the people named as readers (all, or those in `user_ids`) that they may now read the item.

    Only a published item is open to its named readers, so a draft's readers hear nothing
    until it is published; an item open to everyone needs no named readers, and they are
    told nothing either.
    """
    if item.status != "published" or item.access != "restricted":
        return []
    grants = [grant for grant in getattr(item, "grants", [])
              if grant.user is not None and (user_ids is None or grant.user_id in user_ids)
              and grant.user_id != item.depositor_id]
    return _keep([Notice(grant.user, f"You can now read ‘{item.title}’",
                         f"You have been named as a reader of ‘{item.title}’, which is open only to the "
                         "people its depositor chose. Sign in with this address to read it.",
                         "items.show", {"item_id": item.id}) for grant in grants], item)


def granted_reader_ids(item: Item) -> set[int]:
    """Return the ids of the accounts named as readers of `item` now (to compare after a change)."""
    return {grant.user_id for grant in getattr(item, "grants", [])}


def readers_granted_since(session: Session, user: User, since: datetime) -> list[Notice]:
    """Tell `user` about the published items they were let into since `since` (an invitation taken up)."""
    grants = session.scalars(select(ItemGrant).where(ItemGrant.user_id == user.id, ItemGrant.created_at >= since))
    return [notice for grant in grants for notice in readers_given_access(grant.item, {user.id})]
