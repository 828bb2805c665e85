"""What the public harvesting channels know of each item: when it last changed, and whether it was ever open to all."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, Integer, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base
from .changes import SEQUENCE


class PublicRecord(Base):
    """An item as OAI-PMH, the sitemap and feeds describe it to everyone.

    `public` says whether an anonymous visitor may see the item now; `exposed` whether one
    ever could, since a record once harvested must be reported as deleted when it goes,
    and a record never shown must stay unknown. `set_specs` are the OAI sets the item was
    in when it was last public, so a deleted record never names a set it was not in then.
    """

    __tablename__ = "public_records"
    __table_args__ = (Index("ix_public_records_datestamp_item", "datestamp", "item_id"),)

    # No foreign key: the record of an item that is gone must still be reported as deleted.
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    datestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    public: Mapped[bool] = mapped_column(default=False)
    exposed: Mapped[bool] = mapped_column(default=False)
    set_specs: Mapped[str] = mapped_column(Text, default="")


class PublicRecordState(Base):
    """The one row saying how far the public records have followed the change log."""

    __tablename__ = "public_record_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(SEQUENCE, default=0)
