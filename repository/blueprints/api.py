"""The JSON API: the same search as the page, as data."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request, url_for

from indexer.search import BadRequest

from ..context import db_session, resources
from ..search_params import SearchParamError, parse_search_args
from ..services.search import run_search
from .common import current_reader

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def error_response(message: str, status: int = 400):
    """Return a JSON error body with the HTTP status."""
    response = jsonify({"error": message})
    response.status_code = status
    return response


@bp.get("/search")
def search():
    """Search; answer with total, page, per_page, results, facets, suggestion, searched_for and notes."""
    try:
        params = parse_search_args(request.args, default_per_page=int(current_app.config.get("SEARCH_PER_PAGE", 20)))
        outcome = run_search(db_session(), resources().index, params.to_request(current_reader()))
    except (SearchParamError, BadRequest) as error:
        return error_response(str(error))
    results = [
        {
            "id": row.item.id,
            "title": row.item.title,
            "authors": [author.name for author in row.item.authors],
            "year": row.item.year,
            "type": row.item.type,
            "themes": [theme.slug for theme in row.item.themes],
            "event": row.item.event.slug if row.item.event else None,
            "places": [place.slug for place in row.item.places],
            "url": url_for("items.show", item_id=row.item.id, _external=True),
            # HTML: text escaped, matches wrapped in <mark>.
            "snippet": row.hit.snippets[0] if row.hit.snippets else "",
            "snippets": row.hit.snippets,
        }
        for row in outcome.rows
    ]
    facets = {key: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
              for key, values in outcome.facets.items()}
    return jsonify({
        "query": params.q,
        "total": outcome.total,
        "page": outcome.result.page,
        "per_page": outcome.result.per_page,
        "results": results,
        "facets": facets,
        "suggestion": outcome.result.suggestion,
        "fallback": outcome.result.fallback,
        "searched_for": outcome.searched_for,
        "notes": params.notes + outcome.notes,
    })

