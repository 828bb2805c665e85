"""The Whoosh index on disk: the one writing path and cached searchers."""

from __future__ import annotations

import heapq
import threading
import time
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path

from whoosh import index, writing
from whoosh import query as wq
from whoosh.idsets import DocIdSet
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.index import LockError
from whoosh.matching.wrappers import FilterMatcher

from indexer.schema import FACET_FIELDS, fingerprint, make_schema, make_weighting, to_fields

__all__ = ["IndexStore", "IndexLocked", "IndexView", "fingerprint"]

INDEX_NAME = "items"
# Scored postings kept per searcher (8 bytes each): about 24 MB.
MAX_CACHED_POSTINGS = 3_000_000


class IndexLocked(Exception):
    """Another writer held the index for longer than the lock timeout."""


def bits_from_ids(ids: Iterable[int], size: int) -> int:
    """Return an int bitmap with bit d set for every docnum d in ids."""
    buf = bytearray((size >> 3) + 1)
    for d in ids:
        buf[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buf, "little")


def _set_bits(bits: int) -> Iterator[int]:
    """Yield the positions of the set bits of an int bitmap, lowest first."""
    data = bits.to_bytes((bits.bit_length() + 7) >> 3 or 1, "little")
    for i, byte in enumerate(data):
        if byte:
            base = i << 3
            for j in range(8):
                if byte >> j & 1:
                    yield base + j


class BitmapSet(DocIdSet):
    """A read-only docnum set over an int bitmap, for Whoosh's filter argument."""

    def __init__(self, bits: int, size: int):
        self.bits = bits
        self.data = bits.to_bytes((size >> 3) + 1, "little")

    def __contains__(self, d: int) -> bool:
        return bool(self.data[d >> 3] & (1 << (d & 7)))

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        # Whoosh drops a falsy filter; an empty set must still filter everything.
        return True

    def __iter__(self) -> Iterator[int]:
        return _set_bits(self.bits)


def _posting_blocks(reader, field: str, text: str) -> Iterator[tuple[list[int], list[float]]]:
    """Yield (docnums, weights) of a term's postings a block at a time, deleted documents left out.

    Reads the block arrays of Whoosh 2.7's W3LeafMatcher directly (the version
    is pinned); any other matcher is walked posting by posting.
    """
    matcher = reader.postings(field, text)
    deleted: frozenset = frozenset()
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        # The segment has deletions: Whoosh wraps its postings to skip them.
        deleted, matcher = matcher._ids, matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            if matcher.id() not in deleted:
                yield [matcher.id()], [matcher.weight()]
            matcher.next()
        return
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        block_ids, block_weights = list(matcher._ids), list(matcher._weights)
        if deleted:
            kept = [(d, w) for d, w in zip(block_ids, block_weights) if d not in deleted]
            block_ids, block_weights = [d for d, _ in kept], [w for _, w in kept]
        yield block_ids, block_weights
        matcher._next_block()


class IndexView:
    """One version of the index: a searcher plus caches valid as long as it is."""

    def __init__(self, searcher, length_cache: dict | None = None):
        self.searcher = searcher
        # Segments never change once written, so their length arrays outlive a view.
        self._length_cache = length_cache if length_cache is not None else {}
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self._term_bits: dict[tuple[str, str], int] = {}
        self._facet_bits: dict[str, dict[str, int]] = {}
        self._filters: dict[object, object] = {}
        self._ids: list[str] | None = None
        self._lock = threading.Lock()
        self._scores: OrderedDict[tuple[str, str], tuple[array, array]] = OrderedDict()
        self._scores_held = 0

    def term_scores(self, field: str, text: str) -> tuple[array, array]:
        """Return (docnums, BM25F scores) of a term, scored once by Whoosh and cached.

        Long plain-word queries mostly reuse common words, so caching each
        word's scored postings turns Whoosh's per-query matcher walk into sums.
        """
        key = (field, text)
        found = self._scores.get(key)
        if found is not None:
            self._scores.move_to_end(key)
            return found
        ids, scores = array("i"), array("f")
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (field, text) not in reader:
                continue
            # Whoosh's own scorer supplies idf and average length from the
            # whole index; whoosh.scoring.bm25 is then applied a block at a time.
            scorer = sub.weighting.scorer(sub, field, text)
            norms = self._norms(sub, field, scorer.avgfl, scorer.B, scorer.K1)
            top = scorer.idf * (scorer.K1 + 1)
            for block_ids, block_weights in _posting_blocks(reader, field, text):
                scores.extend([top * w / (w + norms[d]) for d, w in zip(block_ids, block_weights)])
                ids.extend([d + offset for d in block_ids])
        self._scores[key] = found = (ids, scores)
        self._scores_held += len(ids)
        while self._scores_held > MAX_CACHED_POSTINGS and len(self._scores) > 1:
            _, (old_ids, _) = self._scores.popitem(last=False)
            self._scores_held -= len(old_ids)
        return found

    def _norms(self, sub, field: str, avgfl: float, b: float, k1: float) -> array:
        """Return K1 * ((1 - B) + B * length / avgfl) per document of one segment.

        Cached per segment and statistics: segments never change once written.
        """
        key = (sub.reader().segment().segment_id(), field, avgfl, b, k1)
        found = self._length_cache.get(key)
        if found is None:
            found = array("d", (k1 * ((1 - b) + b * (sub.doc_field_length(d, field, 1) or 1) / avgfl)
                                for d in range(sub.doc_count_all())))
            self._length_cache[key] = found
        return found

    def top_by_terms(self, terms: list[tuple[str, str, float]], allowed: "BitmapSet", limit: int) -> tuple[list[tuple[int, float]], int]:
        """Rank an OR of weighted terms: return the top (docnum, score) and the matched bitmap."""
        acc = [0.0] * self.size
        touched = 0
        for field, text, boost in terms:
            ids, scores = self.term_scores(field, text)
            if not ids:
                continue
            touched |= self.term_bits(field, text)
            if boost == 1.0:
                for d, sc in zip(ids, scores):
                    acc[d] += sc
            else:
                for d, sc in zip(ids, scores):
                    acc[d] += sc * boost
        matched = touched & allowed.bits
        # Documents the reader may not see (or filtered out) must not compete.
        for d in _set_bits(touched & ~allowed.bits):
            acc[d] = 0.0
        # nlargest keeps docnum order among equal scores, as Whoosh's collector does.
        top = heapq.nlargest(limit, range(self.size), key=acc.__getitem__)
        return [(d, acc[d]) for d in top if acc[d] > 0.0], matched

    def term_bits(self, field: str, text: str) -> int:
        """Return the bitmap of live documents containing the term."""
        key = (field, text)
        bits = self._term_bits.get(key)
        if bits is None:
            try:
                cached = self._scores.get(key)
                ids = cached[0] if cached is not None else self.reader.postings(field, text).all_ids()
            except Exception:  # Whoosh raises TermNotFound (a KeyError) for absent terms
                bits = 0
            else:
                bits = bits_from_ids(ids, self.size)
            # A bitmap costs size/8 bytes: keep memory per thread bounded.
            if len(self._term_bits) > 1500:
                self._term_bits.clear()
            self._term_bits[key] = bits
        return bits

    def count_in(self, field: str, text: str, allowed: "BitmapSet", cap: int) -> int:
        """Count documents holding the term that are in allowed, stopping at cap."""
        cached = self._scores.get((field, text))
        try:
            ids = cached[0] if cached is not None else self.reader.postings(field, text).all_ids()
        except Exception:  # TermNotFound
            return 0
        data, count = allowed.data, 0
        for d in ids:
            if data[d >> 3] & (1 << (d & 7)):
                count += 1
                if count >= cap:
                    break
        return count

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
        return self.memo(("filter", key), lambda: BitmapSet(build(), self.size))

    def memo(self, key: object, build):
        """Return build() for key, computed once for this version of the index."""
        found = self._filters.get(key)
        if found is None:
            found = build()
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

