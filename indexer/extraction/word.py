"""Read word-processor files (worker side): Word .docx with docx2python, OpenDocument .odt with odfpy.

A word-processor file has no fixed pages: where its pages fall depends on the printer.
Its text is stored in parts of about a page each (`PART_CHARS`), cut at paragraph ends,
so search passages and the item page can say where a match is. Headers, footers,
footnotes and endnotes come last: at the top of the first part they would be taken for
the title.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterable

from indexer.extraction._worker import short
from indexer.extraction.pdf import iso_date

if TYPE_CHECKING:
    from indexer.extraction._worker import Output

PART_CHARS = 3000  # about one printed page of body text
# Word's built-in styles, at their default sizes: the first part's "type sizes", so the
# title guess (indexer.extraction.titles.font_title) finds a Title-styled line as it finds
# the largest type on a PDF's first page.
_STYLE_SIZES = {"title": 28.0, "subtitle": 15.0, "heading1": 16.0, "heading 1": 16.0, "heading2": 13.0,
                "heading 2": 13.0}
BODY_SIZE = 11.0
# docx2python marks images, their alt text and note references in the text it returns.
_ALT_TEXT = re.compile(r"----Image alt text---->.*?<(?=----)", re.DOTALL)
_MARKERS = re.compile(r"----(?:media/[^\n]*?|(?:footnote|endnote|comment)\d+)----")

Paragraph = tuple[str, float]  # text, nominal type size


def read_docx(output: Output, path: str) -> str | None:
    """Read a .docx: body and tables in order, then headers, footers and notes; core properties."""
    from docx2python import docx2python

    try:
        with docx2python(path) as content:
            body = list(_docx_blocks(content.body_pars))
            extra = [*_docx_text(content.header), *_docx_text(content.footer),
                     *_docx_text(content.footnotes), *_docx_text(content.endnotes)]
            try:
                properties = content.core_properties
            except Exception:  # a missing or damaged docProps/core.xml loses only the metadata
                properties = {}
    except MemoryError:
        raise
    except Exception as exc:  # docx2python and lxml raise many kinds
        return f"damaged Word file: {short(exc)}"
    info = info_from({
        "title": properties.get("title"), "author": properties.get("creator"),
        "subject": properties.get("subject"), "keywords": properties.get("keywords"),
        "creation_date": properties.get("created"),
    })
    return emit_parts(output, "docx", body, extra, info)


def _docx_blocks(blocks: list) -> Iterable[Paragraph]:
    """Yield the body's paragraphs; a table row with several cells becomes one line."""
    for table in blocks:
        for row in table:
            cells = [[_par_text(par) for par in cell] for cell in row]
            if len(row) > 1:
                line = " | ".join(" ".join(t for t in cell if t) for cell in cells)
                if line.strip(" |"):
                    yield line, BODY_SIZE
                continue
            for cell, texts in zip(row, cells, strict=True):
                for par, text in zip(cell, texts, strict=True):
                    if text:
                        yield text, _STYLE_SIZES.get((par.style or "").lower(), BODY_SIZE)


def _par_text(par) -> str:
    text = "".join(par.run_strings)
    text = _MARKERS.sub("", _ALT_TEXT.sub("", text))
    return " ".join(text.split())


def _docx_text(nested: list) -> list[Paragraph]:
    """Flatten docx2python's nested text (headers, footers, notes) into distinct paragraphs."""
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, str):
            text = " ".join(_MARKERS.sub("", _ALT_TEXT.sub("", node)).split())
            if text and text not in found:
                found.append(text)
        else:
            for child in node:
                walk(child)

    walk(nested)
    return [(text, BODY_SIZE) for text in found]


def read_odt(output: Output, path: str) -> str | None:
    """Read an OpenDocument text: headings, paragraphs, lists and tables in order; its metadata."""
    from odf import teletype
    from odf.namespaces import DCNS, METANS, TABLENS, TEXTNS
    from odf.opendocument import load

    try:
        document = load(path)
        paragraphs: list[Paragraph] = []

        def walk(node) -> None:
            for child in node.childNodes:
                if child.nodeType != 1:
                    continue
                namespace, name = child.qname
                if namespace == TABLENS and name == "table-row":
                    cells = [" ".join(teletype.extractText(p) for p in _descendants(cell, TEXTNS, ("p", "h")))
                             for cell in child.childNodes if cell.nodeType == 1]
                    line = " | ".join(" ".join(c.split()) for c in cells)
                    if line.strip(" |"):
                        paragraphs.append((line, BODY_SIZE))
                elif namespace == TEXTNS and name in ("p", "h"):
                    text = " ".join(teletype.extractText(child).split())
                    if text:
                        size = BODY_SIZE
                        if name == "h":
                            level = child.getAttrNS(TEXTNS, "outline-level") or "1"
                            size = 16.0 if level == "1" else 13.0
                        elif "title" in (child.getAttrNS(TEXTNS, "style-name") or "").lower():
                            size = 28.0
                        paragraphs.append((text, size))
                else:
                    walk(child)

        walk(document.text)
        wanted = {(DCNS, "title"): "title", (DCNS, "creator"): "author", (METANS, "initial-creator"): "author",
                  (DCNS, "subject"): "subject", (METANS, "keyword"): "keywords",
                  (METANS, "creation-date"): "creation_date"}
        fields: dict[str, str] = {}
        for element in document.meta.childNodes:
            if element.nodeType == 1:
                namespace, name = element.qname
                key = wanted.get((namespace, name))
                if key and key not in fields:
                    fields[key] = teletype.extractText(element)
    except MemoryError:
        raise
    except Exception as exc:  # odfpy raises many kinds on damaged XML
        return f"damaged OpenDocument file: {short(exc)}"
    return emit_parts(output, "odt", paragraphs, [], info_from(fields))


def _descendants(node, namespace: str, names: tuple[str, ...]) -> Iterable:
    for child in node.childNodes:
        if child.nodeType != 1:
            continue
        if child.qname[0] == namespace and child.qname[1] in names:
            yield child
        else:
            yield from _descendants(child, namespace, names)


def info_from(fields: dict[str, str | None]) -> dict[str, str]:
    """Return document properties as the info dictionary PDFs give (short, clean strings)."""
    info = {}
    for key, value in fields.items():
        text = " ".join(str(value or "").split())[:2000]
        if key == "creation_date":
            text = iso_date(text)
        if text:
            info[key] = text
    return info


def emit_parts(output: Output, format_name: str, body: list[Paragraph], extra: list[Paragraph],
               info: dict[str, str]) -> str | None:
    """Send a word-processor file's text as parts of about a page; reject one with no text at all."""
    parts = split_parts([*body, *[p for p in extra if p[0] not in {t for t, _ in body}]])
    if not parts:
        return "no text: the document is empty (or holds only pictures)"
    output.head(format_name, len(parts), info)
    for number, part in enumerate(parts, start=1):
        if output.full:
            break
        runs = None
        if number == 1:
            runs = [(size, text) for text, size in part]
        output.page("\n\n".join(text for text, _ in part), runs=runs)
    return None


def split_parts(paragraphs: list[Paragraph]) -> list[list[Paragraph]]:
    """Group paragraphs into parts of about PART_CHARS characters, never splitting one."""
    parts: list[list[Paragraph]] = []
    current: list[Paragraph] = []
    length = 0
    for text, size in paragraphs:
        if current and length + len(text) > PART_CHARS:
            parts.append(current)
            current, length = [], 0
        current.append((text, size))
        length += len(text) + 1
    if current:
        parts.append(current)
    return parts
