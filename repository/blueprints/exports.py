"""Downloads of a result list: /search.csv, /search.ris and /search.bib take the search page's parameters."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request, url_for

from indexer.search import MAX_RESULTS_DEPTH, BadRequest

from ..context import db_session, resources
from ..search_params import SearchParamError, parse_search_args
from ..services.exports import FORMATS, result_items
from ..services.exports import export as export_items
from .common import current_reader, current_user_record
from .finder import bad_request_page
from .items import file_url

bp = Blueprint("exports", __name__)


@bp.get("/search.<any(csv, ris, bib):format>")
def export(format: str):
    """Download the current search's results (in its order, up to EXPORT_MAX) as CSV, RIS or BibTeX."""
    try:
        params = parse_search_args(request.args, allow_per_page=False)
    except SearchParamError as error:
        return bad_request_page(str(error))
    limit = max(1, min(int(current_app.config["EXPORT_MAX"]), MAX_RESULTS_DEPTH))
    user = current_user_record()
    try:
        items, total = result_items(db_session(), resources().index, current_reader(), user, params, limit)
    except BadRequest as error:
        return bad_request_page(str(error))
    body = export_items(items, format, user,
                        item_url=lambda item_id: url_for("items.show", item_id=item_id, _external=True),
                        file_url=lambda item: file_url(item, _external=True))
    content_type, extension = FORMATS[format]
    response = Response(body, content_type=content_type, headers={
        "Content-Disposition": f'attachment; filename="search-results.{extension}"',
        # Says when the list was cut at the cap, for scripts that check.
        "X-Total-Results": str(total), "X-Exported-Results": str(len(items))})
    # The list is this person's view: no shared cache may keep it.
    response.headers["Cache-Control"] = "private, no-store" if user is not None else "public, max-age=60"
    return response
