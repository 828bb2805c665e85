"""Jinja set-up: GOV.UK Frontend macros, filters and the values every template sees."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

from flask import Flask, request
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from markupsafe import Markup, escape

from indexer.extraction import FORMATS, SUFFIXES

SERVICE_NAME = "Information Sharing Exchange"
NAVIGATION = (
    ("main.search", "Search"),
    ("browse.themes", "Themes"),
    ("browse.places", "Places"),
    ("browse.events", "Seminars"),
    ("browse.authors", "Authors"),
    ("browse.years", "Years"),
)
# The pages every footer links to (main.footer_page): address -> title. Each has a shipped
# text in templates/pages/NAME.html, which instance/pages/NAME.html replaces when present.
FOOTER_PAGES = {
    "accessibility": "Accessibility statement",
    "privacy": "Privacy notice",
    "contact": "Contact",
}


def format_date(value: date | datetime | None) -> str:
    """Return a date the GOV.UK way: 12 March 2015."""
    if value is None:
        return ""
    return f"{value.day} {value.strftime('%B %Y')}"


def format_count(count: int, singular: str, plural: str | None = None) -> str:
    """Return '1 result' / '12 results'."""
    return f"{count:,} {singular if count == 1 else (plural or singular + 's')}"


def paragraphs(text: str | None) -> Markup:
    """Return plain text as escaped HTML paragraphs, one per blank-line-separated block."""
    blocks = [block.strip() for block in (text or "").split("\n\n") if block.strip()]
    return Markup("".join(f'<p class="govuk-body">{escape(block)}</p>' for block in blocks))


def configure_templates(app: Flask) -> None:
    """Let templates import govuk_frontend_jinja macros and use the site's filters."""
    app.jinja_env.loader = ChoiceLoader([
        app.create_global_jinja_loader(),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                      # The operator's own text of the footer pages (see main.footer_page).
                      "instance-pages": FileSystemLoader(str(Path(app.instance_path) / "pages"))}),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["format_date"] = format_date
    app.jinja_env.filters["format_count"] = format_count
    app.jinja_env.filters["paragraphs"] = paragraphs
    app.jinja_env.filters["urlquote"] = lambda value: quote(str(value), safe="")
    # What a file chooser offers: the formats extraction reads, by name and by content type.
    app.jinja_env.globals["accepted_files"] = ",".join([*SUFFIXES, *(f.content_type for f in FORMATS.values())])

    @app.context_processor
    def _site() -> dict:
        return {"service_name": SERVICE_NAME, "site_navigation": NAVIGATION, "footer_pages": FOOTER_PAGES,
                "current_endpoint": request.endpoint or "",
                "accounts_enabled": "accounts" in app.blueprints}
