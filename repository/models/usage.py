"""Views and downloads of items, counted without keeping anyone's address."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

USAGE_KINDS = ("view", "download")


class UsageEvent(Base):
    """One counted view or download; `visitor` is a hash salted with a secret that lives one day."""

    __tablename__ = "usage_events"
    __table_args__ = (
        Index("ix_usage_events_item_kind", "item_id", "kind"),
        Index("ix_usage_events_visitor", "visitor", "item_id", "kind", "created_at"),
        Index("ix_usage_events_month", "month"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))
    month: Mapped[str] = mapped_column(String(7))  # "2026-11": reports group by it on any database
    visitor: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class UsageSalt(Base):
    """The random salt of one day's visitor hashes; deleted once the day is over."""

    __tablename__ = "usage_salts"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
