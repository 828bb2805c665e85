"""The search vocabulary: groups of words and phrases of the field that mean the same."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class SynonymGroup(Base):
    """Terms a search treats as one: a query naming any of them finds every one."""

    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    # One term a line, the abbreviation or the usual name first (what the editors' list shows).
    terms: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    updated_by: Mapped[str] = mapped_column(String(254), default="system")  # an editor's address, or "system"

    def term_list(self) -> list[str]:
        """Return the group's terms, in their order."""
        return [line.strip() for line in self.terms.splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<SynonymGroup {self.term_list()[:1]}>"
