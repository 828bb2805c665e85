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
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError

from indexer.search.schema import (
    Ranking,
    fingerprint,
    is_file_document,
    make_schema,
    make_weighting,
    to_documents,
)
from indexer.search.view import IndexView
from indexer.search.whoosh_internals import InlineCodec, release_lock, segment_count

__all__ = ["DocumentRewritten", "IndexLocked", "IndexStore", "IndexUnreadable", "IndexView", "IndexWriteFailed",
           "IndexWriter", "fingerprint"]

INDEX_NAME = "search"
# Names earlier versions gave the index. Their tables of contents name classes by modules
# that have since moved, so they are never opened: the first rebuild replaces them.
LEGACY_NAMES = ("items",)
# What the index reflects, written beside it after every commit (see IndexWriter.commit).
CHECKPOINT_FILE = "checkpoint.json"
# Whoosh buffers this many MB of postings in memory before spilling to temporary files.
WRITER_MEMORY_MB = 128

log = logging.getLogger("indexer.store")


class IndexLocked(Exception):
    """Another writer held the index for longer than the lock timeout."""


class IndexUnreadable(Exception):
    """The index on disk cannot be opened (damaged, or written by other code); a rebuild replaces it."""


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
    except Exception:  # a writer broken by a failed commit may not cancel cleanly
        log.debug("cancelling a failed index writer raised", exc_info=True)
    release_lock(writer)


class IndexStore:
    """The full-text index of published items, with one writing path."""

    def __init__(self, path: str | Path, *, lock_timeout: float = 30.0, ranking: Ranking = Ranking()):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self.ranking = ranking
        self.path.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._lengths: dict = {}
        self._whoosh_index = None
        self._unreadable: str | None = None
        self._open()

    def _open(self) -> None:
        try:
            if index.exists_in(str(self.path), indexname=INDEX_NAME):
                self._whoosh_index = index.open_dir(str(self.path), indexname=INDEX_NAME)
            else:
                self._whoosh_index = index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
            self._unreadable = None
        except OSError:
            raise
        except Exception as error:  # a table of contents that does not unpickle: damaged or foreign
            self._mark_unreadable(error)

    def _mark_unreadable(self, error: Exception) -> IndexUnreadable:
        if self._unreadable is None:
            log.error("the search index at %s cannot be opened: %s", self.path, error)
        self._whoosh_index = None
        self._unreadable = f"its files cannot be read ({type(error).__name__}: {error})"
        return IndexUnreadable(f"the search index at {self.path} must be rebuilt: {self._unreadable}")

    @property
    def _ix(self):
        if self._whoosh_index is None:
            self._open()  # another process may have rebuilt it meanwhile
        if self._whoosh_index is None:
            raise IndexUnreadable(f"the search index at {self.path} must be rebuilt: {self._unreadable}")
        return self._whoosh_index

    @_ix.setter
    def _ix(self, value) -> None:
        self._whoosh_index = value

    @property
    def schema(self):
        """Return the schema of the open index."""
        return self._ix.schema

    # --- writing ------------------------------------------------------------

    def _whoosh_writer(self, timeout: float, procs: int = 1):
        """Open a Whoosh writer, waiting up to `timeout` seconds for another writer to finish."""
        if procs > 1:
            return self._waiting(timeout, lambda: self._ix.writer(procs=procs, limitmb=WRITER_MEMORY_MB,
                                                                   multisegment=True, codec=InlineCodec()))
        return self._waiting(timeout, lambda: self._ix.writer(limitmb=WRITER_MEMORY_MB, codec=InlineCodec()))

    def _wait_for_writers(self) -> None:
        """Return once no writer holds the index's lock (without opening the index itself)."""
        lock = FileStorage(str(self.path)).lock(f"{INDEX_NAME}_WRITELOCK")

        def take():
            if not lock.acquire():
                raise LockError
            lock.release()

        self._waiting(self.lock_timeout, take)

    def _waiting(self, timeout: float, attempt):
        """Return attempt(), trying again while it raises LockError, for up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        pause = 0.05
        while True:
            try:
                return attempt()
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
        prepared = [to_documents(d) for d in docs]  # bad documents fail before the lock is taken
        if not prepared:
            return 0
        with self.writer() as writer:
            for documents in prepared:
                writer.put_documents(documents)
            writer.commit()
        return len(prepared)

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
    def outdated(self) -> str | None:
        """Return why the index on disk cannot be used as it is (rebuild() fixes it), or None."""
        self._open()  # read its table of contents afresh: another process may have replaced it
        if self._unreadable:
            return self._unreadable
        if _signature(self._ix.schema) != _signature(make_schema()):
            return "it was written by an older version of this software (its fields differ)"
        if self._legacy_files():
            return "it was written by an older version of this software (under an earlier name)"
        return None

    def _legacy_files(self) -> list[Path]:
        return [entry for name in LEGACY_NAMES for pattern in (f"{name}_*", f"_{name}_*")
                for entry in self.path.glob(pattern)]

    def rebuild(self, docs: Iterable[dict], *, procs: int = 1, checkpoint: dict | None = None) -> int:
        """Empty the index and write all docs; procs > 1 uses Whoosh's multiprocess writer.

        `checkpoint` is recorded with the commit, as IndexWriter.commit does. An index that
        cannot be used as it is (see `outdated`) is replaced by a new, empty one first.
        """
        if self.outdated:
            self._wait_for_writers()
            self._ix = index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
            self._unreadable = None
            self.close()
        writer = self._whoosh_writer(self.lock_timeout, procs=procs)
        count = 0
        try:
            for documents in (to_documents(d) for d in docs):
                for fields in documents:
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
        for leftover in self._legacy_files():
            leftover.unlink(missing_ok=True)
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
        try:
            if current is None:
                current = IndexView(self._ix.searcher(weighting=make_weighting(self.ranking)), self._lengths)
            elif not current.searcher.up_to_date():
                # refresh() reuses unchanged segments, so re-opening stays cheap.
                current = IndexView(current.searcher.refresh(), self._lengths)
        except IndexUnreadable:
            raise
        except Exception as error:  # its table of contents was damaged since it was opened
            self._local.view = None
            raise self._mark_unreadable(error) from error
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
            return {ids[d]: fps[d] for d in reader.all_doc_ids() if not is_file_document(ids[d])}

    def doc_count(self) -> int:
        """Return the number of live item documents (additional files' documents are not counted)."""
        searcher = self.view().searcher
        files = sum(1 for _ in searcher.docs_for_query(wq.Every("item_of")))
        return searcher.doc_count() - files

    def segment_count(self) -> int:
        """Return how many segments the latest committed index has (merges lower it)."""
        return segment_count(self._ix)

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
        """Add or replace one item's document and its files' (ValueError for a document the index cannot take)."""
        self.put_documents(to_documents(doc))

    def put_documents(self, documents: list[dict]) -> None:
        """Add or replace an item's document and its files', turned into fields by schema.to_documents.

        The item's earlier file documents go first, so a removed file leaves nothing behind.
        """
        writer = self._open()
        item_id = documents[0]["id"]
        if item_id in self.written:
            raise DocumentRewritten(f"document {item_id} is already in this uncommitted write")
        writer.delete_by_term("item_of", item_id)
        for fields in documents:
            writer.update_document(**fields)
        self.written.add(item_id)

    def put_fields(self, fields: dict) -> None:
        """Add or replace one item's document already turned into fields by schema.to_fields."""
        self.put_documents([fields])

    def remove(self, doc_id: str) -> int:
        """Delete a committed item's document (and its files'); return how many items were deleted (0 or 1)."""
        doc_id = str(doc_id)
        if doc_id in self.written:
            raise DocumentRewritten(f"document {doc_id} is already in this uncommitted write")
        writer = self._open()
        writer.delete_by_term("item_of", doc_id)
        return writer.delete_by_term("id", doc_id)

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

