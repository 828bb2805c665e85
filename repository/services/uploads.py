"""Uploads read in the background: a deposit's file waits in the spool until a job reads it.

The web request only receives the file (size and first bytes checked as it streams in),
moves it into FILES_DIR/incoming (shared by every node and worker) and records an Upload;
a job then extracts it in the isolated extraction process and makes the draft, or records
why the file was refused. The depositor's page follows the Upload's state.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.orm import Session

from indexer.extraction import Limits

from ..models import Upload, User
from ..storage import FileStore
from .deposits import NotAllowed, UploadRejected, read_upload, start_deposit

log = logging.getLogger("repository.uploads")

SPOOL = "incoming"
INTERRUPTED = ("Reading your file was interrupted before it finished (the service restarted). "
               "Upload the file again")
BROKEN = "Your file could not be read because of a fault on our side. Upload it again, or ask an editor"


def spool_path(files: FileStore, upload: Upload) -> Path:
    """Return where the upload's file waits to be read."""
    return files.root / SPOOL / upload.spool_name


def queue_upload(session: Session, user: User, received: Path, files: FileStore, *, file_name: str) -> Upload:
    """Move a received file into the spool and record it as waiting to be read."""
    if not user.can_deposit:
        raise NotAllowed("Your account cannot deposit work yet")
    upload = Upload(user_id=user.id, file_name=file_name[:300], spool_name=f"{uuid.uuid4().hex}.upload",
                    state="reading", message="")
    target = spool_path(files, upload)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(received, target)
    session.add(upload)
    session.flush()
    return upload


def read_queued(session: Session, upload: Upload, files: FileStore, limits: Limits,
                vocabulary: dict[str, list[str]]) -> None:
    """Read a waiting upload: make its draft, or record why it was refused. The caller commits."""
    if upload.state != "reading":
        return  # already read (a retried job)
    path = spool_path(files, upload)
    if not path.exists():
        finish(upload, "failed", INTERRUPTED)
        return
    extraction = read_upload(path, limits)
    try:
        with session.begin_nested():
            item = start_deposit(session, upload_user(session, upload), extraction, files, vocabulary,
                                 file_name=upload.file_name)
    except (UploadRejected, NotAllowed) as error:
        finish(upload, "refused", str(error))
    else:
        upload.item_id = item.id
        finish(upload, "done", "")


def upload_user(session: Session, upload: Upload) -> User:
    return session.get(User, upload.user_id)


def finish(upload: Upload, state: str, message: str) -> None:
    upload.state = state
    upload.message = message
    upload.finished_at = datetime.now(timezone.utc)


def discard_spooled(files: FileStore, upload: Upload) -> None:
    """Remove the waiting file once it has been read (or can no longer be)."""
    spool_path(files, upload).unlink(missing_ok=True)


def is_stale(upload: Upload, limits: Limits, now: datetime | None = None) -> bool:
    """Return True when an upload has waited far longer than reading can take: its job was lost."""
    now = now or datetime.now(timezone.utc)
    created = upload.created_at if upload.created_at.tzinfo else upload.created_at.replace(tzinfo=timezone.utc)
    return upload.state == "reading" and now - created > timedelta(seconds=max(300.0, limits.seconds * 10))
