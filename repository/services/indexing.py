"""The bridge from database records to the search index (derived data).

What an item's index document holds, whether a node's index can follow the change log
or must be rebuilt, the rebuild itself, and the comparison `check-index` prints.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from indexer.search import IndexStore, fingerprint

from ..models import Item, ItemFile
from . import changes
from .access import readers_for, readers_for_file, text_is_open

log = logging.getLogger("repository.indexing")

# Bumped when what the index holds changes in a way its fields do not show: an index
# with another format is rebuilt.
CHECKPOINT_FORMAT = 2
NEW_INDEX = "it is new"


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
        # "Recently added" sorts by this; whole seconds, so a record fresh in memory and one read
        # back from the database (which may drop the zone) give the same document.
        "added": item.added_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "readers": readers_for(item),
        # Each additional file is found by those who may read it, and by no one else.
        "files": [{"id": attached.id, "label": attached.label_text, "body": attached.text,
                   "readers": readers_for_file(item, attached)}
                  for attached in sorted(item.additional_files, key=lambda f: f.id)]
        if text_is_open(item, today) else [],
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
            selectinload(Item.depositor),
            selectinload(Item.files).selectinload(ItemFile.pages),
            selectinload(Item.additional_files),
        )
        .order_by(Item.id)
    )
    if ids is not None:
        query = query.where(Item.id.in_(list(ids)))
    return session.scalars(query)


@dataclass
class Documents:
    """The index documents of some items: built ones, items to remove, items that failed."""

    built: dict[int, dict] = field(default_factory=dict)
    removed: list[int] = field(default_factory=list)  # not published (or gone): out of the index
    failed: dict[int, str] = field(default_factory=dict)  # the record could not be turned into a document


def documents_for(session: Session, item_ids: Iterable[int]) -> Documents:
    """Build the current index documents of these items from the database."""
    ids = sorted(set(item_ids))
    out = Documents()
    for item in _published(session, ids):
        try:
            out.built[item.id] = index_document(item)
        except Exception as error:  # one bad record must not stop the rest from reaching search
            log.error("item %s cannot be indexed: %s", item.id, error, exc_info=True)
            out.failed[item.id] = str(error) or type(error).__name__
    out.removed = [i for i in ids if i not in out.built and i not in out.failed]
    return out


def checkpoint_for(session: Session, seq: int) -> dict:
    """Return the checkpoint that says an index reflects this database up to change `seq`."""
    return {"format": CHECKPOINT_FORMAT, "source": changes.log_state(session).source, "seq": seq}


def rebuild_reason(session: Session, store: IndexStore) -> str | None:
    """Return why this index cannot follow the change log (it must be rebuilt), or None."""
    replaced = store.outdated
    if replaced:
        return replaced
    checkpoint = store.checkpoint()
    if checkpoint is None:
        if store.doc_count() == 0:
            return NEW_INDEX
        return "it was written by an older version of this software, before the change log"
    if checkpoint.get("format") != CHECKPOINT_FORMAT:
        return "it was written by an older version of this software"
    state = changes.log_state(session)
    if checkpoint.get("source") != state.source:
        return "it was built from another database"
    seq = checkpoint.get("seq")
    if not isinstance(seq, int) or seq > changes.latest_seq(session):
        return "it is ahead of the database's change log (was the database restored from a backup?)"
    if seq < state.pruned_through:
        return "the change log no longer holds the changes it missed"
    return None


def applied_seq(session: Session, store: IndexStore) -> int | None:
    """Return how far this index has applied the change log, or None if it cannot follow it."""
    if rebuild_reason(session, store) is not None:
        return None
    return store.checkpoint()["seq"]


def reindex_all(session: Session, store: IndexStore, *, procs: int = 1) -> int:
    """Rebuild the whole index from the database; return how many items it holds.

    The log's position is read before the items (each statement sees what committed
    before it, under SQLite and PostgreSQL's default READ COMMITTED): a change that
    commits while the rebuild reads is applied again afterwards, which is harmless
    (entries name items, not edits).
    """
    checkpoint = checkpoint_for(session, changes.latest_seq(session))

    def documents() -> Iterator[dict]:
        for item in _published(session):
            try:
                yield index_document(item)
            except Exception as error:  # logged; check-index names the item
                log.error("item %s cannot be indexed: %s", item.id, error, exc_info=True)

    return store.rebuild(documents(), procs=procs, checkpoint=checkpoint)


@dataclass
class IndexDifferences:
    """What differs between the database and the index."""

    missing: list[str] = field(default_factory=list)  # published, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, not published
    stale: list[str] = field(default_factory=list)  # in both, but the index is out of date
    rebuild_reason: str | None = None  # the index cannot follow the log: every entry needs rebuilding
    pending: int = 0  # change-log entries the index has not applied yet

    @property
    def clean(self) -> bool:
        """Return True when the index matches the database."""
        return not (self.missing or self.extra or self.stale or self.rebuild_reason or self.pending)


def compare_index(session: Session, store: IndexStore) -> IndexDifferences:
    """Compare every published item with its index entry, and the index's place in the log."""
    differences = IndexDifferences(rebuild_reason=rebuild_reason(session, store))
    if differences.rebuild_reason is None:
        differences.pending = changes.count_after(session, store.checkpoint()["seq"])
    indexed = store.fingerprints()
    seen = set()
    for item in _published(session):
        key = str(item.id)
        seen.add(key)
        if key not in indexed:
            differences.missing.append(key)
        elif indexed[key] != fingerprint(index_document(item)):
            differences.stale.append(key)
    differences.extra = sorted(set(indexed) - seen, key=int)
    if differences.rebuild_reason == NEW_INDEX and not differences.missing:
        differences.rebuild_reason = None  # nothing published yet: an empty index is right
    return differences
