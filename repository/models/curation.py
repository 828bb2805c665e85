"""The curation log: what editors changed outside items (themes, places, organisation memberships)."""

from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .audit import LoggedChange
from .base import Base

CURATION_SUBJECTS = ("theme", "place", "person")
CURATION_ACTIONS = {
    "created": "Added",
    "updated": "Changed",
    "moved": "Moved",
    "merged": "Merged into another",
    "merged_in": "Took in a merged one",
    "organisation": "Organisation membership changed",
    "role": "Role changed",
}


class CurationEntry(LoggedChange, Base):
    """One change by an editor to a theme, a place or a person's membership: who, when, what.

    `subject_id` has no foreign key: a theme or place merged away is gone, and its entries
    must stay; `subject_label` keeps its name as it was.
    """

    __tablename__ = "curation_entries"
    __table_args__ = (Index("ix_curation_entries_subject", "subject", "subject_id"),)

    ACTIONS = CURATION_ACTIONS

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
