"""The search query string: parsed into a SearchRequest, and rebuilt for links.

Every filter, the sort and the page live in the URL so any result page can be
bookmarked and shared. Names in the URL are singular and repeatable
(`?theme=families&theme=domestic-abuse`); the index's filter keys are plural.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping
from urllib.parse import urlencode

from indexer.search import BY_PARAM, BadRequest, SearchRequest, check_request

if TYPE_CHECKING:
    from .services.search import Reader

MAX_QUERY_LENGTH = 500
MAX_VALUES = 30  # values of one filter; more is not a person clicking
MAX_NUMBER_DIGITS = 9  # a page or a year longer than this is not a number a person typed


class SearchParamError(BadRequest):
    """A search parameter a person (or a script) got wrong; the message says which and why."""


@dataclass
class SearchParams:
    """The parsed query string, as plain values that rebuild the same URL."""

    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)  # URL names, e.g. "theme"
    year_from: int | None = None
    year_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    exact: bool = False  # search q exactly as typed, never a spelling correction of it
    # What was read differently from how it was typed (years turned round), in plain words.
    notes: list[str] = field(default_factory=list, compare=False)

    def to_request(self, reader: Reader, **options) -> SearchRequest:
        """Return the engine's SearchRequest for these parameters and this reader."""
        filters = {BY_PARAM[name].key: list(values) for name, values in self.filters.items() if values}
        return reader.request(q=self.q, filters=filters, year_from=self.year_from, year_to=self.year_to,
                              sort=self.sort, page=self.page, per_page=self.per_page, correct=not self.exact,
                              **options)

    def pairs(self, *, page: bool = True) -> list[tuple[str, str]]:
        """Return the query-string pairs of these parameters, defaults left out."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in BY_PARAM:
            out.extend((name, value) for value in self.filters.get(name, []))
        if self.year_from is not None:
            out.append(("from", str(self.year_from)))
        if self.year_to is not None:
            out.append(("to", str(self.year_to)))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
        if self.exact and self.q:
            out.append(("exact", "1"))
        if page and self.page != 1:
            out.append(("page", str(self.page)))
        return out

    def query_string(self, **changes) -> str:
        """Return the URL query string with `changes` applied (see `changed`)."""
        return urlencode(self.changed(**changes).pairs())

    def changed(self, *, add: tuple[str, str] | None = None, remove: tuple[str, str] | None = None,
                **values) -> SearchParams:
        """Return a copy with a filter value added/removed or plain fields replaced.

        Any change but the page goes back to page 1, as the results change under it.
        """
        filters = {name: list(vals) for name, vals in self.filters.items()}
        if add:
            name, value = add
            if value not in filters.setdefault(name, []):
                filters[name].append(value)
        if remove:
            name, value = remove
            filters[name] = [v for v in filters.get(name, []) if v != value]
            if not filters[name]:
                del filters[name]
        data = dict(q=self.q, filters=filters, year_from=self.year_from, year_to=self.year_to,
                    sort=self.sort, page=self.page, per_page=self.per_page, exact=self.exact)
        if "page" not in values:
            data["page"] = 1
        if "q" in values and "exact" not in values:
            data["exact"] = False  # another query is corrected again
        data.update(values)
        return SearchParams(**data)

    def is_filtered(self) -> bool:
        """Return True when any filter or year bound is set."""
        return bool(self.filters) or self.year_from is not None or self.year_to is not None


def _one(args: Mapping, name: str) -> str | None:
    values = args.getlist(name) if hasattr(args, "getlist") else [args[name]] if name in args else []
    if len(values) > 1:
        raise SearchParamError(f"The '{name}' setting was given {len(values)} times: give it once")
    return values[0] if values else None


def _integer(args: Mapping, name: str, label: str) -> int | None:
    raw = _one(args, name)
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS or not text.lstrip("-").isdigit():
        raise SearchParamError(f"{label} must be a whole number, not '{raw[:40]}'")
    return int(text)


def _values(args: Mapping, name: str) -> list[str]:
    raw: Iterable[str] = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)] if args.get(name) else []
    values = list(dict.fromkeys(v.strip() for v in raw if v and v.strip()))
    if len(values) > MAX_VALUES:
        raise SearchParamError(f"Too many values for '{name}' (at most {MAX_VALUES})")
    if any(len(v) > 200 for v in values):
        raise SearchParamError(f"A value of '{name}' is too long (at most 200 characters)")
    return values


def parse_search_args(args: Mapping, *, default_per_page: int = 20, allow_per_page: bool = True) -> SearchParams:
    """Parse and check a query string; raise SearchParamError with a clear message.

    This reads the text of the URL; the values are then checked by the search engine's
    own check_request, the one place that knows what a search accepts.
    """
    q = (_one(args, "q") or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchParamError(f"The search text is too long (at most {MAX_QUERY_LENGTH} characters)")
    filters = {name: values for name in BY_PARAM if (values := _values(args, name))}
    year_from = _integer(args, "from", "The 'from' year")
    year_to = _integer(args, "to", "The 'to' year")
    notes = []
    if year_from is not None and year_to is not None and year_from > year_to:
        year_from, year_to = year_to, year_from
        notes.append(f"The years were the wrong way round ({year_to} to {year_from}), "
                     f"so items from {year_from} to {year_to} are shown.")
    sort = (_one(args, "sort") or "relevance").strip() or "relevance"
    page = _integer(args, "page", "The page number")
    page = 1 if page is None else page
    per_page = default_per_page
    if allow_per_page:
        chosen = _integer(args, "per_page", "'per_page'")
        per_page = default_per_page if chosen is None else chosen
    exact = (_one(args, "exact") or "").strip().lower() in {"1", "true", "yes", "on"}
    params = SearchParams(q=q, filters=filters, year_from=year_from, year_to=year_to, sort=sort,
                          page=page, per_page=per_page, exact=exact, notes=notes)
    try:
        check_request(q=q, filters={BY_PARAM[name].key: v for name, v in filters.items()}, year_from=year_from,
                      year_to=year_to, sort=sort, page=page, per_page=per_page)
    except BadRequest as error:
        raise SearchParamError(str(error)) from None
    return params
