"""Places (councils and regions) and the seminars held in them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Place(Base):
    """A council area or region that items are about."""

    __tablename__ = "places"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="council")  # council | region
    region: Mapped[str] = mapped_column(String(120), default="")
    ons_code: Mapped[str | None] = mapped_column(String(12))

    def __repr__(self) -> str:
        return f"<Place {self.slug}>"


class PlaceAlias(Base):
    """An address a place had before it was renamed or merged: `/places/SLUG` redirects to the place."""

    __tablename__ = "place_aliases"

    slug: Mapped[str] = mapped_column(String(120), primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    place: Mapped[Place] = relationship()


class Event(Base):
    """A seminar or other event of the series."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    date: Mapped[date | None] = mapped_column(Date)  # the first (or only) day
    end_date: Mapped[date | None] = mapped_column(Date)  # the last day of an event over several days
    venue: Mapped[str] = mapped_column(String(300), default="", server_default="")
    host: Mapped[str] = mapped_column(String(300), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    place_id: Mapped[int | None] = mapped_column(ForeignKey("places.id", ondelete="SET NULL"))

    place: Mapped[Place | None] = relationship()

    @property
    def last_day(self) -> date | None:
        """Return the event's last day (its only day when it has no end date)."""
        return self.end_date or self.date

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"
