"""The theme taxonomy: a tree of themes with slugs and descriptions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, utcnow


class Theme(Base):
    """A theme of the seminar series; themes form a parent/child tree."""

    __tablename__ = "themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # Key phrases, one per line, used to suggest this theme from a document's text.
    keywords: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("themes.id", ondelete="SET NULL"))

    parent: Mapped[Theme | None] = relationship(back_populates="children", remote_side=[id])
    children: Mapped[list[Theme]] = relationship(back_populates="parent", order_by="Theme.position")

    def lineage(self) -> list[Theme]:
        """Return this theme and its ancestors, nearest first."""
        chain, node = [], self
        while node is not None and node not in chain:
            chain.append(node)
            node = node.parent
        return chain

    def __repr__(self) -> str:
        return f"<Theme {self.slug}>"


class ThemeAlias(Base):
    """An address a theme had before it was renamed or merged: `/themes/SLUG` redirects to the theme."""

    __tablename__ = "theme_aliases"

    slug: Mapped[str] = mapped_column(String(80), primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("themes.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    theme: Mapped[Theme] = relationship()
