"""Search: the Whoosh index of items, written through one path and read by many."""

from indexer.search.engine import (
    Hit,
    SearchRequest,
    SearchResult,
    more_like_this,
    passages,
    search,
)
from indexer.search.facets import (
    BY_KEY,
    BY_PARAM,
    FACET_LIMIT,
    FACETS,
    MAX_PER_PAGE,
    MAX_RESULTS_DEPTH,
    SORTS,
    BadRequest,
    Facet,
    check_request,
)
from indexer.search.schema import fingerprint, title_sort_key
from indexer.search.store import (
    DocumentRewritten,
    IndexLocked,
    IndexStore,
    IndexUnreadable,
    IndexWriteFailed,
    IndexWriter,
)

__all__ = [
    "BY_KEY", "BY_PARAM", "FACETS", "SORTS", "Facet", "check_request",
    "FACET_LIMIT", "MAX_PER_PAGE", "MAX_RESULTS_DEPTH", "BadRequest", "DocumentRewritten", "Hit", "IndexLocked",
    "IndexStore", "IndexUnreadable", "IndexWriteFailed", "IndexWriter", "SearchRequest", "SearchResult", "fingerprint",
    "more_like_this", "passages", "search", "title_sort_key",
]
