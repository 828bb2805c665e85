"""Comparing two rankings of the same documents held by different indexes."""

from __future__ import annotations

# Two indexes holding the same documents with different histories may differ slightly in
# their average field lengths (see indexer/search/statistics.py).
SCORE_TOLERANCE = 5e-3


def assert_same_ranking(first, second, label: str = "", tolerance: float = SCORE_TOLERANCE) -> None:
    """Hold two lists of hits to the same documents, scores within `tolerance` (relative) and one order.

    Two documents may trade places only if their scores are that close.
    """
    scores = [{hit.id: hit.score for hit in hits} for hits in (first, second)]
    assert scores[0].keys() == scores[1].keys(), label
    for doc, score in scores[0].items():
        assert abs(score - scores[1][doc]) <= tolerance * max(abs(score), 1e-9), (label, doc)
    place = {hit.id: n for n, hit in enumerate(second)}
    for n, earlier in enumerate(first):
        for later in first[n + 1:]:
            if place[later.id] < place[earlier.id]:  # swapped: only a near-tie may be
                gap = abs(earlier.score - later.score)
                assert gap <= tolerance * max(abs(earlier.score), 1e-9), (label, earlier.id, later.id)
