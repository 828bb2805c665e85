"""Requests for a copy of a file the visitor may not download, and the depositor's answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .items import Item, ItemFile
from .users import User

COPY_STATUSES = {"pending": "Waiting for an answer", "approved": "Approved", "refused": "Refused"}


class CopyRequest(Base):
    """One person's request for an item's file, and what became of it."""

    __tablename__ = "copy_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The version approved: a later version is not what the depositor agreed to send.
    file_id: Mapped[int | None] = mapped_column(ForeignKey("item_files.id", ondelete="SET NULL"))
    # The download link names this nonce; it works until expires_at, and once (used_at).
    link_nonce: Mapped[str | None] = mapped_column(String(32))
    link_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    item: Mapped[Item] = relationship()
    file: Mapped[ItemFile | None] = relationship()
    decided_by: Mapped[User | None] = relationship()

    @property
    def status_label(self) -> str:
        """Return the human name of the request's status."""
        return COPY_STATUSES.get(self.status, self.status)
