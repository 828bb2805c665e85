"""The Whoosh index on disk: the one writing path, its checkpoint, and a per-thread view for reading."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path

from whoosh import index, writing
from whoosh.index import LockError

from indexer.schema import fingerprint, make_schema, make_weighting, to_fields
from indexer.view import IndexView

__all__ = ["BulkWriter", "IndexLocked", "IndexStore", "IndexView", "IndexWriteFailed", "IndexWriter", "fingerprint"]

INDEX_NAME = "items"
# What the index reflects, written beside it after every commit (see IndexWriter.commit).
CHECKPOINT_FILE = "checkpoint.json"
# Whoosh buffers this many MB of postings in memory before spilling to temporary files.
WRITER_MEMORY_MB = 128

log = logging.getLogger("indexer.store")


class IndexLocked(Exception):
    """Another writer held the index for longer than the lock timeout."""


class IndexWriteFailed(Exception):
    """A write could not be committed: nothing of it reached the index, and the lock was let go."""


class DocumentRewritten(Exception):
    """A document was put twice into one uncommitted writer (commit between the two)."""


def _signature(schema) -> list[tuple[str, str]]:
    """Return the field names and types of a schema, to notice a schema change."""
    return sorted((name, type(schema[name]).__name__) for name in schema.names())


def _let_go(writer) -> None:
    """Cancel a Whoosh writer and make sure its lock is released, whatever state it is in."""
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001  # a writer broken by a failed commit may not cancel cleanly
        log.debug("cancelling a failed index writer raised", exc_info=True)
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:  # still held: Whoosh's lock keeps its fd until released
        lock.release()


class IndexStore:
    """The full-text index of published items, with one writing path."""

    def __init__(self, path: str | Path, *, lock_timeout: float = 30.0):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.path.mkdir(parents=True, exist_ok=True)
        if index.exists_in(str(self.path), indexname=INDEX_NAME):
            self._ix = index.open_dir(str(self.path), indexname=INDEX_NAME)
        else:
            self._ix = index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
        self._local = threading.local()
        self._lengths: dict = {}

    @property
    def schema(self):
        """Return the schema of the open index."""
        return self._ix.schema

    # --- writing ------------------------------------------------------------

    def _whoosh_writer(self, timeout: float, procs: int = 1):
        """Open a Whoosh writer, waiting up to `timeout` seconds for another writer to finish."""
        deadline = time.monotonic() + timeout
        pause = 0.05
        while True:
            try:
                if procs > 1:
                    return self._ix.writer(procs=procs, limitmb=WRITER_MEMORY_MB, multisegment=True)
                return self._ix.writer(limitmb=WRITER_MEMORY_MB)
            except LockError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"the search index at {self.path} is being written by another process; "
                        f"gave up after waiting {timeout:g} s — try again shortly"
                    ) from None
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 1.0)

    def writer(self, *, timeout: float | None = None) -> IndexWriter:
        """Take the write lock (waiting up to lock_timeout) and return the writer holding it."""
        return IndexWriter(self, self._whoosh_writer(self.lock_timeout if timeout is None else timeout))

    def add_or_replace(self, docs: Iterable[dict]) -> int:
        """Write documents, replacing any with the same id, in one commit; return how many."""
        prepared = [to_fields(d) for d in docs]  # bad documents fail before the lock is taken
        if not prepared:
            return 0
        with self.writer() as writer:
            for fields in prepared:
                writer.put_fields(fields)
            writer.commit()
        return len(prepared)

    def bulk_writer(self, *, commit_seconds: float = 10.0) -> BulkWriter:
        """Return a writer for a long batch that adds documents one at a time (see BulkWriter)."""
        return BulkWriter(self, commit_seconds=commit_seconds)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id in one commit; return how many were in the index."""
        ids = [str(i) for i in ids]
        if not ids:
            return 0
        with self.writer() as writer:
            deleted = sum(writer.remove(i) for i in ids)
            writer.commit()
        return deleted

    @property
    def outdated(self) -> bool:
        """Tell whether the index on disk was made with another schema (rebuild() fixes it)."""
        return _signature(self._ix.schema) != _signature(make_schema())

    def rebuild(self, docs: Iterable[dict], *, procs: int = 1, checkpoint: dict | None = None) -> int:
        """Empty the index and write all docs; procs > 1 uses Whoosh's multiprocess writer.

        `checkpoint` is recorded with the commit, as IndexWriter.commit does.
        """
        if self.outdated:
            # Wait for any writer to finish, then start over with the current schema.
            _let_go(self._whoosh_writer(self.lock_timeout))
            self._ix = index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
            self.close()
        writer = self._whoosh_writer(self.lock_timeout, procs=procs)
        count = 0
        try:
            for fields in (to_fields(d) for d in docs):
                writer.add_document(**fields)
                count += 1
        except BaseException:
            _let_go(writer)
            raise
        try:
            # CLEAR drops every existing segment, so unpublished items disappear too.
            writer.commit(mergetype=writing.CLEAR)
        except Exception as error:
            _let_go(writer)
            raise IndexWriteFailed(f"rebuilding the search index failed: {error}") from error
        self._write_checkpoint(checkpoint)
        return count

    # --- the checkpoint -------------------------------------------------------

    def checkpoint(self) -> dict | None:
        """Return what the last committed write recorded, or None (a new, old or damaged index)."""
        try:
            data = json.loads((self.path / CHECKPOINT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write_checkpoint(self, checkpoint: dict | None) -> None:
        """Replace the checkpoint file in one step (a crash leaves the old one or the new one)."""
        if checkpoint is None:
            return
        fd, temporary = tempfile.mkstemp(dir=self.path, prefix=".checkpoint-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(checkpoint, handle)
            os.replace(temporary, self.path / CHECKPOINT_FILE)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    # --- reading ------------------------------------------------------------

    def view(self) -> IndexView:
        """Return a view of the latest committed index, reusing this thread's searcher."""
        current: IndexView | None = getattr(self._local, "view", None)
        if current is None:
            current = IndexView(self._ix.searcher(weighting=make_weighting()), self._lengths)
        elif not current.searcher.up_to_date():
            # refresh() reuses unchanged segments, so re-opening stays cheap.
            current = IndexView(current.searcher.refresh(), self._lengths)
        self._local.view = current
        return current

    def fingerprints(self) -> dict[str, str]:
        """Return id -> fingerprint for every document in the index."""
        with self._ix.searcher() as s:
            reader = s.reader()
            if reader.doc_count_all() == 0:  # an empty index has no columns to read
                return {}
            ids = reader.column_reader("id")
            fps = reader.column_reader("fingerprint")
            return {ids[d]: fps[d] for d in reader.all_doc_ids()}

    def doc_count(self) -> int:
        """Return the number of live documents."""
        return self.view().searcher.doc_count()

    def segment_count(self) -> int:
        """Return how many segments the latest committed index has (merges lower it)."""
        return len(self._ix._segments())

    def size_bytes(self) -> int:
        """Return the size of the index's files on disk."""
        return sum(entry.stat().st_size for entry in self.path.iterdir() if entry.is_file())

    def close(self) -> None:
        """Close this thread's cached searcher."""
        current = getattr(self._local, "view", None)
        if current is not None:
            current.searcher.close()
            self._local.view = None


class IndexWriter:
    """The holder of the index's write lock: put and remove documents, then commit or cancel.

    Use it as a context manager: leaving the block without commit() cancels, and the lock
    is let go on every path (commit, cancel, an exception in the block, a failed commit).
    Whoosh replaces only committed documents, so putting the same id twice before a
    commit raises DocumentRewritten instead of leaving two copies; commit in between.
    """

    def __init__(self, store: IndexStore, whoosh_writer):
        self._store = store
        self._writer = whoosh_writer
        self.opened = time.monotonic()
        self.written: set[str] = set()

    @property
    def closed(self) -> bool:
        """Return True once the writer has committed or cancelled."""
        return self._writer is None

    def _open(self):
        if self._writer is None:
            raise RuntimeError("this index writer has already committed or cancelled")
        return self._writer

    def put(self, doc: dict) -> None:
        """Add or replace one document (ValueError for a document the index cannot take)."""
        self.put_fields(to_fields(doc))

    def put_fields(self, fields: dict) -> None:
        """Add or replace one document already turned into fields by schema.to_fields."""
        writer = self._open()
        if fields["id"] in self.written:
            raise DocumentRewritten(f"document {fields['id']} is already in this uncommitted write")
        writer.update_document(**fields)
        self.written.add(fields["id"])

    def remove(self, doc_id: str) -> int:
        """Delete a committed document by id; return how many were deleted (0 or 1)."""
        doc_id = str(doc_id)
        if doc_id in self.written:
            raise DocumentRewritten(f"document {doc_id} is already in this uncommitted write")
        return self._open().delete_by_term("id", doc_id)

    def commit(self, checkpoint: dict | None = None) -> None:
        """Make everything put or removed searchable, then record `checkpoint` beside the index.

        The checkpoint is written after the index's own commit, so a crash between the two
        leaves it behind what the index holds, never ahead: replaying from it is safe.
        Raises IndexWriteFailed (with the lock let go) if the commit fails.
        """
        writer, self._writer = self._open(), None
        try:
            writer.commit()
        except Exception as error:
            _let_go(writer)
            raise IndexWriteFailed(f"the search index could not be written: {error}") from error
        except BaseException:
            _let_go(writer)
            raise
        try:
            self._store._write_checkpoint(checkpoint)
        except OSError as error:
            raise IndexWriteFailed(f"the search index was written but its checkpoint was not: {error}") from error

    def cancel(self) -> None:
        """Drop everything put or removed since the writer opened, and let go of the lock."""
        if self._writer is not None:
            writer, self._writer = self._writer, None
            _let_go(writer)

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *_exc) -> None:
        self.cancel()

    def __del__(self):
        # A writer dropped without commit or cancel must not keep the lock for the process's life.
        if getattr(self, "_writer", None) is not None:
            self.cancel()


class BulkWriter:
    """Adds documents one at a time to a writer kept open between commits (bulk ingest).

    A commit happens once `commit_seconds` have passed since the writer opened, and on
    close(). A document that cannot be written is recorded in `unindexed` with the reason
    in `errors`, and so is every uncommitted document if the writer fails. Use from one thread.
    """

    def __init__(self, store: IndexStore, *, commit_seconds: float = 10.0):
        self._store = store
        self.commit_seconds = commit_seconds
        self.errors: list[str] = []
        self.unindexed: list[str] = []
        self._writer: IndexWriter | None = None
        self._pending: list[str] = []

    def add(self, doc: dict) -> bool:
        """Add or replace one document; return False if it could not be written."""
        try:
            fields = to_fields(doc)
        except Exception as error:  # a bad document fails alone, before the writer is touched
            self._lose([str(doc.get("id", ""))], error)
            return False
        try:
            if self._writer is not None and fields["id"] in self._writer.written:
                self.commit()
            if self._writer is None:
                self._writer = self._store.writer()
            self._writer.put_fields(fields)
        except Exception as error:
            self._abandon([*self._pending, fields["id"]], error)
            return False
        self._pending.append(fields["id"])
        if time.monotonic() - self._writer.opened >= self.commit_seconds:
            self.commit()
        return True

    def commit(self) -> None:
        """Make every document added so far searchable and release the lock."""
        if self._writer is None:
            return
        writer, self._writer = self._writer, None
        pending, self._pending = self._pending, []
        try:
            writer.commit()
        except Exception as error:
            self._lose(pending, error)

    close = commit

    def _abandon(self, ids: list[str], error: Exception) -> None:
        writer, self._writer = self._writer, None
        self._pending = []
        if writer is not None:
            writer.cancel()
        self._lose(ids, error)

    def _lose(self, ids: list[str], error: Exception) -> None:
        self.errors.append(str(error) or type(error).__name__)
        self.unindexed.extend(ids)
