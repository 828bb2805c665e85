"""Usage figures: counting views and downloads as they happen, and the editors' report by month, theme and place."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, render_template, request

from ..context import db_session
from ..models import Item
from ..services import usage
from ..services.exports import csv_text
from .finder import bad_request_page
from .moderation import editors_only

bp = Blueprint("reports", __name__, url_prefix="/reports")

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def count_use(item: Item, kind: str) -> dict[str, int]:
    """Count this request as a view or download of `item` (robots and double clicks aside); return its figures."""
    session = db_session()
    # Prefetches and HEAD requests are not a person reading.
    prefetch = "prefetch" in (request.headers.get("Sec-Purpose", "") + request.headers.get("Purpose", "")).lower()
    if request.method == "GET" and not prefetch:
        usage.record_use(session, item.id, kind, address=request.remote_addr or "",
                         user_agent=request.headers.get("User-Agent"))
        session.commit()
    return usage.figures(session, item.id)


def _period() -> tuple[str, str]:
    """Return the report's first and last month from ?from=YYYY-MM&to=YYYY-MM (default: the last twelve months)."""
    today = date.today()
    default_first = f"{today.year - 1:04d}-{today.month:02d}" if today.month != 12 else f"{today.year:04d}-01"
    first = request.args.get("from", "", type=str).strip() or default_first
    last = request.args.get("to", "", type=str).strip() or f"{today.year:04d}-{today.month:02d}"
    for value, name in ((first, "from"), (last, "to")):
        if not _MONTH.match(value):
            raise ValueError(f"'{name}' must be a month written like 2026-03")
    if first > last:
        raise ValueError("the 'from' month is after the 'to' month")
    return first, last


@bp.get("/usage")
@editors_only
def usage_report():
    """Show views and downloads by month, theme and place (editors)."""
    try:
        first, last = _period()
    except ValueError as error:
        return bad_request_page(str(error))
    tables = usage.report(db_session(), first, last)
    return render_template("reports/usage.html", tables=tables, first=first, last=last)


@bp.get("/usage.csv")
@editors_only
def usage_csv():
    """Download the usage report as CSV: one row per month, theme and place."""
    try:
        first, last = _period()
    except ValueError as error:
        return bad_request_page(str(error))
    rows = usage.report_table(db_session(), first, last)
    body = csv_text(("month", "theme", "place", "views", "downloads"), rows)
    return Response(body, content_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="usage-{first}-to-{last}.csv"'})
