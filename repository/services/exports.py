"""Exports of a result list: CSV, RIS and BibTeX of the current search, as its reader may see it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session

from indexer.search import MAX_PER_PAGE, IndexStore

from ..models import Item
from ..search_params import SearchParams
from .access import can_read_text, can_view
from .citations import to_bibtex, to_ris
from .search import Reader, run_search

FORMATS = {"csv": ("text/csv; charset=utf-8", "csv"), "ris": ("application/x-research-info-systems", "ris"),
           "bib": ("application/x-bibtex; charset=utf-8", "bib")}
CSV_COLUMNS = ("id", "title", "authors", "year", "date", "type", "themes", "places", "seminar", "access", "url")


def safe_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab) gets a quote mark."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """Return rows as CSV (with a byte-order mark, so spreadsheets read UTF-8 right)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([safe_cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def result_items(session: Session, store: IndexStore, reader: Reader, user, params: SearchParams,
                 limit: int) -> tuple[list[Item], int]:
    """Return up to `limit` results of the search in its own order, and the search's total."""
    items: list[Item] = []
    total = 0
    for page in range(1, -(-limit // MAX_PER_PAGE) + 1):
        request = params.changed(page=page, per_page=MAX_PER_PAGE).to_request(
            reader, highlight=False, facets=False, suggest=False)
        outcome = run_search(session, store, request)
        total = outcome.total
        items += [row.item for row in outcome.rows if can_view(user, row.item)]
        if page * MAX_PER_PAGE >= total or not outcome.result.hits:
            break
    return items[:limit], total


def export(items: list[Item], fmt: str, user, *, item_url: Callable[[int], str],
           file_url: Callable[[Item], str]) -> str:
    """Return the items as one CSV, RIS or BibTeX document."""
    if fmt == "ris":
        return "".join(to_ris(item, url=item_url(item.id),
                              pdf_url=file_url(item) if item.current_file and can_read_text(user, item) else None)
                       for item in items)
    if fmt == "bib":
        return "\n".join(to_bibtex(item, url=item_url(item.id)) for item in items)
    rows = [(item.id, item.title, "; ".join(a.name for a in item.authors), item.year or "",
             item.date.isoformat() if item.date else "", item.type_label, "; ".join(t.name for t in item.themes),
             "; ".join(p.name for p in item.places), item.event.name if item.event else "", item.access,
             item_url(item.id)) for item in items]
    return csv_text(CSV_COLUMNS, rows)
