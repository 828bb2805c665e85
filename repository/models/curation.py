"""The curation log: what editors changed outside items (themes, places, organisation memberships)."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

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


class CurationEntry(Base):
    """One change by an editor to a theme, a place or a person's membership: who, when, what.

    `subject_id` has no foreign key: a theme or place merged away is gone, and its entries
    must stay; `subject_label` keeps its name as it was.
    """

    __tablename__ = "curation_entries"
    __table_args__ = (Index("ix_curation_entries_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int] = mapped_column(Integer)
    subject_label: Mapped[str] = mapped_column(String(254), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(254), default="system")
    action: Mapped[str] = mapped_column(String(20))
    changes_json: Mapped[str] = mapped_column(Text, default="{}")
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def changes(self) -> dict[str, list]:
        """Return field -> [before, after]."""
        return json.loads(self.changes_json or "{}")

    @property
    def action_label(self) -> str:
        """Return the human name of the action."""
        return CURATION_ACTIONS.get(self.action, self.action)
