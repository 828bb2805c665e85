"""Counts and listings for the home and browse pages.

Every count and list comes from the index, filtered for the reader, so
who-may-see-what is decided in one place (the search engine); the database only
adds names and descriptions. The one exception is the list of recently added items,
whose order only the database knows; `load_items` applies the index's rule to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from indexer.search import FACET_LIMIT, MAX_PER_PAGE, MAX_RESULTS_DEPTH, IndexStore, search

from ..models import Event, Item, ItemAuthor, Place, Theme
from ..models.items import item_places
from .search import Reader, load_items
from .taxonomy import children_of

UNKNOWN_REGION = "Region not recorded"


@dataclass
class Counted:
    """A thing with the number of visible items about it."""

    slug: str
    name: str
    count: int
    description: str = ""
    children: list[Counted] = field(default_factory=list)


def facet_counts(store: IndexStore, reader: Reader, facet: str,
                 filters: dict[str, list[str]] | None = None) -> dict[str, int]:
    """Return value -> number of visible items for one facet."""
    result = search(store, reader.request(q="", filters=filters or {}, per_page=1, highlight=False, suggest=False))
    return dict(result.facets.get(facet, []))


def visible_total(store: IndexStore, reader: Reader, filters: dict[str, list[str]]) -> int:
    """Return how many items matching `filters` the reader may see."""
    result = search(store, reader.request(q="", filters=filters, per_page=1, highlight=False, facets=False,
                                          suggest=False))
    return result.total


def recently_added(session: Session, reader: Reader, *, item_type: str | None = None, limit: int = 5) -> list[Item]:
    """Return the visible items most recently added to the repository (published), newest first.

    "Newest" here is when an item joined the repository (Item.added_at), not the year it was
    written: a 2007 paper deposited today heads the list. The database knows when; `load_items` applies the
    same who-may-see-what rule as the index to each candidate.
    """
    added = func.coalesce(Item.published_at, Item.created_at)
    query = select(Item.id).where(Item.status == "published").order_by(added.desc(), Item.id.desc())
    if item_type:
        query = query.where(Item.type == item_type)
    found: list[Item] = []
    batch, offset = max(limit * 4, 20), 0
    while len(found) < limit:
        ids = list(session.scalars(query.limit(batch).offset(offset)))
        if not ids:
            break
        found += load_items(session, [str(i) for i in ids], list(reader.principals))
        offset += batch
    return found[:limit]


def theme_tree(session: Session, counts: dict[str, int]) -> list[Counted]:
    """Return the top-level themes with their sub-themes, each with its count (one query)."""
    children = children_of(session)

    def node(theme: Theme, above: frozenset[int]) -> Counted:
        # `above` guards against a cycle in edited data.
        return Counted(theme.slug, theme.name, counts.get(theme.slug, 0), theme.description,
                       [node(child, above | {theme.id}) for child in children.get(theme.id, [])
                        if child.id not in above])

    return [node(theme, frozenset()) for theme in children.get(None, [])]


def places_by_region(session: Session, counts: dict[str, int]) -> list[tuple[str, list[Counted]]]:
    """Return (region, places) pairs for places that have visible items, regions A to Z."""
    regions: dict[str, list[Counted]] = {}
    for place in session.scalars(select(Place).order_by(Place.name)):
        if counts.get(place.slug):
            regions.setdefault(place.region or UNKNOWN_REGION, []).append(
                Counted(place.slug, place.name, counts[place.slug]))
    return sorted(regions.items(), key=lambda pair: (pair[0] == UNKNOWN_REGION, pair[0]))


def events_with_counts(session: Session, counts: dict[str, int]) -> list[tuple[Event, int]]:
    """Return every event, newest first, with its number of visible items."""
    events = session.scalars(select(Event).order_by(Event.date.desc().nulls_last(), Event.name))
    return [(event, counts.get(event.slug, 0)) for event in events]


def visible_ids(store: IndexStore, reader: Reader) -> list[int]:
    """Return the ids of every item the reader may see (up to the engine's paging depth)."""
    ids: list[int] = []
    for page in range(1, MAX_RESULTS_DEPTH // MAX_PER_PAGE + 1):
        result = search(store, reader.request(q="", page=page, per_page=MAX_PER_PAGE, highlight=False,
                                              facets=False, suggest=False))
        ids += [int(hit.id) for hit in result.hits]
        if len(ids) >= result.total or not result.hits:
            break
    return ids


def _record_counts(session: Session, ids: list[int], facet: str) -> dict[str, int]:
    """Count facet values from the database records of the given (visible) items."""
    queries = {
        "authors": lambda chunk: select(ItemAuthor.name).where(ItemAuthor.item_id.in_(chunk)),
        "places": lambda chunk: select(Place.slug).join(item_places, item_places.c.place_id == Place.id)
        .where(item_places.c.item_id.in_(chunk)),
        "event": lambda chunk: select(Event.slug).join(Item, Item.event_id == Event.id).where(Item.id.in_(chunk)),
    }
    counts: dict[str, int] = {}
    for start in range(0, len(ids), 500):
        for (value,) in session.execute(queries[facet](ids[start:start + 500])):
            counts[value] = counts.get(value, 0) + 1
    return counts


def full_counts(session: Session, store: IndexStore, reader: Reader, facet: str) -> dict[str, int]:
    """Return value -> number of visible items for every value of authors, places or event."""
    counts = facet_counts(store, reader, facet)
    if len(counts) < FACET_LIMIT:
        return counts
    # The engine lists only the most frequent values; count the rest from the records of
    # the items the index says are visible, so the rule of who sees what stays in one place.
    return _record_counts(session, visible_ids(store, reader), facet)
