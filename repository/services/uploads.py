"""Files read in the background: each waits in the spool until a job reads it.

A deposit's web request only receives the file (size and first bytes checked as it streams
in), moves it into FILES_DIR/incoming (shared by every node and worker) and records an
Upload; a job then extracts it in the isolated extraction process and makes the draft, or
records why the file was refused. The depositor's page follows the Upload's state.
`flask ingest --queue` spools each file of a batch the same way, one job per file.
"""

from __future__ import annotations

import json
import logging
import shutil
import uuid
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from indexer.extraction import Limits

from ..ingestion import Ingester, IngestOptions
from ..models import Upload, User
from ..storage import FileStore
from .deposits import NotAllowed, UploadRejected, read_upload, recheck, start_deposit

log = logging.getLogger("repository.uploads")

SPOOL = "incoming"
INTERRUPTED = ("Reading your file was interrupted before it finished (the service restarted). "
               "Upload the file again")
BROKEN = "Your file could not be read because of a fault on our side. Upload it again, or ask an editor"


def spool_path(files: FileStore, upload: Upload) -> Path:
    """Return where the upload's file waits to be read."""
    return files.root / SPOOL / upload.spool_name


def _spool(files: FileStore, source: Path, name: str, *, move: bool) -> str:
    """Put a file into a folder of its own in the spool, under its own name; return its spool name.

    The name is kept because the stored file's original name comes from it.
    """
    base = Path(name).name
    if base in ("", ".", ".."):
        base = "upload"
    spool_name = f"{uuid.uuid4().hex}/{base[-200:]}"
    target = files.root / SPOOL / spool_name
    target.parent.mkdir(parents=True, exist_ok=True)
    (shutil.move if move else shutil.copyfile)(source, target)
    return spool_name


def queue_upload(session: Session, user: User, received: Path, files: FileStore, *, file_name: str) -> Upload:
    """Move a received file into the spool and record it as waiting to be read."""
    if not user.can_deposit:
        raise NotAllowed("Your account cannot deposit work yet")
    upload = Upload(user_id=user.id, file_name=file_name[:300], state="reading", message="",
                    spool_name=_spool(files, received, file_name, move=True))
    session.add(upload)
    session.flush()
    return upload


def queue_ingest(session: Session, paths: list[Path], files: FileStore,
                 options: IngestOptions) -> tuple[str, list[int]]:
    """Copy each file of a batch into the spool for a job to ingest; return the batch id and the uploads' ids."""
    batch = uuid.uuid4().hex
    described = json.dumps(asdict(options))
    uploads = [Upload(batch=batch, options=described, file_name=str(path)[:1000], state="reading", message="",
                      spool_name=_spool(files, path, path.name, move=False)) for path in paths]
    session.add_all(uploads)
    session.flush()
    return batch, [upload.id for upload in uploads]


def ingest_queued(sessions: sessionmaker[Session], upload_id: int, files: FileStore, limits: Limits) -> None:
    """Ingest one spooled file of a batch as `flask ingest` would, and keep its report line.

    The worker writes no search index: each node's indexer applies the new item from the
    change log.
    """
    with sessions() as session:
        upload = session.get(Upload, upload_id)
        if upload is None or upload.state != "reading":
            return  # gone, or already read (a retried job)
        path, options = spool_path(files, upload), IngestOptions(**json.loads(upload.options))
    ingester = Ingester(sessions, None, files, limits=limits, jobs=1)
    (outcome,) = ingester.run([path], options)
    outcome.path = upload.file_name
    with sessions() as session:
        upload = session.get(Upload, upload_id)
        upload.report = json.dumps(outcome.as_report(), ensure_ascii=False)
        upload.item_id = outcome.id
        finish(upload, "refused" if outcome.status == "rejected" else "done", outcome.reason or "")
        session.commit()
    discard_spooled(files, upload)


def batch_reports(session: Session, batch: str) -> list[Upload]:
    """Return the files of a queued batch, in the order they were given."""
    return list(session.scalars(select(Upload).where(Upload.batch == batch).order_by(Upload.id)))


def read_queued(session: Session, upload: Upload, files: FileStore, limits: Limits,
                vocabulary: dict[str, list[str]]) -> None:
    """Read a waiting upload: make its draft, or record why it was refused. The caller commits."""
    if upload.state != "reading":
        return  # already read (a retried job)
    path = spool_path(files, upload)
    if not path.exists():
        finish(upload, "failed", INTERRUPTED)
        return
    try:
        extraction = read_upload(recheck(path, limits, upload.file_name), limits)
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
    """Remove the waiting file (and its folder) once it has been read, or can no longer be."""
    path = spool_path(files, upload)
    path.unlink(missing_ok=True)
    if path.parent != files.root / SPOOL:
        try:
            path.parent.rmdir()
        except OSError:
            pass  # not empty or already gone


def waiting_uploads(session: Session, limits: Limits, now: datetime | None = None) -> int:
    """Return how many depositors' uploads wait to be read (leaving out those whose job was lost).

    Files of `flask ingest --queue` batches are not counted: an operator's batch must not keep
    depositors out for its whole length.
    """
    now = now or datetime.now(timezone.utc)
    return session.scalar(select(func.count()).select_from(Upload).where(
        Upload.state == "reading", Upload.user_id.is_not(None), Upload.created_at > now - _stale_after(limits)))


def _stale_after(limits: Limits) -> timedelta:
    return timedelta(seconds=max(300.0, limits.seconds * 10))


def is_stale(upload: Upload, limits: Limits, now: datetime | None = None) -> bool:
    """Return True when an upload has waited far longer than reading can take: its job was lost."""
    now = now or datetime.now(timezone.utc)
    created = upload.created_at if upload.created_at.tzinfo else upload.created_at.replace(tzinfo=timezone.utc)
    return upload.state == "reading" and now - created > _stale_after(limits)
