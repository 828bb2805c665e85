"""Item pages, file downloads and citations."""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, render_template, request, send_file, url_for

from indexer.extraction import FORMATS

from ..context import db_session, resources
from ..models import CASE_STUDY_SECTIONS
from ..services.access import (
    additional_file_access,
    can_read_file,
    can_read_text,
    can_see_tombstone,
    can_view,
    is_depositor,
    is_editor,
    text_is_open,
)
from ..services.citations import download_name, highwire_tags, to_bibtex, to_ris
from ..services.items import find_item, pages_read, scanned_pages
from ..services.search import passages_in_files, passages_in_item, related_items
from ..services.seminars import sessions_presenting
from .common import current_reader, current_user_record
from .finder import RESULTS_ARG, results_address
from .reports import count_use

bp = Blueprint("items", __name__, url_prefix="/items")

def _visible_item(item_id: int):
    """Return the item if this reader may see it; 404 otherwise (no existence leak)."""
    item = find_item(db_session(), item_id)
    if item is None or not can_view(current_user_record(), item):
        abort(404)
    return item


@bp.get("/<int:item_id>")
def show(item_id: int):
    """Show an item: description, file, case-study sections, related items, citation."""
    item = find_item(db_session(), item_id)
    user = current_user_record()
    if item is not None and item.status == "withdrawn":
        # The tombstone only for those who could see the item before it was withdrawn.
        if can_see_tombstone(user, item):
            return render_template("items/withdrawn.html", item=item, editor=is_editor(user)), 410
        abort(404)
    item = _visible_item(item_id)
    figures = count_use(item, "view") if item.status == "published" else None
    readable = can_read_text(user, item)
    current = item.current_file
    # Only a PDF is a citation_pdf_url: reference managers and Google Scholar expect one there.
    pdf_url = file_url(item, current, _external=True) if readable and current and current.format == "pdf" else None
    page_url = url_for("items.show", item_id=item.id, _external=True)
    related = related_items(db_session(), resources().index, item, current_reader()) \
        if item.status == "published" else []
    # Arriving from a search, show where its words occur, page by page (only if the text is readable).
    q = request.args.get("q", "", type=str)[:500].strip()
    back = results_address(request.args.get(RESULTS_ARG, type=str)) or \
        (url_for("main.search", q=q) if q else None)
    passages = passages_in_item(resources().index, item, q) if q and readable else []
    other_files = [(attached, can_read_file(user, item, attached), additional_file_access(item, attached))
                   for attached in item.additional_files]
    file_passages = passages_in_files(resources().index, [attached for attached, can, _ in other_files if can], q) \
        if q else []
    sections = []
    if item.case_study is not None:
        sections = [(heading, getattr(item.case_study, name))
                    for name, heading in CASE_STUDY_SECTIONS.items() if getattr(item.case_study, name).strip()]
    return render_template(
        "items/show.html", item=item, readable=readable, embargoed=not text_is_open(item),
        related=related, sections=sections,
        citation_tags=highwire_tags(item, pdf_url=pdf_url, page_url=page_url), q=q, back=back, passages=passages,
        editor=is_editor(user), depositor=is_depositor(user, item), usage=figures, formats=FORMATS,
        scanned_pages=scanned_pages(db_session(), current) if current and readable else [],
        # A very long file is read only up to Limits.max_pages: the page says how far search reaches.
        pages_read=pages_read(db_session(), current) if current else 0,
        presented=sessions_presenting(db_session(), item),
        other_files=other_files, file_passages=file_passages,
    )


@bp.app_template_global()
def file_url(item, stored=None, **options) -> str:
    """Return the download address of `stored` (default: the item's current file), ending in its format."""
    stored = stored or item.current_file
    if stored is None or stored is item.current_file:
        return url_for("items.download", item_id=item.id, suffix=stored.format if stored else "pdf", **options)
    return url_for("items.download_version", item_id=item.id, version=stored.version, suffix=stored.format,
                   **options)


def _send_stored(item, stored, name_suffix: str):
    """Send one stored version of an item's file, if the reader may have its text."""
    if stored is None or not can_read_text(current_user_record(), item):
        abort(404)
    path = resources().files.path_for(stored.sha256, stored.format)
    if not path.is_file():
        abort(404)
    if item.status == "published":
        count_use(item, "download")
    known = FORMATS.get(stored.format)
    return send_file(path, mimetype=known.content_type if known else "application/octet-stream",
                     as_attachment=True, download_name=download_name(item, name_suffix), max_age=0)


@bp.get("/<int:item_id>/file.<suffix>")
def download(item_id: int, suffix: str):
    """Send the item's newest file, named after its title, with its format's content type."""
    item = _visible_item(item_id)
    stored = item.current_file
    if stored is not None and suffix != stored.format and can_read_text(current_user_record(), item):
        return redirect(file_url(item, stored))  # an old link, from before a new version in another format
    return _send_stored(item, stored, stored.format if stored else "pdf")


@bp.get("/<int:item_id>/versions/<int:version>.<suffix>")
def download_version(item_id: int, version: int, suffix: str):
    """Send an earlier version of the item's file."""
    item = _visible_item(item_id)
    stored = next((f for f in item.versions if f.version == version), None)
    if stored is not None and suffix != stored.format and can_read_text(current_user_record(), item):
        return redirect(file_url(item, stored))
    return _send_stored(item, stored, f"v{version}.{stored.format if stored else 'pdf'}")


@bp.get("/<int:item_id>/files/<int:file_id>.<suffix>")
def download_additional(item_id: int, file_id: int, suffix: str):
    """Send one of the item's additional files, if the reader may read it."""
    item = _visible_item(item_id)
    attached = next((f for f in item.additional_files if f.id == file_id), None)
    if attached is None or not can_read_file(current_user_record(), item, attached):
        abort(404)
    if suffix != attached.format:
        return redirect(url_for("items.download_additional", item_id=item.id, file_id=file_id,
                                suffix=attached.format))
    path = resources().files.path_for(attached.sha256, attached.format)
    if not path.is_file():
        abort(404)
    known = FORMATS.get(attached.format)
    return send_file(path, mimetype=known.content_type if known else "application/octet-stream",
                     as_attachment=True, download_name=download_name(item, f"{attached.label}.{attached.format}"),
                     max_age=0)


@bp.get("/<int:item_id>/citation.bib")
def bibtex(item_id: int):
    """Return the item's citation as BibTeX."""
    item = _visible_item(item_id)
    text = to_bibtex(item, url=url_for("items.show", item_id=item.id, _external=True))
    return Response(text, mimetype="application/x-bibtex", headers={
        "Content-Disposition": f'attachment; filename="{download_name(item, "bib")}"'})


@bp.get("/<int:item_id>/citation.ris")
def ris(item_id: int):
    """Return the item's citation as RIS."""
    item = _visible_item(item_id)
    readable = can_read_text(current_user_record(), item)
    text = to_ris(item, url=url_for("items.show", item_id=item.id, _external=True),
                  pdf_url=file_url(item, _external=True) if readable and item.current_file else None)
    return Response(text, mimetype="application/x-research-info-systems", headers={
        "Content-Disposition": f'attachment; filename="{download_name(item, "ris")}"'})
