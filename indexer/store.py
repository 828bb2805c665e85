"""The Whoosh index on disk: the one writing path and a per-thread view for reading."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path

from whoosh import index, writing
from whoosh.index import LockError

from indexer.codec import make_codec
from indexer.schema import fingerprint, make_schema, make_weighting, to_fields
from indexer.view import IndexView

__all__ = ["BulkWriter", "IndexStore", "IndexLocked", "IndexView", "fingerprint"]

INDEX_NAME = "items"


class IndexLocked(Exception):
    """Another writer held the index for longer than the lock timeout."""


def _signature(schema) -> list[tuple[str, str]]:
    """Return the field names and types of a schema, to notice a schema change."""
    return sorted((name, type(schema[name]).__name__) for name in schema.names())


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

    def _writer(self, procs: int = 1):
        """Open a writer, waiting up to lock_timeout for another writer to finish."""
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.05
        while True:
            try:
                if procs > 1:
                    return self._ix.writer(procs=procs, limitmb=128, multisegment=True, codec=make_codec())
                return self._ix.writer(limitmb=128, codec=make_codec())
            except LockError:
                if time.monotonic() >= deadline:
                    raise IndexLocked(
                        f"the search index at {self.path} is being written by another process; "
                        f"gave up after waiting {self.lock_timeout:g} s — try again shortly"
                    ) from None
                time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
                pause = min(pause * 2, 1.0)

    def add_or_replace(self, docs: Iterable[dict]) -> int:
        """Write documents, replacing any with the same id; return how many."""
        prepared = [to_fields(d) for d in docs]  # bad documents fail before the lock is taken
        if not prepared:
            return 0
        writer = self._writer()
        try:
            for fields in prepared:
                writer.update_document(**fields)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(prepared)

    def bulk_writer(self, *, commit_seconds: float = 10.0) -> BulkWriter:
        """Return a writer for a long batch that adds documents one at a time (see BulkWriter)."""
        return BulkWriter(self, commit_seconds=commit_seconds)

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id; return how many were in the index."""
        ids = [str(i) for i in ids]
        if not ids:
            return 0
        writer = self._writer()
        try:
            deleted = sum(writer.delete_by_term("id", i) for i in ids)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return deleted

    @property
    def outdated(self) -> bool:
        """Tell whether the index on disk was made with another schema (rebuild() fixes it)."""
        return _signature(self._ix.schema) != _signature(make_schema())

    def rebuild(self, docs: Iterable[dict], *, procs: int = 1) -> int:
        """Empty the index and write all docs; procs > 1 uses Whoosh's multiprocess writer."""
        if self.outdated:
            # Wait for any writer to finish, then start over with the current schema.
            self._writer().cancel()
            self._ix = index.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
            self.close()
        writer = self._writer(procs=procs)
        count = 0
        try:
            for fields in (to_fields(d) for d in docs):
                writer.add_document(**fields)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        # CLEAR drops every existing segment, so unpublished items disappear too.
        writer.commit(mergetype=writing.CLEAR)
        return count

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

    def close(self) -> None:
        """Close this thread's cached searcher."""
        current = getattr(self._local, "view", None)
        if current is not None:
            current.searcher.close()
            self._local.view = None


class BulkWriter:
    """Adds documents one at a time to a writer kept open between commits.

    For a bulk ingest: each document is analysed when it arrives, so the work is spread
    over the batch instead of waiting for the end, and a commit (which makes documents
    searchable and lets go of the lock, so a deposit on the site can write) happens once
    `commit_seconds` have passed since the writer opened, and on close(). A document that
    cannot be written is recorded in `unindexed` with the reason in `errors`, and so is
    every uncommitted document if the writer fails: the caller's database still has them,
    and `reindex` brings them back. Use from one thread.
    """

    def __init__(self, store: IndexStore, *, commit_seconds: float):
        self._store = store
        self.commit_seconds = commit_seconds
        self.errors: list[str] = []
        self.unindexed: list[str] = []
        self._writer = None
        self._opened = 0.0
        self._pending: list[str] = []

    def add(self, doc: dict) -> bool:
        """Add or replace one document; return False if it could not be written."""
        try:
            fields = to_fields(doc)
        except Exception as error:  # a bad document fails alone, before the writer is touched
            self._lose([str(doc.get("id", ""))], error)
            return False
        try:
            if self._writer is None:
                self._writer = self._store._writer()
                self._opened = time.monotonic()
            self._writer.update_document(**fields)
        except Exception as error:
            self._abandon([*self._pending, fields["id"]], error)
            return False
        self._pending.append(fields["id"])
        if time.monotonic() - self._opened >= self.commit_seconds:
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
            try:
                writer.cancel()
            except Exception:  # noqa: BLE001  # the write already failed; report that one
                pass
        self._lose(ids, error)

    def _lose(self, ids: list[str], error: Exception) -> None:
        self.errors.append(str(error) or type(error).__name__)
        self.unindexed.extend(ids)
