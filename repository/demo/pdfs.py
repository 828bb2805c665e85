"""Render the demo collection (collection.json) to PDF files with fpdf2."""
from __future__ import annotations

import json
import sys
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from fpdf import FPDF

from ..models import CASE_STUDY_SECTIONS, ITEM_TYPES, LICENCES

COLLECTION_PATH = Path(__file__).with_name("collection.json")


FICTION_NOTICE = (
    "Demonstration document written for this repository. People, projects and figures are fictional."
)

# Helvetica is a core font limited to Latin-1: typographic characters are mapped to safe
# equivalents so that text pasted with curly quotes or dashes still renders.
_SUBSTITUTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": " - ",
        "\u2026": "...",
        "\u2022": "-",
        "\u00a0": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2212": "-",
    }
)


def load_collection() -> dict[str, Any]:
    """Read the demo collection (events and documents) from the JSON next to this module."""
    return json.loads(COLLECTION_PATH.read_text(encoding="utf-8"))


def safe_text(text: str) -> str:
    """Map text onto Latin-1 so the core Helvetica font can render it."""
    return text.translate(_SUBSTITUTES).encode("latin-1", "replace").decode("latin-1")


def render_collection(out_dir: Path, collection: dict[str, Any] | None = None) -> list[Path]:
    """Write one PDF per document of the collection into out_dir and return their paths."""
    collection = collection if collection is not None else load_collection()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    events = {event["slug"]: event for event in collection["events"]}
    return [
        render_document(document, out_dir / document["file"], events)
        for document in collection["documents"]
    ]


def render_document(
    document: dict[str, Any], path: Path, events: dict[str, dict[str, Any]] | None = None
) -> Path:
    """Render one document of the collection to path (slides landscape, others A4 portrait)."""
    event = (events or {}).get(document.get("event") or "")
    slides = document["type"] == "slides"
    pdf = _DemoPDF(short_title=document["title"], orientation="L" if slides else "P")
    _set_metadata(pdf, document)
    if slides:
        _write_slides(pdf, document, event)
    else:
        _write_article(pdf, document, event)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def describe_origin(document: dict[str, Any], event: dict[str, Any] | None) -> str:
    """Return the line that says where and when the document was presented or published."""
    published = f"Published {_long_date(document['date'])}"
    if not event:
        return published
    origin = f"{event['name']}, {event['place']}, {_long_date(event['date'])}"
    if event["date"] == document["date"]:
        return origin
    # Publication first: readers (and year guessers) take the first date as the item's own.
    return f"{published}. Presented at {origin}"


class _DemoPDF(FPDF):
    """An FPDF with a quiet footer carrying the short title and page number."""

    def __init__(self, short_title: str, orientation: str) -> None:
        super().__init__(orientation=orientation, unit="mm", format="A4")
        self.short_title = short_title
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(20, 18, 20)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("helvetica", size=8)
        self.set_text_color(110, 110, 110)
        title = self.short_title if len(self.short_title) <= 80 else self.short_title[:77] + "..."
        self.cell(0, 5, safe_text(f"{title}  |  page {self.page_no()}"), align="C")
        if self.page_no() == 1:
            self.set_y(-9)
            self.cell(0, 4, FICTION_NOTICE, align="C")
        self.set_text_color(0, 0, 0)


def _set_metadata(pdf: FPDF, document: dict[str, Any]) -> None:
    pdf.set_title(safe_text(document["title"]))
    pdf.set_author(safe_text("; ".join(author["name"] for author in document["authors"])))
    pdf.set_subject(safe_text(document["abstract"]))
    pdf.set_keywords(safe_text(", ".join([*document["themes"], *document["places"]])))
    pdf.set_creator("Knowledge-exchange repository demo collection")
    pdf.set_lang("en-GB")
    # A fixed date (the document's own) keeps the bytes, and so the SHA-256, stable across runs.
    day = date.fromisoformat(document["date"])
    pdf.set_creation_date(datetime(day.year, day.month, day.day, 9, 0, tzinfo=timezone.utc))


def _write_article(pdf: FPDF, document: dict[str, Any], event: dict[str, Any] | None) -> None:
    pdf.add_page()
    _title_block(pdf, document, event, title_size=18)
    _heading(pdf, "Abstract", size=12)
    _paragraph(pdf, document["abstract"])
    if document["type"] == "case_study" and document.get("case_study"):
        _heading(pdf, "Case study at a glance", size=12)
        for key, label in CASE_STUDY_SECTIONS.items():
            value = document["case_study"].get(key)
            if value:
                pdf.set_font("helvetica", style="B", size=10)
                pdf.multi_cell(0, 5.5, safe_text(label), new_x="LMARGIN", new_y="NEXT")
                _paragraph(pdf, value, space_after=2.5)
    for section in document["sections"]:
        _heading(pdf, section["heading"], size=12)
        for text in section["paragraphs"]:
            _paragraph(pdf, text)


def _write_slides(pdf: FPDF, document: dict[str, Any], event: dict[str, Any] | None) -> None:
    pdf.add_page()
    pdf.ln(6)
    _title_block(pdf, document, event, title_size=24)
    _heading(pdf, "Abstract", size=12)
    _paragraph(pdf, document["abstract"])
    for section in document["sections"]:
        pdf.add_page()
        pdf.ln(4)
        pdf.set_font("helvetica", style="B", size=22)
        pdf.multi_cell(0, 10, safe_text(section["heading"]), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(5)
        for bullet in section["paragraphs"]:
            pdf.set_font("helvetica", size=15)
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, 8, safe_text(f"- {bullet}"), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)


def _title_block(
    pdf: FPDF, document: dict[str, Any], event: dict[str, Any] | None, title_size: int
) -> None:
    pdf.set_font("helvetica", style="B", size=title_size)
    pdf.multi_cell(0, title_size * 0.5, safe_text(document["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("helvetica", size=11)
    for author in document["authors"]:
        line = author["name"]
        if author.get("affiliation"):
            line += f", {author['affiliation']}"
        pdf.multi_cell(0, 5.5, safe_text(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("helvetica", style="I", size=10)
    pdf.multi_cell(0, 5, safe_text(describe_origin(document, event)), new_x="LMARGIN", new_y="NEXT")
    kind = ITEM_TYPES.get(document["type"], document["type"])
    pdf.multi_cell(
        0, 5, safe_text(f"{kind}. Licence: {LICENCES.get(document['licence'], document['licence'])}"),
        new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)


def _heading(pdf: FPDF, text: str, size: int) -> None:
    # Keep a heading with at least a couple of lines of its text.
    if pdf.get_y() > pdf.h - pdf.b_margin - 20:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("helvetica", style="B", size=size)
    pdf.multi_cell(0, size * 0.5, safe_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1.5)


def _paragraph(pdf: FPDF, text: str, space_after: float = 3.5) -> None:
    pdf.set_font("helvetica", size=10.5)
    pdf.multi_cell(0, 5.2, safe_text(text), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(space_after)


def _long_date(iso: str) -> str:
    day = date.fromisoformat(iso)
    return f"{day.day} {day.strftime('%B %Y')}"


def main(argv: list[str] | None = None) -> int:
    """Render the collection into the folder given on the command line."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m repository.demo.pdfs OUT_DIR", file=sys.stderr)
        return 2
    paths = render_collection(Path(args[0]))
    print(f"wrote {len(paths)} PDFs to {args[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
