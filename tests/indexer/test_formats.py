"""Word, OpenDocument, PowerPoint and scanned files: read in the worker, or refused with a reason."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from datetime import datetime
from pathlib import Path

import pytest

from indexer.extraction import Limits, extract_file, extract_many, precheck, sniff
from indexer.extraction.word import PART_CHARS

from . import office

AGREEMENT = [
    "This information-sharing agreement sets out how Leeds City Council, West Yorkshire Police and "
    "the local health trusts share information about children at risk of harm.",
    "Partners share the least information needed, record why they shared it and tell families "
    "unless that would put a child at greater risk.",
]


def test_word_docx_gives_body_table_header_footer_and_properties(tmp_path: Path) -> None:
    path = office.word_docx(
        tmp_path / "agreement.docx", AGREEMENT, heading="Information-sharing agreement for early help",
        title="Early help information-sharing agreement", author="Ann Example",
        header="OFFICIAL Leeds early help partnership", footer="Review date footnote genogram",
        table=[["Partner", "Role"], ["West Yorkshire Police", "Shares MARAC referrals"]],
        created=datetime(2016, 5, 4),
    )
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert result.format == "docx" and result.page_count == 1
    text = result.text
    assert "least information needed" in text
    assert "West Yorkshire Police | Shares MARAC referrals" in text  # a table row is one line
    assert "OFFICIAL Leeds early help partnership" in text and "footnote genogram" in text
    # Headers and footers come after the body, where they cannot pass for the title.
    assert text.index("OFFICIAL Leeds") > text.index("least information needed")
    assert result.info == {"title": "Early help information-sharing agreement", "author": "Ann Example",
                           "creation_date": "2016-05-04"}
    assert result.suggestion.title == "Information-sharing agreement for early help"  # the Title style
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_long_word_file_is_stored_in_parts_of_about_a_page(tmp_path: Path) -> None:
    paragraphs = [f"Paragraph {n} of the terms of reference, about consent and record keeping. " * 6
                  for n in range(40)]
    result = extract_file(office.word_docx(tmp_path / "long.docx", paragraphs))
    assert result.status == "ok"
    assert result.page_count == len(result.pages) > 5
    assert all(len(page) <= PART_CHARS + 600 for page in result.pages)
    assert "Paragraph 0 of" in result.pages[0] and "Paragraph 39 of" in result.pages[-1]


def test_slides_give_one_page_per_slide_with_notes(tmp_path: Path) -> None:
    path = office.slides_pptx(tmp_path / "talk.pptx", [
        ("Sharing information at the front door", "Why MASH teams share early", "Speaker: thank the chair"),
        ("What changed in Blackpool", "Fewer repeat referrals\nClearer consent records", ""),
    ], title="Front door talk", author="Bea Speaker")
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert result.format == "pptx" and result.page_count == 2
    assert result.pages[0].startswith("Sharing information at the front door")
    assert "Notes: Speaker: thank the chair" in result.pages[0]
    assert "Fewer repeat referrals\nClearer consent records" in result.pages[1]
    assert result.info["author"] == "Bea Speaker"
    assert result.suggestion.title == "Sharing information at the front door"


def test_opendocument_text_is_read(tmp_path: Path) -> None:
    path = office.opendocument_odt(tmp_path / "tor.odt", "Terms of reference for the data group",
                                   AGREEMENT, title="Data group terms", author="Cy Writer")
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert result.format == "odt"
    assert result.pages[0].startswith("Terms of reference for the data group")
    assert "least information needed" in result.text
    assert result.info["author"] == "Cy Writer"


def test_legacy_word_doc_is_read_with_antiword(tmp_path: Path) -> None:
    path = office.legacy_doc(tmp_path / "minutes.doc",
                             "Minutes of the multi-agency safeguarding hub\nThe hub agreed to share "
                             "referral outcomes with schools within one working day.",
                             title="MASH minutes March", author="Dee Secretary")
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert result.format == "doc"
    assert "referral outcomes with schools" in result.text
    assert result.info["title"] == "MASH minutes March" and result.info["author"] == "Dee Secretary"


def test_an_old_powerpoint_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    result = extract_file(office.legacy_powerpoint(tmp_path / "talk.doc"))
    assert result.status == "rejected"
    assert result.reason == ("not a PDF, Word, OpenDocument text or PowerPoint file "
                             "(it is an old PowerPoint file, .ppt); save it as .pptx or PDF to deposit it")


def test_a_scan_is_recognised_page_by_page_and_marked(tmp_path: Path, pdfs) -> None:
    path = office.scanned_pdf(tmp_path / "scan.pdf", [
        "Freedom of information reply\nThe council holds a genogram register\nfor families in Blackpool.",
        "Signed statement\nWe shared the referral with the police.",
    ])
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert result.ocr_pages == [1, 2]
    assert "genogram" in result.pages[0].lower() and "blackpool" in result.pages[0].lower()
    assert "referral" in result.pages[1].lower()
    assert result.suggestion.title and "information" in result.suggestion.title.lower()
    assert "title" in result.suggestion.unsure  # read from a scan: the depositor should check it


def test_only_the_scanned_page_of_a_mixed_pdf_is_recognised(tmp_path: Path, pdfs) -> None:
    from pypdf import PdfWriter

    typed = pdfs.text_pdf(tmp_path / "typed.pdf", ["A typed covering letter about data sharing."])
    scan = office.scanned_pdf(tmp_path / "scan.pdf", ["Handwritten consent form\nsigned by the parent"])
    writer = PdfWriter()
    writer.append(str(typed))
    writer.append(str(scan))
    writer.write(tmp_path / "mixed.pdf")
    result = extract_file(tmp_path / "mixed.pdf")
    assert result.status == "ok" and result.ocr_pages == [2]
    assert result.pages[0] == "A typed covering letter about data sharing."
    assert "consent" in result.pages[1].lower()


def test_a_giant_scanned_page_is_drawn_small_enough_to_read(tmp_path: Path) -> None:
    # A 5-metre page at 300 dpi would be 60,000 pixels across; it is drawn at 7,000 at most.
    path = office.scanned_pdf(tmp_path / "poster.pdf", ["Poster about the Halton genogram pilot"], page_mm=5000)
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert "halton" in result.text.lower()


def test_ocr_time_limit_leaves_the_rest_unread_and_says_so(tmp_path: Path) -> None:
    path = office.scanned_pdf(tmp_path / "long-scan.pdf", [f"Scanned page {n} of the review" for n in range(4)])
    result = extract_file(path, Limits(ocr_seconds=0.5))
    assert "text recognition stopped after 0.5 s" in result.reason
    assert len(result.ocr_pages) < 4


HOSTILE = {
    "renamed program": ("invoice.docx", lambda p: p.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 300),
                        "not a PDF, Word, OpenDocument text or PowerPoint file "
                        "(file starts with 'MZ'; it looks like a Windows program)"),
    "zip bomb": ("bomb.docx", lambda p: office.zip_bomb(p), "refused: it looks like a ZIP bomb"),
    "macros": ("macro.docx", None, "refused: it contains macros"),
    "truncated": ("cut.docx", None, "damaged file: it starts like a Word, PowerPoint or OpenDocument file"),
    "spreadsheet": ("figures.docx", lambda p: office.spreadsheet_xlsx(p), "(it is an Excel spreadsheet)"),
    "plain zip": ("bundle.docx", None, "(it is a ZIP archive)"),
}


def _hostile(kind: str, folder: Path) -> Path:
    name, make, _ = HOSTILE[kind]
    path = folder / name
    if make is not None:
        make(path)
        return path
    good = office.word_docx(folder / f"good-{kind}.docx", AGREEMENT)
    if kind == "macros":
        office.with_macros(good, path)
    elif kind == "truncated":
        path.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "plain zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("notes.txt", "just some notes")
    return path


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_office_files_are_refused_with_a_reason(tmp_path: Path, kind: str) -> None:
    result = extract_file(_hostile(kind, tmp_path))
    assert result.status == "rejected"
    assert HOSTILE[kind][2] in result.reason
    assert result.pages == []


def test_a_batch_with_hostile_files_goes_on(tmp_path: Path) -> None:
    hostile = [_hostile(kind, tmp_path) for kind in HOSTILE]
    good = office.word_docx(tmp_path / "fine.docx", AGREEMENT, heading="A fine agreement")
    results = {Path(r.path).name: r for r in extract_many([*hostile, good], jobs=2)}
    assert len(results) == len(HOSTILE) + 1
    assert results["fine.docx"].status == "ok"
    assert all(results[path.name].status == "rejected" for path in hostile)


def test_the_sniff_reads_only_the_first_bytes() -> None:
    assert sniff(b"%PDF-1.7\n").container == "pdf"
    assert sniff(b"\r\n\r\n%PDF-1.4").container == "pdf"
    assert sniff(b"PK\x03\x04rest").container == "zip"
    assert sniff(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 8).container == "ole"
    refused = sniff(b"{\\rtf1\\ansi")
    assert refused.container is None and "it looks like an RTF document" in refused.reason


def test_an_opendocument_spreadsheet_is_refused_by_the_sniff(tmp_path: Path) -> None:
    path = tmp_path / "sheet.odt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<x/>")
    checked = precheck(path)
    assert checked.status == "rejected"
    assert checked.reason == "not a PDF, Word, OpenDocument text or PowerPoint file (it is an OpenDocument spreadsheet)"


def test_a_source_from_the_precheck_is_not_hashed_again(tmp_path: Path) -> None:
    path = office.word_docx(tmp_path / "a.docx", AGREEMENT)
    source = precheck(path, with_hash=True, name="Agreement v2 (final).docx")
    assert source.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() and source.container == "zip"
    # A hash handed over is trusted: the worker reports it back as given, without reading for it.
    forged = type(source)(path=source.path, container=source.container, size=source.size, sha256="f" * 64,
                          name=source.name)
    result = extract_file(forged)
    assert result.sha256 == "f" * 64 and result.name == "Agreement v2 (final).docx"


def test_ocr_programs_are_installed() -> None:
    # `make test` installs them (the Makefile's ocr target); without them the scan tests cannot run.
    assert shutil.which("tesseract") and shutil.which("gs") and shutil.which("antiword"), (
        "install tesseract-ocr, tesseract-ocr-eng, ghostscript and antiword (make test does)")
