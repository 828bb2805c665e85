"""Word, slides, OpenDocument, legacy Word and scans through bulk ingest and deposit, stored and served."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer.search import SearchRequest, search
from repository.models import Item, ItemFile, PageText
from tests.indexer import office

from .people import deposit_file, make_user, sign_in

TERMS = ["The data group agrees how partners in Rotherham share genogram records about families.",
         "Each partner names a lead who answers requests for information within five working days."]


def _report(path: Path) -> dict[str, dict]:
    return {Path(line["path"]).name: line for line in map(json.loads, path.read_text().splitlines())}


def _folder(tmp_path: Path) -> Path:
    """A folder of one file of each format, each with a word no other file has, and hostile files."""
    folder = tmp_path / "mixed"
    folder.mkdir()
    office.word_docx(folder / "agreement.docx", ["Partners in Wakefield sign this agreement.", *TERMS],
                     heading="Wakefield information-sharing agreement", author="Ann Example")
    office.slides_pptx(folder / "talk.pptx", [("Front door practice in Calderdale", "Why teams share early",
                                               "Remember the kinship carers")])
    office.opendocument_odt(folder / "terms.odt", "Terms of reference for the Kirklees data group", TERMS)
    office.legacy_doc(folder / "minutes.doc", "Minutes of the Barnsley safeguarding hub\nThe hub agreed "
                      "to share referral outcomes with schools.", title="Barnsley hub minutes")
    office.scanned_pdf(folder / "reply.pdf", ["Freedom of information reply\nDoncaster keeps a register\n"
                                              "of shared assessments."])
    office.zip_bomb(folder / "bomb.docx")
    office.with_macros(office.word_docx(tmp_path / "plain.docx", TERMS), folder / "macros.docx")
    (folder / "setup.docx").write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 400)
    good = office.word_docx(tmp_path / "whole.docx", ["A document cut short in Sheffield.", *TERMS])
    (folder / "cut.docx").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    (folder / "notes.txt").write_text("not picked up: folders are searched by suffix")
    return folder


def test_bulk_ingest_takes_every_format_and_refuses_hostile_files(app, runner, res, tmp_path):
    folder = _folder(tmp_path)
    report = tmp_path / "report.jsonl"

    result = runner.invoke(args=["ingest", str(folder), "--report", str(report)])

    assert result.exit_code == 1, result.output  # some files were refused
    assert "Traceback" not in result.output
    lines = _report(report)
    assert set(lines) == {"agreement.docx", "talk.pptx", "terms.odt", "minutes.doc", "reply.pdf", "bomb.docx",
                          "macros.docx", "setup.docx", "cut.docx"}
    formats = {name: lines[name]["format"] for name in ("agreement.docx", "talk.pptx", "terms.odt",
                                                        "minutes.doc", "reply.pdf")}
    assert formats == {"agreement.docx": "docx", "talk.pptx": "pptx", "terms.odt": "odt", "minutes.doc": "doc",
                       "reply.pdf": "pdf"}
    assert all(lines[name]["status"] == "ingested" and lines[name]["indexed"] for name in formats)
    assert lines["reply.pdf"]["ocr_pages"] == 1
    assert "ZIP bomb" in lines["bomb.docx"]["reason"]
    assert "contains macros" in lines["macros.docx"]["reason"]
    assert "it looks like a Windows program" in lines["setup.docx"]["reason"]
    assert lines["cut.docx"]["reason"].startswith("damaged file")
    assert all(lines[name]["status"] == "rejected" for name in ("bomb.docx", "macros.docx", "setup.docx",
                                                                "cut.docx"))

    # Each format's own word finds it, and only it.
    for word, name in (("Wakefield", "agreement.docx"), ("Calderdale", "talk.pptx"), ("kinship", "talk.pptx"),
                       ("Kirklees", "terms.odt"), ("Barnsley", "minutes.doc"), ("Doncaster", "reply.pdf")):
        found = search(res.index, SearchRequest(q=word))
        assert [int(hit.id) for hit in found.hits] == [lines[name]["id"]], word
    with res.sessions() as session:
        stored = {f.original_name: f for f in session.scalars(select(ItemFile))}
        assert stored["agreement.docx"].item.title == "Wakefield information-sharing agreement"
        assert [a.name for a in stored["agreement.docx"].item.authors] == ["Ann Example"]
        assert stored["minutes.doc"].item.title.startswith("Barnsley hub minutes") or \
            stored["minutes.doc"].item.title.startswith("Minutes of the Barnsley")
        assert stored["talk.pptx"].page_count == 1
        # Stored under the format's own suffix, byte for byte.
        for name, item_file in stored.items():
            path = res.files.path_for(item_file.sha256, item_file.format)
            assert path.suffix == f".{item_file.format}" and path.read_bytes() == (folder / name).read_bytes()
        ocr = session.scalars(select(PageText.ocr).join(ItemFile).where(ItemFile.original_name == "reply.pdf"))
        assert list(ocr) == [True]
        assert session.scalar(select(func.count()).select_from(PageText).where(PageText.ocr.is_(True))) == 1

    again = tmp_path / "again.jsonl"
    result = runner.invoke(args=["ingest", str(folder), "--report", str(again)])
    assert {line["status"] for name, line in _report(again).items() if name in formats} == {"duplicate"}


@pytest.fixture
def ingested(app, runner, res, tmp_path):
    """Ingest one Word file, one slide deck and one scan; return {file name: item id}."""
    folder = tmp_path / "in"
    folder.mkdir()
    office.word_docx(folder / "agreement.docx", TERMS, heading="Rotherham information-sharing agreement")
    office.slides_pptx(folder / "talk.pptx", [("Front door practice", "Why teams share early", "")])
    office.scanned_pdf(folder / "reply.pdf", ["Freedom of information reply\nThe genogram register\n"
                                              "is kept by Rotherham council."])
    report = tmp_path / "r.jsonl"
    assert runner.invoke(args=["ingest", str(folder), "--report", str(report)]).exit_code == 0
    return {name: line["id"] for name, line in _report(report).items()}


def test_item_page_says_the_format_and_the_download_carries_its_content_type(client, ingested):
    page = client.get(f"/items/{ingested['agreement.docx']}").get_data(as_text=True)
    assert "Download the Word document" in page and "Word document (.docx)" in page
    assert f'href="/items/{ingested["agreement.docx"]}/file.docx"' in page
    assert "recognised from a scan" not in page
    download = client.get(f"/items/{ingested['agreement.docx']}/file.docx")
    assert download.status_code == 200
    assert download.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert download.headers["Content-Disposition"] == (
        'attachment; filename=rotherham-information-sharing-agreement.docx')
    assert download.data[:2] == b"PK"
    # A link that names another format is sent to the right one.
    moved = client.get(f"/items/{ingested['agreement.docx']}/file.pdf")
    assert moved.status_code == 302 and moved.headers["Location"].endswith("/file.docx")
    slides = client.get(f"/items/{ingested['talk.pptx']}").get_data(as_text=True)
    assert "PowerPoint slides (.pptx)" in slides and "1 slide)" in slides
    assert client.get(f"/items/{ingested['talk.pptx']}/file.pptx").mimetype.endswith("presentationml.presentation")


def test_a_scan_says_its_text_was_recognised_and_is_found_by_it(client, res, ingested):
    item_id = ingested["reply.pdf"]
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "The text of this file was recognised from a scan" in page
    assert "Recognised from a scan (OCR)" in page
    found = search(res.index, SearchRequest(q="genogram register"))
    assert item_id in [int(hit.id) for hit in found.hits]
    passages = client.get(f"/items/{item_id}?q=genogram").get_data(as_text=True)
    assert "Page 1 (text recognised from a scan):" in passages


def _upload(client, data: bytes, name: str):
    return deposit_file(client, data, name)


@pytest.fixture
def depositor(client, res):
    make_user(res, "dep@example.org", "depositor")
    assert sign_in(client, "dep@example.org").status_code == 302
    return client


def test_a_word_file_is_deposited_with_its_title_and_a_scan_with_its_guesses_marked(app, depositor, res, tmp_path):
    word = office.word_docx(tmp_path / "Agreement FINAL v3.docx", TERMS, heading="Sefton data-sharing protocol")
    response = _upload(depositor, word.read_bytes(), word.name)
    assert response.status_code == 302, response.get_data(as_text=True)
    item_id = int(response.headers["Location"].split("/")[-2])
    with res.sessions() as session:
        item = session.get(Item, item_id)
        assert item.title == "Sefton data-sharing protocol"
        assert item.current_file.format == "docx" and item.current_file.original_name == word.name
    assert res.files.path_for(item.current_file.sha256, "docx").is_file()

    scan = office.scanned_pdf(tmp_path / "upload-3sd0oik8.pdf", ["Statement of the Wirral panel\n"
                                                                 "about sharing records."])
    response = _upload(depositor, scan.read_bytes(), scan.name)
    assert response.status_code == 302
    scan_id = int(response.headers["Location"].split("/")[-2])
    edit = depositor.get(f"/deposit/{scan_id}/edit").get_data(as_text=True)
    assert "we have marked the ones we are least sure of" in edit
    assert "Check this: we guessed it from your file" in edit
    with res.sessions() as session:
        scanned = session.get(Item, scan_id)
        assert "upload" not in scanned.title.lower() and "wirral" in scanned.title.lower()
        assert "title" in scanned.unsure_fields.split(",")
        form = {"type": scanned.type, "title": "Wirral panel statement", "authors": "Wirral panel",
                "abstract": "", "summary": "", "year": "2019", "event": "", "places": "", "licence": "",
                "access": "open", "embargo_until": "", "readers": "", "themes": [], "save": "y"}
    assert depositor.post(f"/deposit/{scan_id}/edit", data=form).status_code == 302
    assert "Check this" not in depositor.get(f"/deposit/{scan_id}/edit").get_data(as_text=True)


@pytest.mark.parametrize("kind, message", [
    ("bomb", "it looks like a ZIP bomb"),
    ("macros", "it contains macros"),
    ("program", "must be a PDF, Word, OpenDocument text or PowerPoint file"),
    ("spreadsheet", "it is an Excel spreadsheet"),
    ("old slides", "This file is not one, whatever its name says (it is an old PowerPoint file, .ppt); "
                   "save it as .pptx or PDF to deposit it"),
])
def test_hostile_uploads_are_refused_with_a_reason_and_leave_nothing(app, depositor, res, tmp_path, kind, message):
    path = tmp_path / "paper.docx"
    if kind == "bomb":
        office.zip_bomb(path)
    elif kind == "macros":
        office.with_macros(office.word_docx(tmp_path / "plain.docx", TERMS), path)
    elif kind == "program":
        path.write_bytes(b"MZ\x90\x00\x03" + b"\x00" * 400)
    elif kind == "old slides":
        office.legacy_powerpoint(path)
    else:
        office.spreadsheet_xlsx(path)
    response = _upload(depositor, path.read_bytes(), path.name)
    page = response.get_data(as_text=True)
    # 400 when its first bytes refuse it at upload; 422 when reading it in the background does.
    assert response.status_code in (400, 422) and message in page
    with res.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 0
    assert not res.files.root.exists() or not any(p.is_file() for p in res.files.root.rglob("*"))
    uploads = Path(app.instance_path) / "uploads"
    assert not uploads.exists() or list(uploads.iterdir()) == []
