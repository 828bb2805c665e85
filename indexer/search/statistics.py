"""Ranking statistics over the documents a searcher can return, not the ones deleted,
and only those everyone may see.

Whoosh keeps a replaced or removed document in its segment, marked deleted, until a merge
rewrites that segment, and its BM25 statistics (the document count, each word's document
frequency, the average field length) go on counting it. Two nodes holding the same
documents can then rank them differently, because their segments have different histories
(one merged after a restart, the other not), and a reader would see the order change from
one request to the next behind a load balancer. These statistics leave deleted documents
out, so an index's ranking depends on the documents it holds, not on its history — to within
the rounding of stored lengths (see avg_field_length; Whoosh's own merges re-derive a
segment's total from those rounded lengths too).

They also leave out documents that not everyone may see (restricted, registered-only): the
statistics are one set for all readers, taken from what every reader may see, so a hidden
item cannot move the visible ones in anyone's ranking, and no cache is kept per reader.

Segments without deletions and with only public documents cost nothing extra; for any other,
a word's frequency is counted from its live, public postings, once per view.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable

import numpy as np

from indexer.search.whoosh_internals import posting_blocks

# The reader token of documents everyone may see (SearchRequest's default principals).
EVERYONE = "public"


class LiveStatistics:
    """Document count, document frequency and average length over one view's live documents.

    With `everyone` (a reader token; the default), only live documents carrying it are counted:
    the statistics any reader's ranking uses are those of the documents every reader may see,
    so an item hidden from someone never shifts the order of what they see (a restricted item
    with a word in it would otherwise lower that word's weight for everyone). None counts every
    live document, as Whoosh does.
    """

    def __init__(self, searcher, lengths: Callable[[object, str], np.ndarray], everyone: str | None = EVERYONE):
        self.searcher = searcher
        self._leaves = [sub.reader() for sub, _ in searcher.leaf_searchers()]
        self._segment_lengths = lengths
        # Per segment: None when every live document counts (no need to look at each), else a mask.
        self._masks = [_counted_mask(reader, everyone) for reader in self._leaves]
        self.doc_count = sum(reader.doc_count() if mask is None else int(mask.sum())
                             for reader, mask in zip(self._leaves, self._masks, strict=True))
        self._frequencies: dict[tuple, float] = {}
        self._lengths: dict[str, float] = {}

    def doc_frequency(self, field: str, text: str) -> int:
        """Return how many counted live documents contain the word in the field."""
        key = (field, text)
        found = self._frequencies.get(key)
        if found is None:
            found = 0
            for reader, mask in zip(self._leaves, self._masks, strict=True):
                if (field, text) not in reader:
                    continue
                if mask is None and not reader.has_deletions():
                    found += reader.doc_frequency(field, text)
                    continue
                for docs, _ in posting_blocks(reader, field, text):  # deleted left out
                    found += len(docs) if mask is None else int(mask[docs].sum())
            self._frequencies[key] = found
        return found

    def frequency(self, field: str, text) -> float:
        """Return the word's total weight (occurrences) in the field over counted live documents."""
        key = ("frequency", field, text)
        found = self._frequencies.get(key)
        if found is None:
            found = 0.0
            for reader, mask in zip(self._leaves, self._masks, strict=True):
                if (field, text) not in reader:
                    continue
                if mask is None and not reader.has_deletions():
                    found += reader.frequency(field, text)
                    continue
                for docs, weights in posting_blocks(reader, field, text):
                    found += float(weights.sum() if mask is None else weights[mask[docs]].sum())
            self._frequencies[key] = found
        return found

    def avg_field_length(self, field: str) -> float:
        """Return the field's average length over counted live documents (0 when there are none).

        A segment's total is Whoosh's exact count of the field's words; from a segment with
        deletions or documents not counted, those documents' stored lengths are taken off. Those are stored
        rounded to a byte, so two indexes holding the same documents with different
        histories can differ here slightly (0.4 %, and scores 0.2 %, when every document
        had been replaced up to five times without a merge, the tests' heaviest churn);
        summing rounded lengths everywhere would make them equal but shift every ranking
        (SciFact nDCG@10 0.7007 -> 0.6993), so the exact totals are kept.
        """
        found = self._lengths.get(field)
        if found is None:
            total = 0.0
            for reader, mask in zip(self._leaves, self._masks, strict=True):
                total += reader.field_length(field)
                if mask is not None:  # take off the deleted and the not-counted documents
                    total -= float(self._segment_lengths(reader, field)[~mask].sum())
                elif reader.has_deletions():
                    lengths = self._segment_lengths(reader, field)
                    total -= float(lengths[np.fromiter(reader.segment().deleted_docs(), dtype=np.int64)].sum())
            found = self._lengths[field] = total / self.doc_count if self.doc_count else 0.0
        return found


class CountedReader:
    """An index reader whose collection figures are a LiveStatistics' (for Whoosh's term expansion).

    `more_like_this` picks an item's key terms with Whoosh's Expander, which weighs each word
    by its frequency in the whole collection; given this reader instead, hidden documents do
    not change which words are picked.
    """

    def __init__(self, reader, statistics: LiveStatistics):
        self._reader = reader
        self._statistics = statistics
        self.schema = reader.schema

    def doc_count_all(self) -> int:
        return self._statistics.doc_count

    def field_length(self, field: str) -> float:
        return self._statistics.avg_field_length(field) * self._statistics.doc_count

    def frequency(self, field: str, text) -> float:
        return self._statistics.frequency(field, text)

    def __contains__(self, term) -> bool:
        return term in self._reader and self._statistics.frequency(*term) > 0


def _counted_mask(reader, everyone: str | None) -> np.ndarray | None:
    """Return which documents of a segment count (live and carrying `everyone`), or None for all live ones."""
    if everyone is None:
        return None
    mask = np.zeros(reader.doc_count_all(), dtype=bool)
    if ("readers", everyone) in reader:
        for docs, _ in posting_blocks(reader, "readers", everyone):
            mask[docs] = True
    return None if int(mask.sum()) == reader.doc_count() else mask


class StatisticsCache:
    """One LiveStatistics per top-level searcher, made on first use and dropped with the searcher.

    Each segment's per-document lengths are read once (segments never change once written,
    only their deletion marks do) and kept while the segment is in the index.
    """

    def __init__(self, everyone: str | None = EVERYONE):
        self.everyone = everyone
        self._by_searcher: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        self._lengths: dict[tuple[str, str], np.ndarray] = {}
        self._lock = threading.Lock()

    def __call__(self, searcher) -> LiveStatistics:
        parent = searcher.get_parent()
        with self._lock:
            found = self._by_searcher.get(parent)
            if found is None:
                found = self._by_searcher[parent] = LiveStatistics(parent, self._segment_lengths, self.everyone)
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
