"""The background jobs the repository runs (see jobs.py for where they run)."""

from __future__ import annotations

import logging

from .context import resources
from .jobs import task
from .models import Upload
from .services import uploads
from .services.taxonomy import theme_vocabulary

log = logging.getLogger("repository.jobs")


@task
def read_upload(upload_id: int) -> None:
    """Read a deposited file into a draft (or record why it was refused)."""
    res = resources()
    with res.sessions() as session:
        upload = session.get(Upload, upload_id)
        if upload is None:
            return
        try:
            uploads.read_queued(session, upload, res.files, res.limits, theme_vocabulary(session))
        except Exception:
            log.exception("reading upload %s failed", upload_id)
            session.rollback()
            upload = session.get(Upload, upload_id)
            uploads.finish(upload, "failed", uploads.BROKEN)
        # The draft has its own stored copy; the spooled one goes before the outcome shows.
        uploads.discard_spooled(res.files, upload)
        session.commit()


@task
def ingest_file(upload_id: int) -> None:
    """Ingest one spooled file of a queued batch (flask ingest --queue)."""
    res = resources()
    try:
        uploads.ingest_queued(res.sessions, upload_id, res.files, res.limits)
    except Exception as error:
        log.exception("ingesting upload %s failed", upload_id)
        with res.sessions() as session:
            upload = session.get(Upload, upload_id)
            if upload is not None and upload.state == "reading":
                uploads.finish(upload, "failed", f"could not be ingested: {error}")
                session.commit()
                uploads.discard_spooled(res.files, upload)


@task
def send_reset_link(email: str, base_url: str) -> None:
    """Mail a password-reset link if an active account has `email` (the web request never looks)."""
    from flask import current_app

    from .blueprints.accounts import send_reset_link as send

    with current_app.test_request_context(base_url=base_url):  # for the link's address
        send(email)
