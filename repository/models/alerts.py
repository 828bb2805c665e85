"""Saved searches that mail their owner what newly matches, daily or weekly."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow
from .users import User

FREQUENCIES = {"daily": "Daily", "weekly": "Weekly"}


class SavedSearch(Base):
    """One person's search (its query string) and how often to be told of new matches."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The search page's query string, rebuilt from the parsed parameters (defaults left out).
    query: Mapped[str] = mapped_column(String(4000), default="")
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_checked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship()

    @property
    def frequency_label(self) -> str:
        """Return 'Daily' or 'Weekly'."""
        return FREQUENCIES.get(self.frequency, self.frequency)


class SavedSearchItem(Base):
    """An item a saved search already knows: it matched when saved, or it was mailed."""

    __tablename__ = "saved_search_items"

    saved_search_id: Mapped[int] = mapped_column(ForeignKey("saved_searches.id", ondelete="CASCADE"),
                                                 primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    noted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
