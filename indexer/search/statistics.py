"""Ranking statistics over the documents a searcher can return, not the ones deleted.

Whoosh keeps a replaced or removed document in its segment, marked deleted, until a merge
rewrites that segment, and its BM25 statistics (the document count, each word's document
frequency, the average field length) go on counting it. Two nodes holding the same
documents can then rank them differently, because their segments have different histories
(one merged after a restart, the other not), and a reader would see the order change from
one request to the next behind a load balancer. These statistics leave deleted documents
out, so an index's ranking depends on the documents it holds, not on its history — to within
the rounding of stored lengths (see avg_field_length; Whoosh's own merges re-derive a
segment's total from those rounded lengths too).

Segments without deletions (most of them) cost nothing extra; for a segment with deletions,
a word's frequency is corrected by counting its live postings, once per view.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

import numpy as np

from indexer.search.whoosh_internals import posting_blocks


class LiveStatistics:
    """Document count, document frequency and average length over one view's live documents."""

    def __init__(self, searcher, lengths: Callable[[object, str], np.ndarray]):
        self.searcher = searcher
        self.doc_count = searcher.doc_count()
        self._leaves = [sub.reader() for sub, _ in searcher.leaf_searchers()]
        self._segment_lengths = lengths
        self._frequencies: dict[tuple[str, str], int] = {}
        self._lengths: dict[str, float] = {}

    def doc_frequency(self, field: str, text: str) -> int:
        """Return how many live documents contain the word in the field."""
        key = (field, text)
        found = self._frequencies.get(key)
        if found is None:
            found = self.searcher.doc_frequency(field, text)
            for reader in self._leaves:
                if reader.has_deletions() and (field, text) in reader:
                    live = sum(len(docs) for docs, _ in posting_blocks(reader, field, text))  # deleted left out
                    found -= reader.doc_frequency(field, text) - live
            self._frequencies[key] = found
        return found

    def avg_field_length(self, field: str) -> float:
        """Return the field's average length over live documents (0 when there are none).

        A segment's total is Whoosh's exact count of the field's words; from a segment with
        deletions, the deleted documents' stored lengths are taken off. Those are stored
        rounded to a byte, so two indexes holding the same documents with different
        histories can differ here slightly (0.4 %, and scores 0.2 %, when every document
        had been replaced up to five times without a merge, the tests' heaviest churn);
        summing rounded lengths everywhere would make them equal but shift every ranking
        (SciFact nDCG@10 0.7007 -> 0.6993), so the exact totals are kept.
        """
        found = self._lengths.get(field)
        if found is None:
            total = 0.0
            for reader in self._leaves:
                total += reader.field_length(field)
                if reader.has_deletions():
                    lengths = self._segment_lengths(reader, field)
                    total -= float(lengths[np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)].sum())
            found = self._lengths[field] = total / self.doc_count if self.doc_count else 0.0
        return found


class StatisticsCache:
    """One LiveStatistics per top-level searcher, made on first use and dropped with the searcher.

    Each segment's per-document lengths are read once (segments never change once written,
    only their deletion marks do) and kept while the segment is in the index.
    """

    def __init__(self):
        self._by_searcher: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def __call__(self, searcher) -> LiveStatistics:
        parent = searcher.get_parent()
        with self._lock:
            found = self._by_searcher.get(parent)
            if found is None:
                found = self._by_searcher[parent] = LiveStatistics(parent, self._segment_lengths)
                current = {sub.reader().segment().segment_id() for sub, _ in parent.leaf_searchers()}
                for key in [key for key in self._lengths if key[0] not in current]:
                    del self._lengths[key]  # the segment was merged away
            return found

    def _segment_lengths(self, reader, field: str) -> np.ndarray:
        key = (reader.segment().segment_id(), field)
        found = self._lengths.get(key)
        if found is None:
            found = self._lengths[key] = np.fromiter(
                (reader.doc_field_length(d, field, 0) or 0  # None: the document lacks the field
                 for d in range(reader.doc_count_all())), dtype=np.float64)
        return found
