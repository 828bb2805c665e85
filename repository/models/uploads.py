"""Files waiting in the spool to be read by a job, and what came of reading them."""

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
    """A file kept in the shared spool until a job has read it: a depositor's upload, or a queued ingest.

    A deposit has the depositor as `user_id`; a file of `flask ingest --queue` has the
    batch's `batch` id, the batch's options (JSON) and, once read, its report line (JSON).
    """

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    batch: Mapped[str | None] = mapped_column(String(32), index=True)
    options: Mapped[str] = mapped_column(Text, default="")
    report: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str] = mapped_column(String(1000), default="")  # as the person or command named it
    spool_name: Mapped[str] = mapped_column(String(400))  # where it waits, under FILES_DIR/incoming
    state: Mapped[str] = mapped_column(String(16), default="reading")
    message: Mapped[str] = mapped_column(Text, default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
