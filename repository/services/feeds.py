"""Atom feeds: a search's newest results as everyone may see them, written with feedgen."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.search import BY_PARAM, IndexStore

from ..models import ACCESS_LEVELS, ITEM_TYPES, Event, Item, Place, PublicRecord, Theme
from ..models.base import as_utc, utcnow
from ..models.items import item_places
from ..search_params import SearchParams
from .access import principals_for
from .exposure import public_clause, whole_second
from .oai import xml_text
from .search import reader_for, run_search

# The filters whose values are slugs, and the model that names them.
NAMED_BY = {"theme": Theme, "place": Place, "event": Event}
# The filters whose values are codes, and their names.
CODES = {"type": ITEM_TYPES, "access": ACCESS_LEVELS}


def public_newest(session: Session, store: IndexStore, params: SearchParams, limit: int) -> list[Item]:
    """Return the search's newest results as an anonymous visitor would get them."""
    reader = reader_for(session, store, principals_for(None))
    newest = params.changed(sort="newest", page=1, per_page=limit)
    request = newest.to_request(reader, highlight=False, facets=False, suggest=False)
    return [row.item for row in run_search(session, store, request).rows]


def public_places(session: Session, slugs: list[str]) -> set[str]:
    """Return those of `slugs` that everyone may know of: places of a public item or of a seminar.

    A place named only by items someone may not see stays unknown to them, here as on its page.
    """
    with_items = select(Place.slug).join(item_places, item_places.c.place_id == Place.id) \
        .join(Item, Item.id == item_places.c.item_id).where(public_clause(), Place.slug.in_(slugs))
    with_events = select(Place.slug).join(Event, Event.place_id == Place.id).where(Place.slug.in_(slugs))
    return set(session.scalars(with_items)) | set(session.scalars(with_events))


def describe(session: Session, params: SearchParams) -> str:
    """Return a search in words: 'domestic abuse', theme Families, place Blackpool."""
    parts = [f"‘{params.q}’"] if params.q else []
    for name, values in params.filters.items():
        names = dict(CODES.get(name, {}))
        model = NAMED_BY.get(name)
        if model is not None and values:
            known = public_places(session, values) if model is Place else values
            names = dict(session.execute(select(model.slug, model.name).where(model.slug.in_(known))).all())
        parts.append(f"{BY_PARAM[name].title.lower()} " + " or ".join(names.get(value, value) for value in values))
    if params.year_from is not None or params.year_to is not None:
        parts.append(f"years {params.year_from or '…'} to {params.year_to or '…'}")
    return ", ".join(parts) if parts else "everything"


def _stamps(session: Session, ids: list[int]) -> dict[int, datetime]:
    rows = session.execute(select(PublicRecord.item_id, PublicRecord.datestamp).where(PublicRecord.item_id.in_(ids)))
    return {item_id: whole_second(stamp) for item_id, stamp in rows}


def atom(session: Session, items: list[Item], *, title: str, feed_url: str, page_url: str,
         item_url: Callable[[int], str]) -> bytes:
    """Return an Atom document listing `items` in the order given."""
    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(xml_text(title))
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.language("en")
    stamps = _stamps(session, [item.id for item in items])
    newest = None
    for item in items:
        entry = feed.add_entry(order="append")
        url = item_url(item.id)
        published = as_utc(item.published_at) or as_utc(item.created_at) or utcnow()
        updated = stamps.get(item.id) or whole_second(published)
        newest = max(newest, updated) if newest else updated
        entry.id(url)
        entry.title(xml_text(item.title))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.published(whole_second(published))
        entry.updated(updated)
        for author in item.authors:
            entry.author(name=xml_text(author.name))
        if item.abstract:
            entry.summary(xml_text(item.abstract))
        for theme in item.themes:
            entry.category(term=theme.slug, label=xml_text(theme.name))
    feed.updated(newest or whole_second(utcnow()))
    return feed.atom_str(pretty=True)
