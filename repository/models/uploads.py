"""Deposited files waiting to be read, and what came of reading them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow

# reading: a job will read it; done: it became the draft `item_id`; refused: the file was
# refused (`message` says why, in words for the depositor); failed: reading broke or was
# interrupted (the log has the cause).
UPLOAD_STATES = ("reading", "done", "refused", "failed")


class Upload(Base):
    """A file a depositor uploaded, kept in the shared spool until a job has read it."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(300), default="")
    spool_name: Mapped[str] = mapped_column(String(100))  # the file's name in FILES_DIR/incoming
    state: Mapped[str] = mapped_column(String(16), default="reading")
    message: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
