"""Editors' changes to places: name, region and ONS area code, and merging duplicates.

Deposits create places from free text ("Blackpool", "Blackpool Council"); editors tidy
them here. Every change is in the curation log; a renamed or merged place keeps its old
slug as an alias that redirects, and its published items go to the change log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Event, Item, Place, PlaceAlias, User
from ..models.items import item_places
from ..slugs import slugify
from . import curation
from .access import is_editor
from .changes import record_change
from .deposits import NotAllowed
from .items import move_item_links

# ONS (GSS) area codes: a letter, two digits and six more digits, e.g. E06000009 for Blackpool.
ONS_CODE = re.compile(r"[EWSNK]\d{8}")


class InvalidPlace(ValueError):
    """A place change that cannot be made; the message is fit to show, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class PlaceData:
    """What an editor fills in for a place."""

    name: str
    region: str = ""
    ons_code: str = ""


def _require_editor(actor: User) -> None:
    if not is_editor(actor):
        raise NotAllowed("Only editors can change places")


def place_for_address(session: Session, slug: str) -> tuple[Place | None, bool]:
    """Return (place, moved) for `/places/SLUG`: moved is True when SLUG is an old address of the place."""
    place = session.scalar(select(Place).where(Place.slug == slug))
    if place is not None:
        return place, False
    alias = session.get(PlaceAlias, slug)
    return (alias.place, True) if alias is not None else (None, False)


def all_places(session: Session) -> list[Place]:
    """Return every place, A to Z by name (editors see them all, with or without items)."""
    return list(session.scalars(select(Place).order_by(Place.name, Place.id)))


def item_counts(session: Session) -> dict[int, int]:
    """Return place id -> how many items (any status) name it, for the editors' list."""
    counts: dict[int, int] = {}
    for place_id, in session.execute(select(item_places.c.place_id)):
        counts[place_id] = counts.get(place_id, 0) + 1
    return counts


def _items_of(session: Session, place: Place) -> list:
    """Return (id, status) of every item that names `place`."""
    return session.execute(select(Item.id, Item.status).join(item_places, item_places.c.item_id == Item.id)
                           .where(item_places.c.place_id == place.id)).all()


def _reindex(session: Session, items: list, reason: str) -> list[int]:
    """Send the published ones of these (id, status) rows to the change log; return their ids."""
    ids = sorted(item.id for item in items if item.status == "published")
    record_change(session, ids, reason)
    return ids


def _state(place: Place) -> dict:
    return {"name": place.name, "slug": place.slug, "region": place.region, "ons_code": place.ons_code}


def update_place(session: Session, place: Place, data: PlaceData, editor: User) -> dict[str, list]:
    """Change a place's name, region or ONS code; return what changed (a new name gives a new address)."""
    _require_editor(editor)
    name = data.name.strip()
    if not name:
        raise InvalidPlace("Enter the place's name", field="name")
    if len(name) > 200:
        raise InvalidPlace("The name must be 200 characters or fewer", field="name")
    code = data.ons_code.strip().upper() or None
    if code is not None and not ONS_CODE.fullmatch(code):
        raise InvalidPlace("Enter the ONS area code as a letter and eight digits, like E06000009", field="ons_code")
    slug = place.slug if name == place.name else slugify(name)
    other = session.scalar(select(Place).where(Place.slug == slug))
    if other is not None and other is not place:
        raise InvalidPlace(f"There is already a place called ‘{other.name}’; merge the two instead", field="name")
    before = _state(place)
    if slug != place.slug:
        session.execute(delete(PlaceAlias).where(PlaceAlias.slug == slug))
        session.add(PlaceAlias(slug=place.slug, place_id=place.id))
    place.slug, place.name, place.region, place.ons_code = slug, name, data.region.strip()[:120], code
    session.flush()
    after = _state(place)
    changes = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    if changes:
        curation.record(session, "place", place.id, place.name, editor, "updated", changes=changes)
        if "slug" in changes or "name" in changes:  # index entries carry the slug; pages show the name
            _reindex(session, _items_of(session, place), "place changed")
    return changes


def merge_place(session: Session, source: Place, target: Place, editor: User) -> list[int]:
    """Merge `source` into `target`: its items, seminars and addresses go to `target`; return re-indexed ids."""
    _require_editor(editor)
    if source.id == target.id:
        raise InvalidPlace("Choose another place to merge into", field="into")
    items = _items_of(session, source)
    move_item_links(session, item_places, "place_id", source.id, target.id)
    events = list(session.scalars(select(Event).where(Event.place_id == source.id)))
    for event in events:
        event.place = target
    filled = {}
    if not target.region and source.region:
        filled["region"] = [target.region, source.region]
        target.region = source.region
    if not target.ons_code and source.ons_code:
        filled["ons_code"] = [target.ons_code, source.ons_code]
        target.ons_code = source.ons_code
    for alias in session.scalars(select(PlaceAlias).where(PlaceAlias.place_id == source.id)):
        alias.place_id = target.id
    session.flush()
    old = {"slug": source.slug, "name": source.name, "id": source.id}
    session.delete(source)
    session.flush()
    session.add(PlaceAlias(slug=old["slug"], place_id=target.id))
    session.flush()
    curation.record(session, "place", old["id"], old["name"], editor, "merged", changes={
        "into": [old["slug"], target.slug], "items": [len(items), 0], "seminars": [len(events), 0]})
    curation.record(session, "place", target.id, target.name, editor, "merged_in",
                    changes={"merged": [None, old["slug"]], **filled})
    return _reindex(session, items, "place merged")
