"""Keeps one node's search index in line with the database by applying the change log in order.

Nothing else writes a node's index: web requests and services only add entries to the
change log (services.changes). The indexer service (`flask --app repository indexer`)
runs an IndexFollower until stopped; bulk ingest runs one in a thread beside its
extraction, so its files are searchable when it ends. Two followers of one index take
turns on its lock and each re-reads the checkpoint when it takes it, so they never undo
each other's work.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from indexer.search import IndexLocked, IndexStore, IndexWriteFailed, IndexWriter

from .services import changes
from .services.embargoes import lift_due_embargoes
from .services.indexing import NEW_INDEX, applied_seq, checkpoint_for, documents_for, rebuild_reason, reindex_all
from .services.registrations import purge_registrations

log = logging.getLogger("repository.indexer")

STATUS_FILE = "indexer-status.json"
# Failures worth retrying: the index or the database is busy, full or away for a while.
RETRYABLE = (IndexLocked, IndexWriteFailed, SQLAlchemyError, OSError)


class MustRebuild(Exception):
    """The index cannot follow the change log from where it is (see indexing.rebuild_reason)."""


class IndexFollower:
    """Applies the change log to one index, a batch of entries at a time.

    step() reads the entries after the position, loads those items' current records and
    writes their documents (or removes them) into a writer kept open between steps;
    commit() makes them searchable and records the position as the index's checkpoint.
    Applying an entry is idempotent, so a crash at any moment leaves the index at its
    last checkpoint, from which the log simply replays.
    """

    def __init__(self, sessions: sessionmaker[Session], store: IndexStore, *, batch_size: int = 200):
        self.sessions = sessions
        self.store = store
        self.batch_size = batch_size
        self.failed: dict[int, str] = {}  # items whose record could not be turned into a document
        self._writer: IndexWriter | None = None
        self._position = 0  # the last entry put into the open writer
        self._opened_at = 0  # the checkpoint's entry when the writer opened

    @property
    def writing(self) -> bool:
        """Return True while a writer holds the index's lock with uncommitted work."""
        return self._writer is not None

    @property
    def writer_age(self) -> float:
        """Return how many seconds the open writer has held the lock (0 with none open)."""
        return time.monotonic() - self._writer.opened if self._writer is not None else 0.0

    def rebuild_if_needed(self, *, procs: int = 1) -> str | None:
        """Rebuild the index from the database if it cannot follow the log; return the reason, or None."""
        with self.sessions() as session:
            reason = rebuild_reason(session, self.store)
            if reason is None:
                return None
            level = logging.INFO if reason == NEW_INDEX else logging.WARNING
            log.log(level, "building the search index at %s from the database: %s", self.store.path, reason)
            count = reindex_all(session, self.store, procs=procs)
        log.log(level, "search index built: %d published item(s)", count)
        return reason

    def step(self) -> int:
        """Apply up to batch_size more entries into the open writer (opening it); return how many."""
        with self.sessions() as session:
            if self._writer is None:
                if not self._anything_new(session):
                    return 0  # idle: no lock taken, nothing written
                self._open(session)
            entries = changes.changes_after(session, self._position, self.batch_size)
            if not entries:
                return 0
            ids = {item_id for _, item_id in entries}
            if any(str(item_id) in self._writer.written for item_id in ids):
                # Whoosh replaces only committed documents: commit before writing one again.
                self.commit()
                self._open(session)
            documents = documents_for(session, ids)
        try:
            for document in documents.built.values():
                self._writer.put(document)
            for item_id in [*documents.removed, *documents.failed]:
                self._writer.remove(str(item_id))  # a record that cannot be indexed must not stay findable
        except Exception:
            self.cancel()
            raise
        self.failed.update(documents.failed)
        self._position = entries[-1][0]
        return len(entries)

    def _anything_new(self, session: Session) -> bool:
        """Tell, without the lock, whether the log holds entries after the checkpoint (or it cannot follow)."""
        seq = applied_seq(session, self.store)
        return seq is None or bool(changes.changes_after(session, seq, 1))

    def _open(self, session: Session) -> None:
        # The lock first, then the checkpoint: another follower may have moved it meanwhile.
        writer = self.store.writer()
        seq = applied_seq(session, self.store)
        if seq is None:
            writer.cancel()
            raise MustRebuild(rebuild_reason(session, self.store))
        self._writer, self._position, self._opened_at = writer, seq, seq

    def commit(self) -> None:
        """Make what the open writer holds searchable and record the position; let go of the lock."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        if self._position == self._opened_at:
            writer.cancel()  # nothing applied: no empty commit
            return
        with self.sessions() as session:
            checkpoint = checkpoint_for(session, self._position)
        writer.commit(checkpoint)

    def cancel(self) -> None:
        """Drop uncommitted work (the log still holds it) and let go of the lock."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            writer.cancel()

    def catch_up(self, *, procs: int = 1) -> int:
        """Rebuild if needed, then apply every entry now in the log in one commit; return how many."""
        self.rebuild_if_needed(procs=procs)
        applied = 0
        try:
            while batch := self.step():
                applied += batch
            self.commit()
        except BaseException:
            self.cancel()
            raise
        return applied


def write_status(store: IndexStore, **status) -> None:
    """Record the indexer's last outcome beside the index, for check-index to report."""
    status["at"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
    fd, temporary = tempfile.mkstemp(dir=store.path, prefix=".status-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(status, handle)
        os.replace(temporary, store.path / STATUS_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_status(store: IndexStore) -> dict:
    """Return what the indexer last recorded ({} if it never ran here)."""
    try:
        data = json.loads((store.path / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class Housekeeping:
    """Periodic work of the indexer service besides following the log."""

    embargo_seconds: float = 300.0  # how often ended embargoes are lifted (0: never)
    keep_changes_days: int = 30  # change-log entries older than this are pruned (0: never)
    keep_registrations_days: int | None = None  # registrations this long after their event are deleted (None: never)
    _last_embargo: float = 0.0
    _last_prune: float = 0.0
    _last_registrations: float = 0.0

    def run(self, sessions: sessionmaker[Session], now: float) -> None:
        """Lift ended embargoes, prune the log and delete old registrations when their time has come."""
        if self.embargo_seconds > 0 and now - self._last_embargo >= self.embargo_seconds:
            self._last_embargo = now
            with sessions() as session:
                lifted = lift_due_embargoes(session, date.today())
                session.commit()
            if lifted:
                log.info("embargo ended for item(s) %s", ", ".join(map(str, lifted)))
        if self.keep_changes_days > 0 and now - self._last_prune >= 3600:
            self._last_prune = now
            with sessions() as session:
                removed = changes.prune(session, datetime.now(timezone.utc) - timedelta(days=self.keep_changes_days))
                session.commit()
            if removed:
                log.info("pruned %d change-log entries older than %d days", removed, self.keep_changes_days)
        if self.keep_registrations_days is not None and now - self._last_registrations >= 3600:
            self._last_registrations = now
            with sessions() as session:
                deleted = purge_registrations(session, date.today(), self.keep_registrations_days)
                session.commit()
            if deleted:
                log.info("deleted %d registration(s) of events over %d days ago", deleted,
                         self.keep_registrations_days)


def follow(follower: IndexFollower, *, stop: threading.Event, wait: Callable[[float], None],
           housekeeping: Housekeeping | None = None, procs: int = 1, idle_seconds: float = 0.5,
           max_backoff: float = 30.0) -> None:
    """Keep the index up to date until `stop` is set: the indexer service's loop.

    `wait(seconds)` returns after that long or sooner when new entries may have arrived.
    A failure is logged at ERROR with its cause and recorded for check-index; the loop
    backs off (up to max_backoff) and tries again, so a full disk or a database restart
    heals by itself once the cause is gone.
    """
    backoff = 0.0
    failing = False
    while not stop.is_set():
        try:
            if housekeeping is not None:
                housekeeping.run(follower.sessions, time.monotonic())
            applied = follower.catch_up(procs=procs)
        except RETRYABLE + (MustRebuild,) as error:
            backoff = min(max(1.0, backoff * 2), max_backoff)
            log.error("could not update the search index (trying again in %.0f s): %s", backoff, error,
                      exc_info=not isinstance(error, (IndexLocked, MustRebuild)))
            _record(follower, error=str(error) or type(error).__name__)
            failing = True
        else:
            if applied:
                log.info("applied %d change(s) to the search index", applied)
            if failing or applied:
                _record(follower, error=None)
            backoff, failing = 0.0, False
        wait(backoff or idle_seconds)


def _record(follower: IndexFollower, *, error: str | None) -> None:
    try:
        write_status(follower.store, error=error, failed_items={str(k): v for k, v in follower.failed.items()})
    except OSError:  # the disk that failed the write may fail this too; the log has it
        log.debug("could not write the indexer status", exc_info=True)
