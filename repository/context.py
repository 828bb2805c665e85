"""The application's shared resources, reachable inside an app context."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy.orm import Session, sessionmaker

from indexer.extraction import Limits
from indexer.search import IndexStore

from .db import make_engine, make_session_factory
from .services import changes
from .storage import FileStore


class Resources:
    """The database, index, file store and extraction limits of one application."""

    def __init__(self, app: Flask):
        instance = Path(app.instance_path)
        self.engine = make_engine(app.config["DATABASE_URL"])
        self.sessions: sessionmaker[Session] = make_session_factory(self.engine)
        changes.install(self.sessions)  # every session writes its change-log entries as it commits
        self.index_path = instance / app.config["INDEX_DIR"]
        self.files = FileStore(instance / app.config["FILES_DIR"])
        self.lock_timeout = float(app.config["INDEX_LOCK_TIMEOUT"])
        # The same limits for bulk ingest and for deposits through the web.
        self.limits = Limits(seconds=float(app.config["EXTRACT_SECONDS"]),
                             memory_mb=int(app.config["EXTRACT_MEMORY_MB"]),
                             max_bytes=int(app.config["MAX_UPLOAD_MB"]) * 2**20,
                             ocr=bool(app.config["OCR_ENABLED"]),
                             ocr_seconds=float(app.config["OCR_SECONDS"]))
        self._index: IndexStore | None = None
        self._app = app
        self._jobs = None

    @property
    def jobs(self):
        """The job queue (procrastinate on PostgreSQL, a background thread on SQLite), made on first use."""
        if self._jobs is None:
            from . import tasks  # noqa: F401 (registers the job functions)
            from .jobs import make_jobs

            self._jobs = make_jobs(self._app)
        return self._jobs

    @property
    def index(self) -> IndexStore:
        """Open the index on first use (creating it if absent)."""
        if self._index is None:
            self._index = IndexStore(self.index_path, lock_timeout=self.lock_timeout)
        return self._index


def init_app(app: Flask) -> None:
    """Attach Resources to `app` and close each request's session at its end."""
    app.extensions["repository"] = Resources(app)

    @app.teardown_appcontext
    def _close_session(_error) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def resources() -> Resources:
    """Return the current application's Resources."""
    return current_app.extensions["repository"]


def db_session() -> Session:
    """Return this request's database session (the view decides when to commit)."""
    if "db_session" not in g:
        g.db_session = resources().sessions()
    return g.db_session
