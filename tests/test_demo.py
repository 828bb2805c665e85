"""The demo collection is well formed and renders to readable, reproducible PDFs."""

from __future__ import annotations

import hashlib
import importlib.resources
import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from repository.demo import pdfs

THEMES = {
    "families", "troubled-families", "family-perspectives", "domestic-abuse", "it-standards",
    "terminology-standards", "data-protection", "multi-agency-working", "safeguarding-children",
    "undocumented-migrants", "commissioning", "culture-and-barriers", "international-approaches",
    "nordic-countries",
}
TYPES = {"paper", "case_study", "report", "slides", "guidance", "agreement"}
DOCUMENT_FIELDS = {
    "file", "type", "title", "authors", "year", "date", "event", "places", "themes", "abstract",
    "summary", "licence", "access", "sections",
}
CASE_STUDY_FIELDS = {"partners", "problem", "approach", "outcomes", "lessons", "contact"}

COLLECTION = pdfs.load_collection()
DOCUMENTS = COLLECTION["documents"]
BY_FILE = {document["file"]: document for document in DOCUMENTS}
EVENTS = {event["slug"]: event for event in COLLECTION["events"]}


def words(text: str) -> int:
    """Count the words of text."""
    return len(text.split())


def flat(text: str) -> str:
    """Collapse whitespace so wrapped lines compare equal to the source text."""
    return " ".join(text.split())


def page_text(page) -> str:
    """Return a page's text without its footer, whitespace collapsed."""
    lines = page.extract_text().splitlines()
    kept = [
        line for line in lines
        if not re.search(r"\|\s+page \d+\s*$", line) and line.strip() != pdfs.FICTION_NOTICE
    ]
    return flat(" ".join(kept))


def body_words(document: dict) -> int:
    """Count the words of a document's sections."""
    return sum(words(p) for section in document["sections"] for p in section["paragraphs"])


def all_text(document: dict) -> str:
    """Return every piece of text a document carries, joined."""
    parts = [document["title"], document["abstract"], document["summary"]]
    parts += [section["heading"] for section in document["sections"]]
    parts += [p for section in document["sections"] for p in section["paragraphs"]]
    parts += list(document.get("case_study", {}).values())
    return " ".join(parts)


def orcid_is_valid(orcid: str) -> bool:
    """Check an ORCID's shape and ISO 7064 11,2 check digit."""
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", orcid):
        return False
    digits = orcid.replace("-", "")
    total = 0
    for ch in digits[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Render the whole collection once for the rendering tests."""
    out_dir = tmp_path_factory.mktemp("demo-pdfs")
    paths = pdfs.render_collection(out_dir)
    return {path.name: path for path in paths}


def test_collection_json_ships_as_package_data() -> None:
    resource = importlib.resources.files("repository.demo").joinpath("collection.json")
    assert resource.is_file()
    assert pdfs.COLLECTION_PATH.read_text(encoding="utf-8") == resource.read_text(encoding="utf-8")


def test_events_form_a_seminar_series() -> None:
    events = COLLECTION["events"]
    assert 6 <= len(events) <= 8
    assert len({event["slug"] for event in events}) == len(events)
    for event in events:
        assert set(event) >= {"slug", "name", "date", "place", "host"}
        assert 2013 <= date.fromisoformat(event["date"]).year <= 2016
        assert event["name"].startswith("Seminar ")


def test_collection_size_and_mix() -> None:
    assert 36 <= len(DOCUMENTS) <= 44
    types = Counter(document["type"] for document in DOCUMENTS)
    assert set(types) == TYPES
    assert types["paper"] >= 14 and types["case_study"] >= 10 and types["slides"] >= 3
    places = {place for document in DOCUMENTS for place in document["places"]}
    assert len(places) >= 4
    assert {"Blackpool", "Leeds", "Bradford", "Manchester"} <= places
    assert len(BY_FILE) == len(DOCUMENTS), "file names must be unique"


def test_access_levels() -> None:
    access = Counter(document["access"] for document in DOCUMENTS)
    assert access == Counter(open=len(DOCUMENTS) - 3, registered=2, restricted=1)
    restricted = next(d for d in DOCUMENTS if d["access"] == "restricted")
    assert restricted["type"] == "case_study"
    assert "domestic-abuse" in restricted["themes"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d["file"])
def test_document_is_complete(document: dict) -> None:
    assert DOCUMENT_FIELDS <= set(document)
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*\.pdf", document["file"])
    assert document["type"] in TYPES
    assert document["themes"] and set(document["themes"]) <= THEMES
    events = {event["slug"] for event in COLLECTION["events"]}
    assert document["event"] is None or document["event"] in events
    if document["event"]:
        event = next(e for e in COLLECTION["events"] if e["slug"] == document["event"])
        assert document["date"] >= event["date"], "a document cannot predate its seminar"
    assert date.fromisoformat(document["date"]).year == document["year"]
    assert 2013 <= document["year"] <= 2016
    assert document["authors"]
    for author in document["authors"]:
        assert author["name"] and author["affiliation"]
        if "orcid" in author:
            assert orcid_is_valid(author["orcid"])
    assert 80 <= words(document["abstract"]) <= 150
    assert 40 <= words(document["summary"]) <= 70
    assert document["licence"]
    assert all(section["heading"] and section["paragraphs"] for section in document["sections"])
    # Core PDF fonts cover Latin-1 only: nothing may be lost when the text is rendered.
    assert pdfs.safe_text(all_text(document)) == all_text(document)


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d["file"])
def test_document_body_fits_its_type(document: dict) -> None:
    kind, sections = document["type"], document["sections"]
    if kind == "paper":
        assert 3 <= len(sections) <= 6
        assert 500 <= body_words(document) <= 1500
    elif kind == "slides":
        assert 6 <= len(sections) <= 10
        assert all(words(p) <= 20 for section in sections for p in section["paragraphs"])
    elif kind == "case_study":
        assert set(document["case_study"]) == CASE_STUDY_FIELDS
        assert "," in document["case_study"]["contact"]
    else:
        assert len(sections) >= 3


def test_search_terms_occur_across_the_collection() -> None:
    texts = [all_text(document).lower() for document in DOCUMENTS]
    for term in ("domestic abuse", "information standards", "genogram", "consent", "marac",
                 "troubled families", "nordic", "undocumented migrants", "data sharing",
                 "sharing information", "information sharing"):
        assert sum(term in text for text in texts) >= 2, term


def test_total_size_is_reasonable() -> None:
    total = sum(words(all_text(document)) for document in DOCUMENTS)
    assert 30_000 <= total <= 65_000


def test_safe_text_maps_typographic_characters() -> None:
    assert pdfs.safe_text("\u201cMARAC\u201d \u2013 risk\u2019s \u2026") == '"MARAC" - risk\'s ...'
    assert pdfs.safe_text("\u00d8deg\u00e5rd") == "\u00d8deg\u00e5rd"
    assert pdfs.safe_text("\u4e2d") == "?"


def test_every_document_renders_to_a_pdf(rendered: dict[str, Path]) -> None:
    assert set(rendered) == set(BY_FILE)
    pages = Counter(len(PdfReader(path).pages) for path in rendered.values())
    assert sum(count for n, count in pages.items() if n >= 3) >= 5, pages


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d["file"])
def test_pdf_carries_title_abstract_and_metadata(rendered: dict[str, Path], document: dict) -> None:
    reader = PdfReader(rendered[document["file"]])
    first = flat(reader.pages[0].extract_text())
    assert first.startswith(flat(document["title"]))
    assert document["authors"][0]["name"] in first
    assert "Abstract" in first
    assert pdfs.describe_origin(document, EVENTS.get(document["event"] or "")) in first
    assert flat(document["abstract"])[:60] in first
    meta = reader.metadata
    assert meta.title == document["title"]
    assert meta.author.split("; ")[0] == document["authors"][0]["name"]
    assert meta.subject == document["abstract"]
    assert set(meta["/Keywords"].split(", ")) == set(document["themes"]) | set(document["places"])


@pytest.mark.parametrize(
    "document", [d for d in DOCUMENTS if d["type"] != "slides"], ids=lambda d: d["file"]
)
def test_article_sections_follow_in_order(rendered: dict[str, Path], document: dict) -> None:
    reader = PdfReader(rendered[document["file"]])
    texts = [page_text(page) for page in reader.pages]
    # Page 1 says the document is fictional; later pages carry only the short footer.
    assert pdfs.FICTION_NOTICE in reader.pages[0].extract_text()
    assert all(pdfs.FICTION_NOTICE not in page.extract_text() for page in reader.pages[1:])
    whole = " ".join(texts)
    # The closing words of the last paragraph end the document, on its last page.
    closing = " ".join(flat(document["sections"][-1]["paragraphs"][-1]).split()[-8:])
    last_page_start = len(whole) - len(texts[-1])
    assert whole.rfind(closing) + len(closing) > last_page_start
    # Headings come after the front matter and in the order of the collection.
    front = [document["abstract"], *document.get("case_study", {}).values()]
    position = max(whole.find(flat(text)[-40:]) for text in front)
    assert position > 0
    for section in document["sections"]:
        position = whole.find(flat(section["heading"]), position + 1)
        assert position != -1, section["heading"]
    if len(texts) > 1:
        assert closing not in texts[0]


@pytest.mark.parametrize(
    "document", [d for d in DOCUMENTS if d["type"] == "slides"], ids=lambda d: d["file"]
)
def test_slides_are_one_landscape_page_each(rendered: dict[str, Path], document: dict) -> None:
    reader = PdfReader(rendered[document["file"]])
    assert len(reader.pages) == len(document["sections"]) + 1
    for number, section in enumerate(document["sections"], start=1):
        page = reader.pages[number]
        assert page.mediabox.width > page.mediabox.height
        text = flat(page.extract_text())
        assert text.startswith(flat(section["heading"]))
        assert flat(section["paragraphs"][0]) in text
        assert flat(section["paragraphs"][-1]) in text


def test_case_study_shows_its_facts(rendered: dict[str, Path]) -> None:
    document = BY_FILE["leeds-preparing-for-marac.pdf"]
    text = flat(" ".join(p.extract_text() for p in PdfReader(rendered[document["file"]]).pages))
    assert "Case study at a glance" in text
    assert flat(document["case_study"]["contact"]) in text
    assert flat(document["case_study"]["lessons"]) in text


def test_rendering_twice_gives_identical_bytes(rendered: dict[str, Path], tmp_path: Path) -> None:
    again = {path.name: path for path in pdfs.render_collection(tmp_path)}
    for name, path in rendered.items():
        first = hashlib.sha256(path.read_bytes()).hexdigest()
        assert first == hashlib.sha256(again[name].read_bytes()).hexdigest(), name


def test_render_document_maps_unsafe_characters(tmp_path: Path) -> None:
    document = dict(BY_FILE["risk-talk-at-the-marac-table.pdf"])
    document["title"] = "Risk \u2013 \u201cMARAC\u201d and the victim\u2019s voice"
    path = pdfs.render_document(document, tmp_path / "odd.pdf")
    reader = PdfReader(path)
    assert flat(reader.pages[0].extract_text()).startswith('Risk - "MARAC" and the victim\'s voice')
    assert reader.metadata.title == 'Risk - "MARAC" and the victim\'s voice'


def test_main_renders_into_the_given_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two documents are enough to show the command's wiring; the full render is tested above.
    small = {"events": COLLECTION["events"], "documents": DOCUMENTS[:2]}
    monkeypatch.setattr(pdfs, "load_collection", lambda: small)
    assert pdfs.main([str(tmp_path / "out")]) == 0
    written = sorted(path.name for path in (tmp_path / "out").glob("*.pdf"))
    assert written == sorted(document["file"] for document in DOCUMENTS[:2])
    assert "wrote 2 PDFs" in capsys.readouterr().out
    assert pdfs.main([]) == 2
    assert "usage:" in capsys.readouterr().err


def test_every_place_mentioned_has_a_region_and_ons_code():
    listed = {place["name"]: place for place in COLLECTION["places"]}
    mentioned = {p for document in DOCUMENTS for p in document["places"]} | {e["place"] for e in EVENTS.values()}
    assert mentioned <= set(listed)
    for place in listed.values():
        assert place["region"]
        assert re.fullmatch(r"E0[6-9]\d{6}", place["ons_code"])
