"""The one search used by the search page, the JSON API and the browse pages.

The index ranks and filters (including who may see what, inside the Whoosh query);
the database supplies the records in rank order, so a stale index entry never shows
wrong data, and an item the database no longer calls published is dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indexer.search import FACETS, Hit, IndexStore, SearchRequest, SearchResult, more_like_this, passages, search

from ..models import ACCESS_LEVELS, ITEM_TYPES, AdditionalFile, Event, Item, Place, Theme
from . import changes
from .access import readers_for
from .query_names import resolve_names
from .synonyms import synonym_groups
from .taxonomy import children_of


@dataclass(frozen=True)
class Reader:
    """Who a page is for: their reader tokens, and the items search leaves out for now.

    Withheld are the items whose latest change this node's index has not applied yet:
    until it has, the index may still describe them as they were (a restricted item as
    open, say), so search shows them to nobody rather than to the wrong people.
    """

    principals: tuple[str, ...]
    withheld: frozenset[str] = frozenset()

    def request(self, **fields) -> SearchRequest:
        """Return an engine request for this reader."""
        return SearchRequest(principals=list(self.principals), withheld=self.withheld, **fields)


def withheld_items(session: Session, store: IndexStore) -> frozenset[str]:
    """Return the ids of items with a change-log entry after this index's checkpoint."""
    # Read before the index is opened for the search: the checkpoint is written after the
    # commit it describes, so the searcher then holds at least what it says.
    checkpoint = store.checkpoint() or {}
    seq = checkpoint.get("seq")
    if not isinstance(seq, int):
        return frozenset()  # an index that follows no log is being rebuilt (init-db, the indexer)
    return frozenset(str(item_id) for item_id in changes.items_changed_after(session, seq))


def reader_for(session: Session, store: IndexStore, principals: list[str]) -> Reader:
    """Return the Reader for someone with these principals, as of now."""
    return Reader(tuple(principals), withheld_items(session, store))


@dataclass
class ResultRow:
    """One result: the database record and the index's reason for showing it."""

    item: Item
    hit: Hit


@dataclass
class FacetValue:
    """One value of a filter with its count over the current query."""

    value: str
    label: str
    count: int
    depth: int = 0  # themes: 0 for a top-level theme, 1 for a sub-theme ...


@dataclass
class SearchOutcome:
    """A page of results with everything the page or the API shows around them."""

    request: SearchRequest
    result: SearchResult
    rows: list[ResultRow]
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # how the query was read, where not as typed

    @property
    def searched_for(self) -> str | None:
        """Return the corrected query searched in place of the one typed, or None."""
        return self.result.searched_for

    @property
    def total(self) -> int:
        """Return the number of matching items the reader may see."""
        return self.result.total

    @property
    def pages(self) -> int:
        """Return the number of result pages."""
        per_page = self.result.per_page or 1
        return max(1, -(-self.result.total // per_page))


def _visible(item: Item, principals: list[str]) -> bool:
    # The index already filtered; this is the database's word on the same rule.
    return item.status == "published" and bool(set(readers_for(item)) & set(principals))


def load_items(session: Session, ids: list[str], principals: list[str]) -> list[Item]:
    """Return the published, visible items with these ids, in the order of `ids`."""
    numbers = [int(i) for i in ids if str(i).isdigit()]
    if not numbers:
        return []
    query = (
        select(Item)
        .where(Item.id.in_(numbers))
        .options(selectinload(Item.authors), selectinload(Item.themes), selectinload(Item.places),
                 selectinload(Item.event), selectinload(Item.files))
    )
    by_id = {item.id: item for item in session.scalars(query)}
    return [by_id[n] for n in numbers if n in by_id and _visible(by_id[n], principals)]


def facet_labels(session: Session, facets: dict[str, list[tuple[str, int]]]) -> dict[str, list[FacetValue]]:
    """Return the engine's facet counts with human labels, in display order."""
    names: dict[str, dict[str, str]] = {
        "type": dict(ITEM_TYPES),
        "access": dict(ACCESS_LEVELS),
    }
    lookups = {"themes": (Theme, Theme.name), "event": (Event, Event.name), "places": (Place, Place.name)}
    for key, (model, column) in lookups.items():
        slugs = [value for value, _ in facets.get(key, [])]
        if slugs:
            rows = session.execute(select(model.slug, column).where(model.slug.in_(slugs)))
            names[key] = {slug: name for slug, name in rows}
    out: dict[str, list[FacetValue]] = {}
    for key in (facet.key for facet in FACETS):
        if key in facets:
            labels = names.get(key, {})
            out[key] = [FacetValue(value, labels.get(value, value), count) for value, count in facets[key]]
    if out.get("themes"):
        out["themes"] = _in_taxonomy_order(session, out["themes"])
    return out


def _in_taxonomy_order(session: Session, values: list[FacetValue]) -> list[FacetValue]:
    """Order theme counts as the taxonomy tree (each theme followed by its sub-themes)."""
    children = children_of(session)
    order: dict[str, tuple[int, int]] = {}

    def walk(parent_id: int | None, depth: int) -> None:
        for theme in children.get(parent_id, []):
            if theme.slug not in order:  # a cycle in edited data must not loop forever
                order[theme.slug] = (len(order), depth)
                walk(theme.id, depth + 1)

    walk(None, 0)
    ranked = sorted(values, key=lambda v: order.get(v.value, (len(order), 0))[0])
    for value in ranked:
        value.depth = order.get(value.value, (0, 0))[1]
    return ranked


def _known_to(session: Session, store: IndexStore, request: SearchRequest) -> Callable[[str, str], bool]:
    """Return shown(label, slug) for resolve_names: themes, types and events are public; a place is
    known to this reader when a seminar was held there or an item they may see is about it."""

    def shown(label: str, slug: str) -> bool:
        if label != "place":
            return True
        if session.scalar(select(Event.id).join(Place, Event.place_id == Place.id).where(Place.slug == slug).limit(1)):
            return True
        probe = replace(request, q="", filters={"places": [slug]}, page=1, per_page=1, highlight=False,
                        facets=False, suggest=False)
        return search(store, probe).total > 0

    return shown


def run_search(session: Session, store: IndexStore, request: SearchRequest) -> SearchOutcome:
    """Search for what `request.principals` may see and load the records in rank order.

    Names typed in fields become the index's slugs, and the vocabulary's synonyms go with the request.
    """
    resolved = resolve_names(session, request.q, _known_to(session, store, request))
    request = replace(request, q=resolved.q, synonyms=request.synonyms or synonym_groups(session))
    result = search(store, request)
    items = {str(item.id): item for item in load_items(session, [hit.id for hit in result.hits],
                                                       request.principals)}
    rows = [ResultRow(items[hit.id], hit) for hit in result.hits if hit.id in items]
    facets = facet_labels(session, result.facets) if result.facets else {}
    return SearchOutcome(request=request, result=result, rows=rows, facets=facets,
                         notes=resolved.notes + list(result.notes))


def related_items(session: Session, store: IndexStore, item: Item, reader: Reader, *, limit: int = 5) -> list[Item]:
    """Return items like `item` that the reader may see, most alike first."""
    ids = more_like_this(store, str(item.id), list(reader.principals), limit=limit, withheld=reader.withheld)
    return load_items(session, ids, list(reader.principals))


def passages_in_item(store: IndexStore, item: Item, q: str, *, limit: int = 10) -> list[tuple[int, str]]:
    """Return (page number, HTML-safe excerpt) where the query's words occur in the item's file.

    The caller checks that the reader may read the item's text.
    """
    current = item.current_file
    if current is None:
        return []
    return passages(store, ((page.number, page.text) for page in current.pages), q, limit=limit)


def passages_in_files(store: IndexStore, readable: list[AdditionalFile], q: str, *,
                      limit: int = 3) -> list[tuple[str, str]]:
    """Return (file label, HTML-safe excerpt) where the query's words occur in these additional files.

    The caller passes only the files the reader may read.
    """
    return [(attached.label_text, excerpt) for attached in readable
            for _number, excerpt in passages(store, [(1, attached.text)], q, limit=limit)]
