"""`ingest --queue`: a batch handed to the job workers, followed with ingest-status."""

from __future__ import annotations

import json

import pytest

from indexer.search import SearchRequest, search
from tests.conftest import apply_changes

from .people import make_pdf


def _batch(folder):
    folder.mkdir()
    make_pdf(folder / "one.pdf", ["Information sharing agreements in Wakefield, and what they say about consent."])
    make_pdf(folder / "two.pdf", ["Early help panels in Wakefield and how schools bring families to them."])
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")  # cut short
    return folder


@pytest.mark.postgresql_only("the job queue is procrastinate's, in PostgreSQL")
def test_a_queued_batch_is_read_by_a_worker_and_reported(app, runner, res, tmp_path):
    folder = _batch(tmp_path / "in")
    queued = runner.invoke(args=["ingest", "--queue", "--theme", "multi-agency-working", str(folder)])
    assert queued.exit_code == 0, queued.output
    batch = queued.output.split("queued as batch ")[1].split(".")[0]
    waiting = runner.invoke(args=["ingest-status", batch])
    assert "3 file(s): 0 ingested, 0 duplicate(s), 0 rejected, 3 waiting." in waiting.output

    worked = runner.invoke(args=["worker", "--once"])
    assert worked.exit_code == 0, worked.output
    report = tmp_path / "report.jsonl"
    status = runner.invoke(args=["ingest-status", batch, "--report", str(report)])
    assert status.exit_code == 1  # one file was rejected
    assert "3 file(s): 2 ingested, 0 duplicate(s), 1 rejected, 0 waiting." in status.output
    assert f"rejected: {folder / 'broken.pdf'}" in status.output
    lines = {json.loads(line)["path"]: json.loads(line) for line in report.read_text().splitlines()}
    assert lines[str(folder / "one.pdf")]["status"] == "ingested"
    assert not list((res.files.root / "incoming").iterdir())  # the spool is empty again

    # The worker wrote no index: this node's indexer applies the new items from the change log.
    assert search(res.index, SearchRequest(q="Wakefield")).total == 0
    apply_changes(res)
    assert search(res.index, SearchRequest(q="Wakefield", filters={"themes": ["multi-agency-working"]})).total == 2


@pytest.mark.sqlite_only("what SQLite says: there is no job queue to hand the batch to")
def test_queueing_a_batch_on_sqlite_says_to_read_it_here(app, runner, tmp_path):
    result = runner.invoke(args=["ingest", "--queue", str(_batch(tmp_path / "in"))])
    assert result.exit_code == 2
    assert "--queue needs the job queue of a PostgreSQL deployment" in result.output
