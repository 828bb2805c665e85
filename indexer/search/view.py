"""Reading one version of the index: cached searchers' bitmaps and per-word scores."""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator

import numpy as np
from whoosh import query as wq
from whoosh.idsets import DocIdSet

from indexer.search.whoosh_internals import posting_blocks

__all__ = ["IndexView", "BitmapSet", "bits_from_ids"]

# Scored postings kept per searcher (8 bytes each): about 48 MB. At 100k documents,
# with a stemmed and an exact-word list per query word, 3 million left the cache
# re-reading common words (p95 239 ms); 6 million, 181 ms.
MAX_CACHED_POSTINGS = 6_000_000


def bits_from_ids(ids: Iterable[int], size: int) -> int:
    """Return an int bitmap with bit d set for every docnum d in ids."""
    flags = np.zeros(((size >> 3) + 1) << 3, dtype=np.uint8)
    flags[np.fromiter(ids, dtype=np.int64) if not isinstance(ids, np.ndarray) else ids] = 1
    return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")


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
        self.size = size
        self.data = bits.to_bytes((size >> 3) + 1, "little")
        self._mask: np.ndarray | None = None

    @property
    def mask(self) -> np.ndarray:
        """Return the set as a boolean array indexed by docnum."""
        if self._mask is None:
            flags = np.unpackbits(np.frombuffer(self.data, dtype=np.uint8), bitorder="little")
            self._mask = flags[: self.size].astype(bool)
        return self._mask

    def __contains__(self, d: int) -> bool:
        return bool(self.data[d >> 3] & (1 << (d & 7)))

    def __len__(self) -> int:
        return self.bits.bit_count()

    def __bool__(self) -> bool:
        # Whoosh drops a falsy filter; an empty set must still filter everything.
        return True

    def __iter__(self) -> Iterator[int]:
        return _set_bits(self.bits)


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
        self._scores: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._scores_held = 0

    def term_scores(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Return (docnums, BM25F scores) of a term, scored once by Whoosh and cached.

        Long plain-word queries mostly reuse common words, so caching each
        word's scored postings turns Whoosh's per-query matcher walk into sums.
        """
        key = (field, text)
        found = self._scores.get(key)
        if found is not None:
            self._scores.move_to_end(key)
            return found
        id_parts, score_parts = [], []
        for sub, offset in self.searcher.leaf_searchers():
            reader = sub.reader()
            if (field, text) not in reader:
                continue
            # Whoosh's own scorer supplies idf and average length from the
            # whole index; whoosh.scoring.bm25 is then applied a block at a time.
            scorer = sub.weighting.scorer(sub, field, text)
            norms = self._norms(sub, field, scorer.avgfl, scorer.B, scorer.K1)
            top = scorer.idf * (scorer.K1 + 1)
            for docs, weights in posting_blocks(reader, field, text):
                score_parts.append((top * weights / (weights + norms[docs])).astype(np.float32))
                id_parts.append((docs + offset).astype(np.int32))
        ids = np.concatenate(id_parts) if id_parts else np.zeros(0, dtype=np.int32)
        scores = np.concatenate(score_parts) if score_parts else np.zeros(0, dtype=np.float32)
        self._scores[key] = found = (ids, scores)
        self._scores_held += len(ids)
        while self._scores_held > MAX_CACHED_POSTINGS and len(self._scores) > 1:
            _, (old_ids, _) = self._scores.popitem(last=False)
            self._scores_held -= len(old_ids)
        return found

    def _norms(self, sub, field: str, avgfl: float, b: float, k1: float) -> np.ndarray:
        """Return K1 * ((1 - B) + B * length / avgfl) per document of one segment.

        Cached per segment and statistics: segments never change once written.
        """
        key = (sub.reader().segment().segment_id(), field, avgfl, b, k1)
        found = self._length_cache.get(key)
        if found is None:
            found = np.frombuffer(array("d", (k1 * ((1 - b) + b * (sub.doc_field_length(d, field, 1) or 1) / avgfl)
                                              for d in range(sub.doc_count_all()))), dtype=np.float64)
            self._length_cache[key] = found
        return found

    def top_by_terms(self, terms: list[tuple[str, str, float]], allowed: BitmapSet,
                     limit: int) -> tuple[list[tuple[int, float]], int]:
        """Rank an OR of weighted terms: return the top (docnum, score) and the matched bitmap.

        The sums are numpy's, in double precision and in the order of the terms, so
        they equal term-by-term Python additions (and Whoosh's own scores) exactly.
        """
        acc = np.zeros(self.size)
        touched = 0
        for field, text, boost in terms:
            ids, scores = self.term_scores(field, text)
            if not len(ids):
                continue
            touched |= self.term_bits(field, text)
            # A term's postings name each document once, so fancy-index += is safe.
            if boost == 1.0:
                acc[ids] += scores
            else:
                acc[ids] += scores.astype(np.float64) * boost
        matched = touched & allowed.bits
        # Documents the reader may not see (or filtered out) must not compete.
        acc[~allowed.mask] = 0.0
        found = np.flatnonzero(acc > 0.0)
        if len(found) > limit:
            values = acc[found]
            cut = len(values) - limit
            kth = np.partition(values, cut)[cut]  # the limit-th largest score
            above, level = found[values > kth], found[values == kth]
            # Equal scores keep docnum order, as Whoosh's collector does.
            found = np.concatenate([above, level[: limit - len(above)]])
        order = np.lexsort((found, -acc[found]))
        return [(int(d), float(acc[d])) for d in found[order]], matched

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
        if cached is not None:
            return min(cap, int(np.count_nonzero(allowed.mask[cached[0]])))
        try:
            ids = self.reader.postings(field, text).all_ids()
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

    def facet_bits(self, field: str) -> dict[str, int]:
        """Return value -> bitmap for every value of a key field."""
        cached = self._facet_bits.get(field)
        if cached is None:
            cached = {}
            for btext in self.reader.lexicon(field):
                value = btext.decode("utf-8")
                cached[value] = self.term_bits(field, value)
            self._facet_bits[field] = cached
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
