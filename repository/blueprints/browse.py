"""Browse pages: themes, places, seminars, authors and years, each a finder with a fixed filter."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select

from ..context import db_session, resources
from ..models import Event
from ..services.access import is_editor
from ..services.browse import events_with_counts, facet_counts, full_counts, places_by_region, theme_tree, visible_total
from ..services.place_curation import place_for_address
from ..services.places import find_event
from ..services.seminars import is_upcoming, programme, split_events, visible_items
from ..services.theme_curation import theme_for_address
from .common import current_reader, current_user_record
from .finder import finder

bp = Blueprint("browse", __name__)


def _counts(facet: str) -> dict[str, int]:
    return facet_counts(resources().index, current_reader(), facet)


def _has_visible(key: str, value: str) -> bool:
    # A place or author known only from items this reader may not see stays unknown to them.
    return visible_total(resources().index, current_reader(), {key: [value]}) > 0


def _query() -> dict[str, list[str]]:
    """Return the request's query string, to carry over a redirect (without a stray `slug`)."""
    return {key: values for key, values in request.args.to_dict(flat=False).items() if key != "slug"}


@bp.get("/themes")
def themes():
    """List the theme tree with the number of items in each theme."""
    return render_template("browse/themes.html", themes=theme_tree(db_session(), _counts("themes")))


@bp.get("/themes/<slug>")
def theme(slug: str):
    """Show a theme: its description, sub-themes and items, with the finder's filters."""
    found, moved = theme_for_address(db_session(), slug)
    if found is None:
        abort(404)
    if moved:  # renamed or merged: the old address leads to the theme it became, filters and all
        return redirect(url_for("browse.theme", slug=found.slug, **_query()), 301)
    counts = _counts("themes")
    children = [(child, counts.get(child.slug, 0)) for child in found.children]
    return finder("browse/theme.html", endpoint="browse.theme", endpoint_args={"slug": slug},
                  fixed=("theme", slug), theme=found, children=children)


@bp.get("/places")
def places():
    """List the places that items are about, grouped by region."""
    counts = full_counts(db_session(), resources().index, current_reader(), "places")
    return render_template("browse/places.html", regions=places_by_region(db_session(), counts))


@bp.get("/places/<slug>")
def place(slug: str):
    """Show the case studies and papers about a place."""
    found, moved = place_for_address(db_session(), slug)
    if found is None:
        abort(404)
    events = list(db_session().scalars(select(Event).where(Event.place_id == found.id).order_by(Event.date)))
    # An old address redirects only where the place's own page would answer: it tells no more than that page.
    if not events and not _has_visible("places", found.slug):
        abort(404)
    if moved:
        return redirect(url_for("browse.place", slug=found.slug, **_query()), 301)
    return finder("browse/place.html", endpoint="browse.place", endpoint_args={"slug": slug},
                  fixed=("place", slug), place=found, events=events)


@bp.get("/events")
def events():
    """List the seminars and events of the series."""
    counts = full_counts(db_session(), resources().index, current_reader(), "event")
    upcoming, past = split_events(events_with_counts(db_session(), counts), date.today(), key=lambda pair: pair[0])
    return render_template("browse/events.html", upcoming=upcoming, past=past,
                           editor=is_editor(current_user_record()))


@bp.get("/events/<slug>")
def event(slug: str):
    """Show a seminar: date, place, host, and the papers and slides from it."""
    found = find_event(db_session(), slug)
    if found is None:
        abort(404)
    viewer = current_user_record()
    # Each session lists only the items this viewer may see: the others leave no trace.
    sessions = [(part, visible_items(part, viewer)) for part in programme(db_session(), found)]
    return finder("browse/event.html", endpoint="browse.event", endpoint_args={"slug": slug},
                  fixed=("event", slug), event=found, sessions=sessions,
                  upcoming=is_upcoming(found, date.today()), editor=is_editor(viewer))


@bp.get("/authors")
def authors():
    """List authors of the items the reader may see, A to Z by surname."""
    counts = full_counts(db_session(), resources().index, current_reader(), "authors")
    ordered = sorted(counts.items(), key=lambda pair: (pair[0].split()[-1].lower(), pair[0].lower()))
    return render_template("browse/authors.html", authors=ordered)


@bp.get("/authors/<name>")
def author(name: str):
    """Show the items by one author."""
    if not name.strip() or len(name) > 200 or not _has_visible("authors", name):
        abort(404)
    return finder("browse/author.html", endpoint="browse.author", endpoint_args={"name": name},
                  fixed=("author", name), author_name=name)


@bp.get("/years")
def years():
    """List the years items come from, newest first."""
    counts = _counts("year")
    return render_template("browse/years.html", years=sorted(counts.items(), reverse=True))


@bp.get("/years/<int:year>")
def year(year: int):
    """Show the items from one year."""
    if not 1000 <= year <= 2999:
        abort(404)
    return finder("browse/year.html", endpoint="browse.year", endpoint_args={"year": year},
                  fixed=("year", str(year)), year=year)
