"""The search query string: parsed into a SearchRequest, and rebuilt for links.

Every filter, the sort and the page live in the URL so any result page can be
bookmarked and shared. Names in the URL are singular and repeatable
(`?theme=families&theme=domestic-abuse`); the index's filter keys are plural.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Mapping
from urllib.parse import urlencode

from indexer.search import SearchRequest

if TYPE_CHECKING:
    from .services.search import Reader

# URL parameter -> SearchRequest filter key.
FILTER_PARAMS: dict[str, str] = {
    "type": "type",
    "theme": "themes",
    "event": "event",
    "place": "places",
    "access": "access",
    "author": "authors",
}
SORTS: dict[str, str] = {
    "relevance": "Relevance",
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title (A to Z)",
}
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_QUERY_LENGTH = 500
MAX_VALUES = 30  # values of one filter; more is not a person clicking
YEAR_RANGE = (1000, 2999)


class SearchParamError(ValueError):
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

    def to_request(self, reader: Reader, **options) -> SearchRequest:
        """Return the engine's SearchRequest for these parameters and this reader."""
        filters = {FILTER_PARAMS[name]: list(values) for name, values in self.filters.items() if values}
        return reader.request(q=self.q, filters=filters, year_from=self.year_from, year_to=self.year_to,
                              sort=self.sort, page=self.page, per_page=self.per_page, **options)

    def pairs(self, *, page: bool = True) -> list[tuple[str, str]]:
        """Return the query-string pairs of these parameters, defaults left out."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        for name in FILTER_PARAMS:
            out.extend((name, value) for value in self.filters.get(name, []))
        if self.year_from is not None:
            out.append(("from", str(self.year_from)))
        if self.year_to is not None:
            out.append(("to", str(self.year_to)))
        if self.sort != "relevance":
            out.append(("sort", self.sort))
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
                    sort=self.sort, page=self.page, per_page=self.per_page)
        if "page" not in values:
            data["page"] = 1
        data.update(values)
        return SearchParams(**data)

    def is_filtered(self) -> bool:
        """Return True when any filter or year bound is set."""
        return bool(self.filters) or self.year_from is not None or self.year_to is not None


def _one(args: Mapping, name: str) -> str | None:
    values = args.getlist(name) if hasattr(args, "getlist") else [args[name]] if name in args else []
    if len(values) > 1:
        raise SearchParamError(f"'{name}' was given {len(values)} times; give it once")
    return values[0] if values else None


def _integer(args: Mapping, name: str, low: int, high: int, label: str) -> int | None:
    raw = _one(args, name)
    if raw is None or raw.strip() == "":
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        raise SearchParamError(f"{label} must be a whole number, not '{raw[:40]}'") from None
    if not low <= value <= high:
        raise SearchParamError(f"{label} must be between {low} and {high}")
    return value


def _values(args: Mapping, name: str) -> list[str]:
    raw: Iterable[str] = args.getlist(name) if hasattr(args, "getlist") else [args.get(name)] if args.get(name) else []
    values = list(dict.fromkeys(v.strip() for v in raw if v and v.strip()))
    if len(values) > MAX_VALUES:
        raise SearchParamError(f"too many values for '{name}' (at most {MAX_VALUES})")
    if any(len(v) > 200 for v in values):
        raise SearchParamError(f"a value of '{name}' is too long")
    return values


def parse_search_args(args: Mapping, *, default_per_page: int = 20, allow_per_page: bool = True) -> SearchParams:
    """Parse and check a query string; raise SearchParamError with a clear message."""
    q = (_one(args, "q") or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise SearchParamError(f"the search text is too long (at most {MAX_QUERY_LENGTH} characters)")
    filters = {name: values for name in FILTER_PARAMS if (values := _values(args, name))}
    year_from = _integer(args, "from", *YEAR_RANGE, "The 'from' year")
    year_to = _integer(args, "to", *YEAR_RANGE, "The 'to' year")
    if year_from is not None and year_to is not None and year_from > year_to:
        raise SearchParamError(f"the 'from' year ({year_from}) is after the 'to' year ({year_to})")
    sort = (_one(args, "sort") or "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise SearchParamError(f"unknown sort '{sort[:40]}'; choose one of {', '.join(SORTS)}")
    page = _integer(args, "page", 1, MAX_PAGE, "The page number") or 1
    per_page = default_per_page
    if allow_per_page:
        per_page = _integer(args, "per_page", 1, MAX_PER_PAGE, "'per_page'") or default_per_page
    return SearchParams(q=q, filters=filters, year_from=year_from, year_to=year_to, sort=sort,
                        page=page, per_page=per_page)
