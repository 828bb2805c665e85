"""The change log that every node's search index follows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# SQLite gives an INTEGER PRIMARY KEY its rowid; elsewhere a 64-bit identity.
SEQUENCE = BigInteger().with_variant(Integer, "sqlite")


class IndexChange(Base):
    """One entry of the change log: an item whose search entry must be brought in line with the database.

    Written in the same transaction as the change itself (see services.changes), in commit
    order, so an index that has applied every entry up to `seq` reflects the database as
    of that entry. Entries name the item, not what changed: the indexer reads the item's
    current record, so applying an entry twice does no harm.
    """

    __tablename__ = "index_changes"
    # AUTOINCREMENT: SQLite must never hand out a number again after old entries are pruned.
    __table_args__ = {"sqlite_autoincrement": True}

    seq: Mapped[int] = mapped_column(SEQUENCE, primary_key=True, autoincrement=True)
    # No foreign key: the entry for a deleted item must still reach the index.
    item_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ChangeLogState(Base):
    """The log's one row: which database this is, and how far old entries were pruned."""

    __tablename__ = "change_log_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Chosen when the database is created; an index built from another database must be rebuilt.
    source: Mapped[str] = mapped_column(String(32))
    # Entries up to this seq were deleted: an index behind it cannot catch up and is rebuilt.
    pruned_through: Mapped[int] = mapped_column(SEQUENCE, default=0)
