"""Bulk ingest through the CLI: report lines, idempotency, rejections, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from indexer.search import SearchRequest, search
from repository.models import Item, ItemFile, PageText
from tests.indexer.pdfs import encrypted_pdf, image_only_pdf, text_pdf, truncated_pdf


def _report(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _papers(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [
        text_pdf(folder / "abuse.pdf",
                 ["Risk conferences and domestic abuse\nAnn Example\n\nAbstract\nHow MARAC partners "
                  "share information about victims at high risk of domestic abuse.",
                  "Second page about safety plans and the independent domestic violence adviser."]),
        text_pdf(folder / "standards.pdf",
                 ["Shared vocabularies for case records\nBen Sample\n\nAbstract\nInformation standards "
                  "and terminology let a case management system exchange records with partners."]),
    ]


def test_ingest_records_stores_and_indexes_each_file(app, runner, res, tmp_path):
    _papers(tmp_path / "in")
    report = tmp_path / "report.jsonl"

    result = runner.invoke(args=["ingest", str(tmp_path / "in"), "--report", str(report), "--jobs", "2"])

    assert result.exit_code == 0, result.output
    assert "2 ingested, 0 duplicate(s), 0 rejected" in result.output
    lines = _report(report)
    assert sorted(line["path"].rsplit("/", 1)[-1] for line in lines) == ["abuse.pdf", "standards.pdf"]
    assert {line["status"] for line in lines} == {"ingested"}
    fields = {"path", "status", "reason", "pages", "id", "indexed", "format", "ocr_pages"}
    assert all(set(line) == fields for line in lines)
    assert all(line["indexed"] is True for line in lines)
    pages = {line["path"].rsplit("/", 1)[-1]: line["pages"] for line in lines}
    assert pages == {"abuse.pdf": 2, "standards.pdf": 1}

    with res.sessions() as session:
        stored = session.scalars(select(ItemFile)).all()
        assert len(stored) == 2
        for item_file in stored:
            assert res.files.path_for(item_file.sha256).read_bytes()[:5] == b"%PDF-"
        abuse = session.scalar(select(Item).where(Item.title.like("Risk conferences%")))
        assert abuse is not None and abuse.status == "published"
        assert "domestic-abuse" in [theme.slug for theme in abuse.themes]
        assert session.scalar(select(func.count(PageText.id))) == 3

    found = search(res.index, SearchRequest(q="independent adviser"))
    assert [hit.id for hit in found.hits] == [str(abuse.id)]


def test_second_run_reports_duplicates_and_changes_nothing(app, runner, res, tmp_path):
    _papers(tmp_path / "in")
    assert runner.invoke(args=["ingest", str(tmp_path / "in")]).exit_code == 0
    with res.sessions() as session:
        before = session.scalar(select(func.count(Item.id)))
    fingerprints = res.index.fingerprints()

    report = tmp_path / "again.jsonl"
    result = runner.invoke(args=["ingest", str(tmp_path / "in"), "--report", str(report)])

    assert result.exit_code == 0, result.output
    assert "0 ingested, 2 duplicate(s)" in result.output
    assert {line["status"] for line in _report(report)} == {"duplicate"}
    assert all(line["id"] is not None for line in _report(report))
    with res.sessions() as session:
        assert session.scalar(select(func.count(Item.id))) == before
    assert res.index.fingerprints() == fingerprints


def test_bad_files_are_rejected_with_reasons_and_the_batch_goes_on(app, runner, res, tmp_path):
    folder = tmp_path / "mixed"
    _papers(folder)
    encrypted_pdf(folder / "locked.pdf", "secret minutes", user_password="letmein")
    image_only_pdf(folder / "scan.pdf")
    truncated_pdf(folder / "cut.pdf", keep=0.3)
    (folder / "renamed.pdf").write_bytes(b"MZ\x90\x00" + b"\x00" * 500)
    (folder / "empty.pdf").write_bytes(b"")
    report = tmp_path / "report.jsonl"

    result = runner.invoke(args=["ingest", str(folder), "--report", str(report)])

    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = {Path(line["path"]).name: line for line in _report(report)}
    assert len(lines) == 7
    assert lines["abuse.pdf"]["status"] == lines["standards.pdf"]["status"] == "ingested"
    for name in ("locked.pdf", "scan.pdf", "renamed.pdf", "empty.pdf"):
        assert lines[name]["status"] == "rejected", name
        assert lines[name]["reason"], name
    assert "password" in lines["locked.pdf"]["reason"]
    assert "not a PDF" in lines["renamed.pdf"]["reason"]
    assert "empty" in lines["empty.pdf"]["reason"]
    assert "text" in lines["scan.pdf"]["reason"]
    # A truncated file may still yield text (pypdf repairs what it can) or be refused; never silently.
    assert lines["cut.pdf"]["status"] in ("ingested", "rejected") and (
        lines["cut.pdf"]["status"] == "ingested" or lines["cut.pdf"]["reason"])
    assert "rejected: " in result.output
    with res.sessions() as session:
        assert session.scalar(select(func.count(Item.id))) == sum(
            1 for line in lines.values() if line["status"] == "ingested")


def test_batch_options_apply_to_every_item(app, runner, res, tmp_path):
    _papers(tmp_path / "in")
    result = runner.invoke(args=["ingest", str(tmp_path / "in"), "--type", "report", "--theme", "commissioning",
                                 "--place", "Blackpool", "--access", "registered"])
    assert result.exit_code == 0, result.output
    with res.sessions() as session:
        for item in session.scalars(select(Item)):
            assert item.type == "report"
            assert item.access == "registered"
            assert "commissioning" in [theme.slug for theme in item.themes]
            assert [place.name for place in item.places] == ["Blackpool"]
    assert search(res.index, SearchRequest(q="abuse")).total == 0  # anonymous may not see them
    assert search(res.index, SearchRequest(q="abuse", principals=["public", "registered"])).total == 1


def test_unknown_theme_or_event_stops_before_any_work(app, runner, res, tmp_path):
    _papers(tmp_path / "in")
    result = runner.invoke(args=["ingest", str(tmp_path / "in"), "--theme", "no-such-theme"])
    assert result.exit_code == 2
    assert "no theme with the slug 'no-such-theme'" in result.output
    result = runner.invoke(args=["ingest", str(tmp_path / "in"), "--event", "nowhere"])
    assert result.exit_code == 2
    with res.sessions() as session:
        assert session.scalar(select(func.count(Item.id))) == 0


def test_folder_without_documents_is_a_usage_error(app, runner, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("nothing here")
    result = runner.invoke(args=["ingest", str(tmp_path / "notes")])
    assert result.exit_code == 2
    assert "no documents (.pdf, .docx, .doc, .odt, .pptx) found" in result.output


def test_bulk_ingest_is_recorded_in_each_items_audit_log(app, runner, res, tmp_path):
    from repository.services.audit import entries_for

    _papers(tmp_path / "in")
    assert runner.invoke(args=["ingest", str(tmp_path / "in")]).exit_code == 0
    with res.sessions() as session:
        for item in session.scalars(select(Item)):
            [entry] = entries_for(session, item)
            assert (entry.action, entry.actor, entry.message) == ("created", "system", "bulk ingest")


def test_a_locked_index_loses_no_record_and_the_same_command_again_heals(app, runner, res, tmp_path):
    from whoosh.index import open_dir

    from indexer.search.store import INDEX_NAME

    _papers(tmp_path / "in")
    res.index.lock_timeout = 0.5
    assert res.index.fingerprints() == {}  # the index exists, empty
    held = open_dir(str(res.index_path), indexname=INDEX_NAME).writer()  # someone else holds the index
    try:
        result = runner.invoke(args=["ingest", str(tmp_path / "in"), "--report", str(tmp_path / "r.jsonl")])
    finally:
        held.cancel()

    assert result.exit_code == 1
    assert "2 recorded item(s) are not searchable yet" in result.output
    assert "0 rejected, 2 not searchable" in result.output
    report = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [(r["status"], r["indexed"]) for r in report] == [("ingested", False)] * 2
    with res.sessions() as session:
        assert session.scalar(select(func.count(Item.id))) == 2
    assert runner.invoke(args=["check-index"]).exit_code == 1

    # The same command again: duplicates for the database, not for the index.
    again = runner.invoke(args=["ingest", str(tmp_path / "in"), "--report", str(tmp_path / "r2.jsonl")])
    assert again.exit_code == 0, again.output
    assert "2 duplicate(s), 0 rejected, 0 not searchable" in again.output
    report = [json.loads(line) for line in (tmp_path / "r2.jsonl").read_text().splitlines()]
    assert [(r["status"], r["indexed"]) for r in report] == [("duplicate", True)] * 2
    assert runner.invoke(args=["check-index"]).exit_code == 0
    assert search(res.index, SearchRequest(q="adviser")).total == 1


def test_index_feeder_commits_while_waiting_for_slow_files(app, res):
    import time

    from indexer.search.store import IndexStore
    from repository.db import transaction
    from repository.follower import IndexFollower
    from repository.ingestion import IndexFeeder
    from repository.services.items import ItemData, create_item

    def record(title: str) -> None:
        with transaction(res.sessions) as session:
            create_item(session, ItemData(title=title))

    follower = IndexFollower(res.sessions, res.index)
    follower.rebuild_if_needed()  # a new index gets its first checkpoint, as Ingester.run does
    feeder = IndexFeeder(follower, idle_seconds=0.1)
    try:
        record("Blackpool early help")
        feeder.wake()
        deadline = time.monotonic() + 5
        while search(res.index, SearchRequest(q="blackpool")).total == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        # Searchable, and the lock is free for another writer, while the batch is still open.
        assert search(res.index, SearchRequest(q="blackpool")).total == 1
        with IndexStore(res.index_path, lock_timeout=0.5).writer() as writer:
            writer.commit()
        record("Bradford family hubs")
        feeder.wake()
    finally:
        feeder.close()
    assert search(res.index, SearchRequest(q="bradford")).total == 1
    assert feeder.errors == []
