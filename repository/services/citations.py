"""Citations of an item: Highwire meta tags, BibTeX and RIS."""

from __future__ import annotations

import re
import unicodedata

from ..models import Item
from ..slugs import slugify

RIS_TYPES = {"paper": "CPAPER", "case_study": "RPRT", "report": "RPRT", "slides": "SLIDE",
             "guidance": "GOVDOC", "agreement": "GEN"}
BIBTEX_TYPES = {"paper": "inproceedings", "report": "techreport", "case_study": "techreport"}
PUBLISHER = "Information Sharing Exchange"


def _date(item: Item) -> str | None:
    if item.date:
        return item.date.strftime("%Y/%m/%d")
    return str(item.year) if item.year else None


def highwire_tags(item: Item, *, pdf_url: str | None, page_url: str) -> list[tuple[str, str]]:
    """Return (name, content) pairs of citation_* meta tags for Google Scholar and Zotero."""
    tags = [("citation_title", item.title)]
    tags += [("citation_author", author.name) for author in item.authors]
    if _date(item):
        tags.append(("citation_publication_date", _date(item)))
    if item.event:
        tags.append(("citation_conference_title", item.event.name))
    if item.type in ("report", "case_study"):
        tags.append(("citation_technical_report_institution", PUBLISHER))
    if item.abstract:
        tags.append(("citation_abstract", item.abstract))
    tags.append(("citation_language", item.language or "en"))
    tags.append(("citation_abstract_html_url", page_url))
    if pdf_url:
        tags.append(("citation_pdf_url", pdf_url))
    tags += [("citation_keywords", theme.name) for theme in item.themes]
    return tags


def citation_key(item: Item) -> str:
    """Return a BibTeX key: first author's surname, year, first title word."""
    surname = item.authors[0].name.split()[-1] if item.authors else "anon"
    word = next((w for w in re.findall(r"[A-Za-z]+", item.title) if len(w) > 3), "item")
    raw = f"{surname}{item.year or ''}{word}".lower()
    plain = unicodedata.normalize("NFKD", raw).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain) or f"item{item.id}"


_BIBTEX_SPECIAL = str.maketrans({
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
})


def bibtex_escape(text: str) -> str:
    """Escape BibTeX's special characters so the field parses back to the same text."""
    return " ".join(text.split()).translate(_BIBTEX_SPECIAL)


def to_bibtex(item: Item, *, url: str) -> str:
    """Return the item as one BibTeX entry (UTF-8, as biblatex and Zotero read it)."""
    entry_type = BIBTEX_TYPES.get(item.type, "misc")
    if entry_type == "inproceedings" and item.event is None:
        entry_type = "misc"  # inproceedings needs the proceedings' title
    fields: list[tuple[str, str]] = [("title", item.title)]
    if item.authors:
        fields.append(("author", " and ".join(author.name for author in item.authors)))
    if item.year:
        fields.append(("year", str(item.year)))
    if item.date:
        fields.append(("month", item.date.strftime("%b").lower()))
    if item.event and entry_type == "inproceedings":
        fields.append(("booktitle", item.event.name))
    if entry_type == "techreport":
        fields.append(("institution", PUBLISHER))
    elif item.event and entry_type == "misc":
        fields.append(("howpublished", item.event.name))
    if item.abstract:
        fields.append(("abstract", item.abstract))
    if item.themes:
        fields.append(("keywords", ", ".join(theme.name for theme in item.themes)))
    if item.licence:
        fields.append(("note", f"Licence: {item.licence}"))
    fields.append(("url", url))
    # A month is written as BibTeX's bare macro (mar), everything else braced and escaped.
    body = ",\n".join(f"  {name} = {value}" if name == "month" else f"  {name} = {{{bibtex_escape(value)}}}"
                       for name, value in fields)
    return f"@{entry_type}{{{citation_key(item)},\n{body}\n}}\n"


def _ris_line(tag: str, value: str) -> str:
    # RIS is line-based: a newline inside a value would start a bogus tag.
    return f"{tag}  - {' '.join(str(value).split())}"


def to_ris(item: Item, *, url: str, pdf_url: str | None) -> str:
    """Return the item as one RIS record."""
    lines = [_ris_line("TY", RIS_TYPES.get(item.type, "GEN")), _ris_line("TI", item.title)]
    lines += [_ris_line("AU", author.name) for author in item.authors]
    if item.year:
        lines.append(_ris_line("PY", str(item.year)))
    if item.date:
        lines.append(_ris_line("DA", item.date.strftime("%Y/%m/%d")))
    if item.event:
        lines.append(_ris_line("T2", item.event.name))
    if item.abstract:
        lines.append(_ris_line("AB", item.abstract))
    lines += [_ris_line("KW", theme.name) for theme in item.themes]
    lines.append(_ris_line("PB", PUBLISHER))
    lines.append(_ris_line("LA", item.language or "en"))
    lines.append(_ris_line("UR", url))
    if pdf_url:
        lines.append(_ris_line("L1", pdf_url))
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def download_name(item: Item, extension: str) -> str:
    """Return a safe file name for a download: the slugified title."""
    return f"{slugify(item.title, max_length=60)}.{extension}"
