"""Atom feeds of any search, of each theme, place and seminar, and of the newest items.

Feeds are public whoever asks: a feed address is pasted into feed readers, which carry no
session, and may be shared, so a feed shows what an anonymous visitor may see. People who
want to hear of items only they may see save the search for email alerts instead.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, request, url_for

from indexer.search import MAX_PER_PAGE

from ..context import db_session, resources
from ..search_params import SearchParamError, SearchParams, parse_search_args
from ..services import feeds
from ..services.place_curation import place_for_address
from ..services.places import find_event
from ..services.theme_curation import theme_for_address
from .finder import bad_request_page
from .templating import SERVICE_NAME

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml; charset=utf-8"
# The pages whose search a feed, an export or an alert can follow: the filter each page fixes, and its feed.
FINDER_PAGES = {"main.search": (None, "feeds.search"), "browse.theme": ("theme", "feeds.theme"),
                "browse.place": ("place", "feeds.place"), "browse.event": ("event", "feeds.event")}


def _limit() -> int:
    # One page of the engine at most: a larger setting must not turn feeds into errors.
    return max(1, min(int(current_app.config["FEED_ENTRIES"]), MAX_PER_PAGE))


def _params(fixed: tuple[str, str] | None = None) -> SearchParams:
    params = parse_search_args(request.args, default_per_page=_limit(), allow_per_page=False)
    if fixed:
        params.filters[fixed[0]] = [fixed[1]]
    return params


def _respond(params: SearchParams, title: str, page_url: str) -> Response:
    session = db_session()
    items = feeds.public_newest(session, resources().index, params, _limit())
    body = feeds.atom(session, items, title=f"{SERVICE_NAME}: {title}", feed_url=request.url, page_url=page_url,
                      item_url=lambda item_id: url_for("items.show", item_id=item_id, _external=True))
    response = Response(body, content_type=ATOM)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _query_of(params: SearchParams) -> str:
    query = params.changed(sort="relevance").query_string()
    return f"?{query}" if query else ""


@bp.get("/search.atom")
def search():
    """Feed of a search: the same parameters as /search, newest results first."""
    try:
        params = _params()
    except SearchParamError as error:
        return bad_request_page(str(error))
    page_url = url_for("main.search", _external=True) + _query_of(params.changed(sort="newest"))
    return _respond(params, f"search for {feeds.describe(db_session(), params)}", page_url)


@bp.get("/feed")
def newest():
    """Feed of the newest items."""
    return _respond(SearchParams(per_page=_limit()), "newest items", url_for("main.home", _external=True))


@bp.get("/themes/<slug>.atom")
def theme(slug: str):
    """Feed of a theme (with its sub-themes)."""
    found, moved = theme_for_address(db_session(), slug)
    if found is None:
        abort(404)
    if moved:  # renamed or merged: feed readers follow a permanent redirect
        return redirect(url_for("feeds.theme", slug=found.slug), 301)
    return _fixed("theme", slug, f"theme {found.name}", url_for("browse.theme", slug=slug, _external=True))


@bp.get("/places/<slug>.atom")
def place(slug: str):
    """Feed of a place."""
    found, moved = place_for_address(db_session(), slug)
    if found is None or not feeds.public_places(db_session(), [found.slug]):
        abort(404)
    if moved:
        return redirect(url_for("feeds.place", slug=found.slug), 301)
    return _fixed("place", slug, f"place {found.name}", url_for("browse.place", slug=slug, _external=True))


@bp.get("/events/<slug>.atom")
def event(slug: str):
    """Feed of a seminar."""
    found = find_event(db_session(), slug)
    if found is None:
        abort(404)
    return _fixed("event", slug, f"seminar {found.name}", url_for("browse.event", slug=slug, _external=True))


def _fixed(name: str, value: str, title: str, page_url: str):
    try:
        params = _params((name, value))
    except SearchParamError as error:
        return bad_request_page(str(error))
    return _respond(params, title, page_url)


def channel_links() -> dict:
    """Return the feed, export and alert addresses for the search on this page (or nothing)."""
    endpoint = request.endpoint or ""
    if endpoint == "main.home":
        return {"feed_url": url_for("feeds.newest"), "feed_title": f"{SERVICE_NAME}: newest items"}
    if endpoint not in FINDER_PAGES or request.view_args is None:
        return {}
    try:
        params = parse_search_args(request.args, allow_per_page=False)
    except SearchParamError:
        return {}
    fixed, feed_endpoint = FINDER_PAGES[endpoint]
    feed_params = params.changed(sort="relevance")
    if fixed:
        feed_params.filters.pop(fixed, None)
    query = feed_params.query_string()
    feed_url = url_for(feed_endpoint, **request.view_args) + (f"?{query}" if query else "")
    # Exports and alerts take the whole search, the page's own filter included.
    full = params.changed(page=1)
    if fixed:
        full.filters[fixed] = [request.view_args["slug"]]
    links = {"feed_url": feed_url, "feed_title": f"{SERVICE_NAME}: feed of this search",
             "search_query": full.changed(sort="relevance").query_string(), "export_query": full.query_string(),
             "alerts": "alerts.new" in current_app.view_functions,
             "exports": "exports.export" in current_app.view_functions}
    return {"search_channels": links, **{k: v for k, v in links.items() if k.startswith("feed")}}


@bp.app_context_processor
def _channels() -> dict:
    return {"url_endpoints": current_app.view_functions, **(channel_links() if request else {})}
