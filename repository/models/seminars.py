"""A seminar's programme (sessions and what was presented in them), registrations of interest, and its audit log."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Table, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .audit import LoggedChange
from .base import Base, utcnow
from .items import Item
from .places import Event

session_items = Table(
    "event_session_items",
    Base.metadata,
    Column("session_id", Integer, ForeignKey("event_sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
)

EVENT_AUDIT_ACTIONS = {
    "event_created": "Event created",
    "event_updated": "Event edited",
    "session_added": "Session added",
    "session_updated": "Session edited",
    "session_removed": "Session removed",
    "registration_added": "Registration of interest received",
    "registration_withdrawn": "Registration withdrawn",
    "registrations_deleted": "Registrations deleted after the event",
    "event_imported": "Event imported from a file",
}


class EventSession(Base):
    """One session of an event's programme: when, what, who spoke, and the items presented."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[time | None] = mapped_column(Time)
    ends_at: Mapped[time | None] = mapped_column(Time)
    title: Mapped[str] = mapped_column(String(300))
    # One speaker a line, "Name, Affiliation" (the affiliation may be left out).
    speakers: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship()
    items: Mapped[list[Item]] = relationship(secondary=session_items, order_by="Item.id")

    @property
    def anchor(self) -> str:
        """Return the fragment that names this session on its event's page."""
        return f"session-{self.id}"

    @property
    def speaker_list(self) -> list[tuple[str, str]]:
        """Return (name, affiliation) for each speaker."""
        pairs = []
        for line in self.speakers.splitlines():
            name, _, affiliation = line.partition(",")
            if name.strip():
                pairs.append((name.strip(), affiliation.strip()))
        return pairs


class Registration(Base):
    """Someone's registration of interest in an upcoming event: personal data, kept only until it is purged."""

    __tablename__ = "event_registrations"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(200), default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    consented_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    event: Mapped[Event] = relationship()


class EventAuditEntry(LoggedChange, Base):
    """One change to an event, its programme or its registrations: who, when, what.

    Registration entries never hold the person's details, only that one came or went.
    """

    __tablename__ = "event_audit_entries"
    ACTIONS = EVENT_AUDIT_ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    subject: Mapped[str] = mapped_column(String(200))  # the event's slug, kept if the event goes
    action: Mapped[str] = mapped_column(String(30))
