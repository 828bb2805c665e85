"""Every use of Whoosh's private internals, behind one door, for Whoosh 2.7.4 only.

The search engine's measured speed-ups lean on parts of Whoosh that it does not promise to
keep. They all live here, so a newcomer knows where the fragile code is, and this module
refuses to load under any other Whoosh. Each use is held equal to stock Whoosh on the paths
the library takes — many commits with merges, optimise, deletions, reopening, the
multi-process writer — by tests/indexer/test_whoosh_internals.py and test_index_life.py.

- InlineCodec: a word found in few documents keeps its postings inside its term entry
  instead of a block of its own (most of a collection's words are rare; a block costs a
  pickle, a compression call and a seek). Whoosh 2.7.4 ships the option but it is broken
  on two paths, both repaired here: writing calls `set_inline` on term infos that name the
  method `set_inlined`, and reading hands inlined postings to ListMatcher, whose value() is
  the str '' (where the block matcher gives None) for fields that store no values — which
  made every merge fail — and whose copy() drops the term info that block statistics read.
- posting_blocks: a term's postings a block at a time as numpy arrays, read from the
  block matcher's buffers instead of a Python call per posting.
- SuggestionSource: the hook Whoosh's Corrector calls for candidate words (`_suggestions`).
- release_lock and segment_count: what the store needs from a writer and an index.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import repeat

import numpy as np
import whoosh
from whoosh.codec.whoosh3 import W3Codec, W3LeafMatcher, W3PostingsWriter
from whoosh.matching.mcore import ListMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.spelling import Corrector

SUPPORTED_WHOOSH = (2, 7, 4)
if tuple(whoosh.__version__[:3]) != SUPPORTED_WHOOSH:
    raise ImportError(
        f"this search engine reads Whoosh's internals and is proven against Whoosh "
        f"{'.'.join(map(str, SUPPORTED_WHOOSH))} only; Whoosh {whoosh.versionstring()} is installed. "
        f"Install whoosh=={'.'.join(map(str, SUPPORTED_WHOOSH))} (and no fork of it, which imports as whoosh too)."
    )

# A word in fewer than this many documents keeps its postings in its term entry.
INLINE_LIMIT = 8


class _InlinedPostings(ListMatcher):
    """ListMatcher over a term entry's own postings, giving what a block matcher gives."""

    def value(self):
        # For a field that stores no values ListMatcher says '' (a str, which merging refuses);
        # the block matcher says None, which merging writes as no value.
        return self._values[self._i] if self._values else None

    def all_items(self):
        if self._values:
            return zip(self._ids, self._values, strict=True)
        return zip(self._ids, repeat(None))

    def copy(self):
        # ListMatcher's copy() forgets the term and its info, which block_min_length() reads.
        return self.__class__(self._ids, self._weights, self._values, self._format, self._scorer, self._i,
                              self._all_weights, self._term, self._terminfo)


class _InlinePostingsWriter(W3PostingsWriter):
    """Writes a term's few postings into its term entry under the method's real name."""

    def finish_postings(self):
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo = self._terminfo
        terminfo.add_block(self)
        terminfo.set_inlined(self._ids, self._weights, self._values)  # W3PostingsWriter calls set_inline
        self._terminfo = None
        return terminfo


class InlineCodec(W3Codec):
    """Whoosh 2.7.4's own codec, with rare words' postings kept inline, correctly.

    Each segment remembers the codec it was written with (the index's table of contents
    names this class), so this module's path and this class's name must not change.
    """

    def __init__(self, blocklimit: int = 128, compression: int = 3, inlinelimit: int = INLINE_LIMIT):
        super().__init__(blocklimit=blocklimit, compression=compression, inlinelimit=inlinelimit)

    def postings_writer(self, dbfile, byteids=False):
        return _InlinePostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                     compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            ids, weights, values = terminfo.inlined_postings()
            return _InlinedPostings(ids, weights, values, format_, scorer=scorer, term=term, terminfo=terminfo)
        return super().postings_reader(dbfile, terminfo, format_, term=term, scorer=scorer)


def posting_blocks(reader, field: str, text: str) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (docnums, weights) arrays of a term's postings a block at a time, deleted documents left out.

    Reads the buffers of Whoosh's block matcher (W3LeafMatcher), undoing its delta encoding
    with numpy rather than Whoosh's per-posting generator; any other matcher (an inlined
    term's, say) is walked posting by posting.
    """
    matcher = reader.postings(field, text)
    deleted: frozenset = frozenset()
    if isinstance(matcher, FilterMatcher) and matcher._exclude:
        # The segment has deletions: Whoosh wraps its postings to skip them.
        deleted, matcher = matcher._ids, matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        while matcher.is_active():
            if matcher.id() not in deleted:
                yield np.array([matcher.id()]), np.array([matcher.weight()])
            matcher.next()
        return
    while matcher.is_active():
        if matcher._ids is not None:
            block_ids = np.asarray(matcher._ids, dtype=np.int64)
        else:
            if matcher._data is None:
                matcher._read_data()
            block_ids = np.asarray(matcher._data[0], dtype=np.int64)
            if not matcher._byteids:
                block_ids = np.cumsum(block_ids)  # stored as gaps
        if matcher._weights is None:
            matcher._read_weights()
        block_weights = np.asarray(matcher._weights, dtype=np.float64)
        if deleted:
            kept = ~np.isin(block_ids, np.fromiter(deleted, dtype=np.int64))
            block_ids, block_weights = block_ids[kept], block_weights[kept]
        yield block_ids, block_weights
        matcher._next_block()


class SuggestionSource(Corrector):
    """A Whoosh corrector whose candidate words come from candidates(text, maxdist, prefix).

    Corrector.suggest ranks what its `_suggestions` hook yields: (score, word) pairs,
    higher scores better.
    """

    def candidates(self, text: str, maxdist: int, prefix: int) -> Iterator[tuple[float, str]]:
        """Yield (score, word) for words that could be meant by `text`."""
        raise NotImplementedError

    def _suggestions(self, text, maxdist, prefix):
        return self.candidates(text, maxdist, prefix)


def release_lock(writer) -> None:
    """Release a Whoosh writer's index lock if it still holds it (after a failed commit or cancel)."""
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "fd", None) is not None:  # Whoosh's file lock keeps its fd while held
        lock.release()


def segment_count(ix) -> int:
    """Return how many segments the latest committed generation of an index has."""
    return len(ix._segments())
