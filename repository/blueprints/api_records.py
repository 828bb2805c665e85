"""The JSON API's records: one item, the themes, places and seminars, and the OpenAPI description.

Each answer is for whoever asks (their session, like the search API): an item they may
not see is a 404 exactly like an id that does not exist, and counts are of what they may see.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, jsonify, url_for

from ..context import db_session, resources
from ..models import ADDITIONAL_FILE_LABELS, Item
from ..services import usage
from ..services.access import can_read_file, can_read_text, can_see_tombstone, can_view, text_is_open
from ..services.browse import events_with_counts, facet_counts, full_counts, places_by_region, theme_tree
from ..services.citations import to_bibtex, to_ris
from ..services.items import find_item
from .common import current_reader, current_user_record
from .items import file_url

bp = Blueprint("api_records", __name__, url_prefix="/api/v1")

OPENAPI = Path(__file__).resolve().parent.parent / "openapi.json"


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def item_record(item: Item, user) -> dict:
    """Return the API's description of an item the person may see."""
    readable = can_read_text(user, item)
    page = url_for("items.show", item_id=item.id, _external=True)
    pdf = file_url(item, _external=True) if readable and item.current_file else None
    files = [{"version": stored.version, "size": stored.size, "pages": stored.page_count,
              "added": _date(stored.created_at), "current": stored is item.current_file,
              "url": file_url(item, stored, _external=True) if readable else None} for stored in item.versions]
    # Only the additional files this person may read: the others leave no trace here.
    other_files = [{"id": attached.id, "label": attached.label,
                    "label_name": ADDITIONAL_FILE_LABELS.get(attached.label, attached.label),
                    "description": attached.description, "format": attached.format, "size": attached.size,
                    "pages": attached.page_count,
                    "url": url_for("items.download_additional", item_id=item.id, file_id=attached.id,
                                   suffix=attached.format, _external=True)}
                   for attached in item.additional_files if can_read_file(user, item, attached)]
    event = None
    if item.event is not None:
        event = {"slug": item.event.slug, "name": item.event.name, "date": _date(item.event.date),
                 "url": url_for("browse.event", slug=item.event.slug, _external=True)}
    return {
        "id": item.id, "title": item.title, "type": item.type, "type_label": item.type_label,
        "abstract": item.abstract, "summary": item.summary, "year": item.year, "date": _date(item.date),
        "language": item.language, "licence": item.licence, "licence_label": item.licence_label,
        "access": item.access,
        "embargo_until": _date(item.embargo_until) if not text_is_open(item) else None,
        "status": item.status, "url": page, "file_url": pdf, "file_available": pdf is not None,
        "authors": [{"name": a.name, "affiliation": a.affiliation, "orcid": a.orcid} for a in item.authors],
        "themes": [{"slug": t.slug, "name": t.name, "url": url_for("browse.theme", slug=t.slug, _external=True)}
                   for t in item.themes],
        "places": [{"slug": p.slug, "name": p.name, "region": p.region,
                    "url": url_for("browse.place", slug=p.slug, _external=True)} for p in item.places],
        "event": event,
        "files": files,
        "other_files": other_files,
        "citation": {"bibtex": to_bibtex(item, url=page), "ris": to_ris(item, url=page, pdf_url=pdf),
                     "bibtex_url": url_for("items.bibtex", item_id=item.id, _external=True),
                     "ris_url": url_for("items.ris", item_id=item.id, _external=True)},
        "usage": usage.figures(db_session(), item.id),
    }


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    """Return one item's metadata, files, themes, places, seminar, citation and usage figures."""
    found = find_item(db_session(), item_id)
    user = current_user_record()
    if found is not None and found.status == "withdrawn":
        if can_see_tombstone(user, found) and not can_view(user, found):
            response = jsonify({"error": "This item has been withdrawn.", "id": found.id, "title": found.title,
                                "reason": found.withdrawal_reason, "withdrawn_at": _date(found.withdrawn_at)})
            response.status_code = 410
            return response
    if found is None or not can_view(user, found):
        abort(404, description="There is no item with this id.")
    return jsonify(item_record(found, user))


def _theme_node(node) -> dict:
    return {"slug": node.slug, "name": node.name, "description": node.description, "count": node.count,
            "url": url_for("browse.theme", slug=node.slug, _external=True),
            "children": [_theme_node(child) for child in node.children]}


@bp.get("/themes")
def themes():
    """Return the theme tree with the number of items the person may see in each."""
    counts = facet_counts(resources().index, current_reader(), "themes")
    return jsonify({"themes": [_theme_node(node) for node in theme_tree(db_session(), counts)]})


@bp.get("/places")
def places():
    """Return the places of items the person may see, with counts, by region."""
    counts = full_counts(db_session(), resources().index, current_reader(), "places")
    rows = [{"slug": place.slug, "name": place.name, "region": region, "count": place.count,
             "url": url_for("browse.place", slug=place.slug, _external=True)}
            for region, places_in in places_by_region(db_session(), counts) for place in places_in]
    return jsonify({"places": rows})


@bp.get("/events")
def events():
    """Return the seminars of the series, newest first, with the number of items the person may see from each."""
    counts = full_counts(db_session(), resources().index, current_reader(), "event")
    rows = [{"slug": event.slug, "name": event.name, "date": _date(event.date), "host": event.host,
             "place": {"slug": event.place.slug, "name": event.place.name} if event.place else None,
             "count": count, "url": url_for("browse.event", slug=event.slug, _external=True)}
            for event, count in events_with_counts(db_session(), counts)]
    return jsonify({"events": rows})


@lru_cache(maxsize=1)
def _description() -> dict:
    return json.loads(OPENAPI.read_text(encoding="utf-8"))


@bp.get("/openapi.json")
def openapi():
    """Return the OpenAPI 3.1 description of this API, with this site's address as its server."""
    document = dict(_description())
    document["servers"] = [{"url": url_for("api.search", _external=True).rsplit("/search", 1)[0]}]
    return jsonify(document)
