"""The facets and sort orders a search offers, and the one check of a search request's values.

Every list of facets — the index fields the engine filters and counts on, the URL
parameters the pages and the API take, the titles people read, the order filters are
shown in — derives from FACETS; adding a facet is one entry here and one field in the
schema.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Facet:
    """One way to narrow a search, and count what it holds."""

    key: str  # the engine's name for it: SearchRequest.filters and SearchResult.facets keys
    field: str  # the index field holding its exact keys (schema.make_schema)
    title: str  # what a person reads above its values
    param: str | None = None  # the URL parameter that filters on it (None: not a value filter)
    lowercase: bool = True  # values are stored lowercased, so filter values are lowercased too
    checkboxes: bool = True  # offered as a list of checkboxes beside the results
    by_value: bool = False  # counts listed in value order (newest year first), not most frequent first


# In the order the pages show them.
FACETS: tuple[Facet, ...] = (
    Facet("themes", "themes", "Theme", param="theme"),
    Facet("type", "type", "Type", param="type"),
    Facet("year", "year_key", "Year", checkboxes=False, by_value=True),  # filtered by from/to years
    Facet("event", "event", "Seminar or event", param="event"),
    Facet("places", "places", "Place", param="place"),
    Facet("authors", "author_keys", "Author", param="author", lowercase=False, checkboxes=False),
    Facet("access", "access", "Access", param="access"),
)
BY_KEY: dict[str, Facet] = {facet.key: facet for facet in FACETS}
BY_PARAM: dict[str, Facet] = {facet.param: facet for facet in FACETS if facet.param}

# Sort order -> what a person reads.
SORTS: dict[str, str] = {
    "relevance": "Relevance",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "added": "Recently added",
    "title": "Title (A to Z)",
}
MAX_PER_PAGE = 100
MAX_RESULTS_DEPTH = 10_000  # page * per_page beyond this is refused
YEAR_RANGE = (1000, 2999)
FACET_LIMIT = 50  # values listed per facet, most frequent first


class BadRequest(ValueError):
    """A search parameter a person can get wrong (page, per_page, sort, filters, years); the message says which."""


def check_request(*, q: object, filters: dict, year_from: object, year_to: object, sort: object,
                  page: object, per_page: object) -> None:
    """Raise BadRequest with a readable message for any value out of range."""
    if not isinstance(q, str):
        raise BadRequest("The search must be text")
    if not isinstance(per_page, int) or isinstance(per_page, bool) or not 1 <= per_page <= MAX_PER_PAGE:
        raise BadRequest(f"The number of results a page ('per_page') must be between 1 and {MAX_PER_PAGE}")
    if not isinstance(page, int) or isinstance(page, bool):
        raise BadRequest("The page number must be a whole number")
    last = MAX_RESULTS_DEPTH // per_page
    if not 1 <= page <= last:
        raise BadRequest(f"The page number must be between 1 and {last:,}: only the first "
                         f"{MAX_RESULTS_DEPTH:,} results can be paged through, so narrow the search")
    if sort not in SORTS:
        *others, last_sort = SORTS
        raise BadRequest(f"There is no sort order '{str(sort)[:40]}': choose {', '.join(others)} or {last_sort}")
    unknown = sorted(name for name in filters if name not in BY_KEY or not BY_KEY[name].param)
    if unknown:
        raise BadRequest(f"There is no filter called {', '.join(repr(str(name)[:40]) for name in unknown)}")
    for label, bound in (("from", year_from), ("to", year_to)):
        if bound is not None and (not isinstance(bound, int) or not YEAR_RANGE[0] <= bound <= YEAR_RANGE[1]):
            raise BadRequest(f"The '{label}' year must be between {YEAR_RANGE[0]} and {YEAR_RANGE[1]}")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise BadRequest(f"The 'from' year ({year_from}) is after the 'to' year ({year_to})")
