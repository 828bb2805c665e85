"""The GOV.UK "finder": one search view shared by the search page and browse pages."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from flask import current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from indexer.search import BY_PARAM, FACETS, SORTS, BadRequest

from ..context import db_session, resources
from ..search_params import SearchParamError, SearchParams, parse_search_args
from ..services.browse import facet_counts, theme_tree
from ..services.search import SearchOutcome, facet_labels, run_search
from .common import current_reader


def bad_request_page(message: str):
    """Return the 400 page that says which parameter was wrong, with a way back to the words searched for."""
    typed = request.args.get("q", "").strip()[:500]
    return render_template("errors/400.html", message=message, search_text=typed), 400


def parse_page_args() -> SearchParams:
    """Parse the page's query string (per_page is fixed on pages, free in the API)."""
    per_page = int(current_app.config.get("SEARCH_PER_PAGE", 20))
    return parse_search_args(request.args, default_per_page=per_page, allow_per_page=False)


# The search a result link carries to the item page, so "Back to the results" returns to it.
RESULTS_ARG = "results"
MAX_RESULTS_ARG = 2000


def results_state(params: SearchParams) -> str:
    """Return the search page's state (query, filters, sort, page) as the value of RESULTS_ARG."""
    return urlencode(params.pairs())


def results_address(state: str | None) -> str | None:
    """Return the search page's address for a carried state, or None when it is not a valid search.

    The state is only ever a query string, parsed and checked like the search page's own and
    put back after the search page's fixed path: no value can send anyone to another address.
    """
    if not state or len(state) > MAX_RESULTS_ARG:
        return None
    try:
        params = parse_search_args(MultiDict(parse_qsl(state, keep_blank_values=False)), allow_per_page=False)
    except SearchParamError:
        return None
    query = urlencode(params.pairs())
    return url_for("main.search") + (f"?{query}" if query else "")


def pagination(params: SearchParams, outcome: SearchOutcome, page_url: str) -> dict | None:
    """Return govukPagination parameters, or None when there is one page."""
    pages, current = outcome.pages, params.page
    if pages <= 1:
        return None

    def href(number: int) -> str:
        query = params.query_string(page=number)
        return f"{page_url}?{query}" if query else page_url

    items, last = [], 0
    for number in range(1, pages + 1):
        if number in (1, pages) or abs(number - current) <= 2:
            if number - last > 1:
                items.append({"ellipsis": True})
            items.append({"number": number, "href": href(number), "current": number == current})
            last = number
    out: dict = {"items": items}
    if current > 1:
        out["previous"] = {"href": href(min(current - 1, pages))}
    if current < pages:
        out["next"] = {"href": href(current + 1)}
    return out


def finder(template: str, *, endpoint: str, endpoint_args: dict | None = None,
           fixed: tuple[str, str] | None = None, **context):
    """Render `template` around a search; `fixed` = (URL filter name, value) the page implies."""
    try:
        params = parse_page_args()
    except SearchParamError as error:
        return bad_request_page(str(error))
    if fixed and fixed[0] == "year":
        params.year_from = params.year_to = None
    elif fixed:
        params.filters.pop(fixed[0], None)
    search_request = params.to_request(current_reader())
    if fixed and fixed[0] == "year":
        search_request.year_from = search_request.year_to = int(fixed[1])
    elif fixed:
        search_request.filters[BY_PARAM[fixed[0]].key] = [fixed[1]]
    session = db_session()
    try:
        outcome = run_search(session, resources().index, search_request)
    except BadRequest as error:
        return bad_request_page(str(error))
    page_url = url_for(endpoint, **(endpoint_args or {}))
    # Chosen filter values in words, also those with no result now (the facet counts lack them).
    chosen = facet_labels(session, {BY_PARAM[name].key: [(value, 0) for value in values]
                                    for name, values in params.filters.items()})
    chosen_labels = {key: {entry.value: entry.label for entry in entries} for key, entries in chosen.items()}
    broad_themes = []
    if outcome.total == 0:
        counts = facet_counts(resources().index, current_reader(), "themes")
        broad_themes = [theme for theme in theme_tree(session, counts) if theme.count]
    return render_template(
        template, params=params, outcome=outcome, page_url=page_url,
        fixed_param=fixed[0] if fixed else None, sorts=SORTS, facets=FACETS, facet_by_param=BY_PARAM,
        pagination=pagination(params, outcome, page_url), chosen_labels=chosen_labels,
        # Only the search page itself is carried to item pages (browse pages have their own address).
        carried={RESULTS_ARG: results_state(params)} if endpoint == "main.search" else {},
        broad_themes=broad_themes, **context,
    )
