"""The audit log of items, and named readers of restricted items."""

from __future__ import annotations

import json
from datetime import datetime
from typing import ClassVar

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, backref, declared_attr, mapped_column, relationship

from .base import Base, utcnow
from .items import Item
from .users import User

AUDIT_ACTIONS = {
    "created": "Deposited",
    "updated": "Edited",
    "submitted": "Submitted for review",
    "returned": "Returned to the depositor",
    "published": "Published",
    "withdrawn": "Withdrawn",
    "new_version": "New version of the file",
    "version_accepted": "New version accepted",
    "version_rejected": "New version not accepted",
    "withdrawn_by_depositor": "Taken back by the depositor",
    "embargo_lifted": "Embargo ended",
    "copy_requested": "Copy of the file requested",
    "copy_approved": "Copy request approved",
    "copy_refused": "Copy request refused",
    "copy_sent": "Approved copy downloaded",
    "file_added": "Additional file added",
    "file_changed": "Additional file relabelled",
    "file_removed": "Additional file removed",
}


class LoggedChange:
    """What every log entry holds (items', events', editors' curation): who, when, and what changed.

    Each log names its actions in ACTIONS (action -> the words people read) and sizes its own
    `action` column.
    """

    ACTIONS: ClassVar[dict[str, str]] = {}
    action: Mapped[str]

    # The actor's row may go; the label keeps who it was. None means the system (e.g. embargo).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254), default="system")
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @declared_attr
    def user(cls) -> Mapped[User | None]:
        return relationship(User)

    @property
    def changes(self) -> dict[str, list]:
        """Return field -> [before, after]."""
        return json.loads(self.changes_json or "{}")

    @property
    def action_label(self) -> str:
        """Return the human name of the action."""
        return self.ACTIONS.get(self.action, self.action)


class AuditEntry(LoggedChange, Base):
    """One change to an item: who, when, what (field -> [before, after]) and an optional message."""

    __tablename__ = "audit_entries"
    ACTIONS = AUDIT_ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    message: Mapped[str] = mapped_column(Text, default="")


class ItemGrant(Base):
    """A named person who may read a restricted item."""

    __tablename__ = "item_grants"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()
    # A backref keeps items.py unaware of grants; loaded with the item when readers are built.
    item: Mapped[Item] = relationship(
        backref=backref("grants", cascade="all, delete-orphan", lazy="selectin", order_by="ItemGrant.created_at")
    )


class ItemReaderInvite(Base):
    """An address named as a reader of a restricted item that no confirmed account has yet.

    Naming an address never says whether someone has an account with it; the grant is made
    when an account with that address confirms it (services.accounts.confirm_email).
    """

    __tablename__ = "item_reader_invites"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(String(254), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[Item] = relationship(
        backref=backref("invites", cascade="all, delete-orphan", lazy="selectin", order_by="ItemReaderInvite.email")
    )
