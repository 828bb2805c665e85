"""Home, search and the short help pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from jinja2 import TemplateNotFound
from markupsafe import Markup

from ..context import db_session, resources
from ..services.browse import facet_counts, recently_added, theme_tree
from .common import current_reader
from .finder import finder
from .templating import FOOTER_PAGES

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    """Explain the repository, offer the search box, themes, and the items and case studies added last."""
    session, store, reader = db_session(), resources().index, current_reader()
    themes = theme_tree(session, facet_counts(store, reader, "themes"))
    return render_template(
        "home.html",
        themes=themes,
        newest=recently_added(session, reader, limit=5),
        case_studies=recently_added(session, reader, item_type="case_study", limit=4),
    )


@bp.get("/search")
def search():
    """Search with filters, sort and pages, all in the URL."""
    return finder("search.html", endpoint="main.search")


@bp.get("/about")
def about():
    """Say what the repository is and who it is for."""
    return render_template("about.html")


@bp.get("/help/search")
def search_help():
    """Explain the query language."""
    return render_template("search_help.html")


@bp.get(f"/<any({', '.join(FOOTER_PAGES)}):name>")
def footer_page(name: str):
    """Show a footer page in the operator's words (instance/pages/NAME.html), else the shipped text."""
    try:
        body = render_template(f"instance-pages/{name}.html")
    except TemplateNotFound:
        body = render_template(f"pages/{name}.html")
    return render_template("footer_page.html", title=FOOTER_PAGES[name], body=Markup(body))
