"""Places and events: look-ups and creation on first mention."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Event, Place, PlaceAlias
from ..slugs import slugify


def find_place(session: Session, name_or_slug: str) -> Place | None:
    """Return the place with this slug or (case-insensitive) name, or None.

    A name that editors merged into another place, or renamed, finds the place it became.
    """
    slug = slugify(name_or_slug)
    place = session.scalar(select(Place).where(Place.slug == slug))
    if place is None:
        alias = session.get(PlaceAlias, slug)
        place = alias.place if alias is not None else None
    return place


def ensure_place(session: Session, name: str, *, region: str = "", kind: str = "council",
                 ons_code: str | None = None) -> Place:
    """Return the place called `name`, creating it if it is new; fill in a missing region or code."""
    place = find_place(session, name)
    if place is None:
        place = Place(slug=slugify(name), name=name.strip(), region=region, kind=kind, ons_code=ons_code)
        session.add(place)
        session.flush()
        return place
    if region and not place.region:
        place.region = region
    if ons_code and not place.ons_code:
        place.ons_code = ons_code
    return place


def find_event(session: Session, slug: str) -> Event | None:
    """Return the event with `slug`, or None."""
    return session.scalar(select(Event).where(Event.slug == slug))
