"""The Whoosh index on disk: the one writing path and cached searchers."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import index, writing
from whoosh import query as wq
from whoosh.idsets import DocIdSet
from whoosh.index import LockError

from indexer.schema import FACET_FIELDS, fingerprint, make_schema, make_weighting, to_fields

__all__ = ["IndexStore", "IndexLocked", "IndexView", "fingerprint"]

log = logging.getLogger(__name__)

INDEX_NAME = "items"


class IndexLocked(Exception):
    """Another writer held the index for longer than the lock timeout."""


def bits_from_ids(ids: Iterable[int], size: int) -> int:
    """Return an int bitmap with bit d set for every docnum d in ids."""
    buf = bytearray((size >> 3) + 1)
    for d in ids:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


class BitmapSet(DocIdSet):
    """A read-only docnum set over an int bitmap, for Whoosh's filter argument."""

    def __init__(self, bits: int, size: int):
        self.bits = bits
        self._bytes = bits.to_bytes((size >> 3) + 1, "little")

    def __contains__(self, d: int) -> bool:
        return bool(self._bytes[d >> 3] & (1 << (d & 7)))

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        # Whoosh drops a falsy filter; an empty set must still filter everything.
        return True

    def __iter__(self) -> Iterator[int]:
        data = self._bytes
        for i, byte in enumerate(data):
            if byte:
                base = i << 3
                for j in range(8):
                    if byte & (1 << j):
                        yield base + j


class IndexView:
    """One version of the index: a searcher plus caches valid as long as it is."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self._term_bits: dict[tuple[str, str], int] = {}
        self._facet_bits: dict[str, dict[str, int]] = {}
        self._filters: dict[object, BitmapSet] = {}
        self._ids: list[str] | None = None
        self._lock = threading.Lock()

    def term_bits(self, field: str, text: str) -> int:
        """Return the bitmap of live documents containing the term."""
        key = (field, text)
        bits = self._term_bits.get(key)
        if bits is None:
            try:
                ids = self.reader.postings(field, text).all_ids()
            except Exception:  # Whoosh raises TermNotFound (a KeyError) for absent terms
                bits = 0
            else:
                bits = bits_from_ids(ids, self.size)
            # A bitmap costs size/8 bytes: keep memory per thread bounded.
            if len(self._term_bits) > 1500:
                self._term_bits.clear()
            self._term_bits[key] = bits
        return bits

    def live_bits(self) -> int:
        """Return the bitmap of all live (not deleted) documents."""
        bits = self._term_bits.get(("", ""))
        if bits is None:
            bits = bits_from_ids(self.reader.all_doc_ids(), self.size)
            self._term_bits[("", "")] = bits
        return bits

    def query_bits(self, q) -> int:
        """Return the bitmap of documents matching q, from cached term bitmaps where possible."""
        if isinstance(q, wq.Term):
            return self.term_bits(q.fieldname, q.text)
        if isinstance(q, wq.Or) and not q.minmatch:
            bits = 0
            for sub in q.subqueries:
                bits |= self.query_bits(sub)
            return bits
        if isinstance(q, wq.And):
            bits = -1
            for sub in q.subqueries:
                bits &= self.query_bits(sub)
                if not bits:
                    break
            return max(bits, 0) if bits != -1 else 0
        if isinstance(q, wq.AndNot):
            return self.query_bits(q.a) & ~self.query_bits(q.b)
        if isinstance(q, wq.AndMaybe):
            return self.query_bits(q.a)
        if isinstance(q, wq.Not):
            return self.live_bits() & ~self.query_bits(q.query)
        if isinstance(q, wq.Every):
            return self.live_bits()
        # Phrases, ranges and the rest: let Whoosh find the documents.
        return bits_from_ids(self.searcher.docs_for_query(q), self.size)

    def facet_bits(self, facet: str) -> dict[str, int]:
        """Return value -> bitmap for every value of a facet."""
        cached = self._facet_bits.get(facet)
        if cached is None:
            field = FACET_FIELDS[facet]
            cached = {}
            for btext in self.reader.lexicon(field):
                value = btext.decode("utf-8")
                cached[value] = self.term_bits(field, value)
            self._facet_bits[facet] = cached
        return cached

    def cached_filter(self, key: object, build) -> BitmapSet:
        """Return the filter set for key, building it with build() once per version."""
        found = self._filters.get(key)
        if found is None:
            found = BitmapSet(build(), self.size)
            if len(self._filters) > 256:
                self._filters.clear()
            self._filters[key] = found
        return found

    def doc_id(self, docnum: int) -> str:
        """Return the item id of a document number."""
        if self._ids is None:
            with self._lock:
                if self._ids is None:
                    column = self.reader.column_reader("id")
                    self._ids = [column[d] for d in range(self.size)]
        return self._ids[docnum]

    def docnum(self, item_id: str) -> int | None:
        """Return the live document number of an item id, or None."""
        return self.searcher.document_number(id=str(item_id))


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
                    return self._ix.writer(procs=procs, limitmb=128, multisegment=True)
                return self._ix.writer(limitmb=128)
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

    def rebuild(self, docs: Iterable[dict], *, procs: int = 1) -> int:
        """Empty the index and write all docs; procs > 1 uses Whoosh's multiprocess writer."""
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
            current = IndexView(self._ix.searcher(weighting=make_weighting()))
        elif not current.searcher.up_to_date():
            # refresh() reuses unchanged segments, so re-opening stays cheap.
            current = IndexView(current.searcher.refresh())
        self._local.view = current
        return current

    def fingerprints(self) -> dict[str, str]:
        """Return id -> fingerprint for every document in the index."""
        with self._ix.searcher() as s:
            reader = s.reader()
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

