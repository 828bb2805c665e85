"""The bridge from database records to the search index (derived data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indexer.store import IndexStore, fingerprint

from ..models import Item, ItemFile
from .access import readers_for, text_is_open


def index_document(item: Item, today: date | None = None) -> dict:
    """Build the index document of a published item from its record."""
    current = item.current_file
    body = ""
    if current is not None and text_is_open(item, today):
        body = "\n\n".join(page.text for page in current.pages)
    # Sorted, so the document (and its fingerprint) is the same whether the item was
    # just built in memory or loaded from the database in its relationships' order.
    themes = sorted({ancestor.slug for theme in item.themes for ancestor in theme.lineage()})
    return {
        "id": str(item.id),
        "type": item.type,
        "title": item.title,
        "abstract": item.abstract,
        "summary": item.summary,
        "body": body,
        "authors": [author.name for author in item.authors],
        "themes": themes,
        "event": item.event.slug if item.event else None,
        "places": sorted(place.slug for place in item.places),
        "year": item.year,
        "date": (item.date or (date(item.year, 1, 1) if item.year else None)).isoformat()
        if (item.date or item.year)
        else None,
        "access": item.access,
        "readers": readers_for(item),
    }


def _published(session: Session, ids: Iterable[int] | None = None):
    query = (
        select(Item)
        .where(Item.status == "published")
        .options(
            selectinload(Item.authors),
            selectinload(Item.themes),
            selectinload(Item.places),
            selectinload(Item.event),
            selectinload(Item.files).selectinload(ItemFile.pages),
        )
        .order_by(Item.id)
    )
    if ids is not None:
        query = query.where(Item.id.in_(list(ids)))
    return session.scalars(query)


def index_items(session: Session, store: IndexStore, item_ids: Iterable[int]) -> int:
    """Bring the index entries of these items in line with the database."""
    ids = list(item_ids)
    docs = [index_document(item) for item in _published(session, ids)]
    published = {int(doc["id"]) for doc in docs}
    gone = [str(i) for i in ids if i not in published]
    if gone:
        store.delete(gone)
    return store.add_or_replace(docs) if docs else 0


def reindex_all(session: Session, store: IndexStore, *, procs: int = 1) -> int:
    """Rebuild the whole index from the database; return how many items it holds."""
    return store.rebuild((index_document(item) for item in _published(session)), procs=procs)


@dataclass
class IndexDifferences:
    """What differs between the database and the index."""

    missing: list[str] = field(default_factory=list)  # published, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not published
    stale: list[str] = field(default_factory=list)  # in both, but the index is out of date
    outdated_schema: bool = False  # written by an older version: every entry needs rebuilding

    @property
    def clean(self) -> bool:
        """Return True when the index matches the database."""
        return not (self.missing or self.extra or self.stale or self.outdated_schema)


def compare_index(session: Session, store: IndexStore) -> IndexDifferences:
    """Compare every published item with its index entry."""
    indexed = store.fingerprints()
    differences = IndexDifferences(outdated_schema=store.outdated)
    seen = set()
    for item in _published(session):
        key = str(item.id)
        seen.add(key)
        if key not in indexed:
            differences.missing.append(key)
        elif indexed[key] != fingerprint(index_document(item)):
            differences.stale.append(key)
    differences.extra = sorted(set(indexed) - seen, key=int)
    return differences
