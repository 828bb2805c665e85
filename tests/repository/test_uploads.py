"""Deposited files are read in the background: the page follows the upload, a worker reads it."""

from __future__ import annotations

import io
import subprocess
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from repository.db import transaction
from repository.models import Item, Upload
from repository.services.accounts import get_user_by_email
from tests.serving import PROJECT, environment, flask_command

from .people import deposit_file, make_user, pdf_bytes, sign_in

TEXT = "Information sharing between schools and children's social care, and what consent means for it."


@pytest.fixture
def depositor(client, res):
    make_user(res, "dep@example.org", "depositor", name="Dee Positor")
    assert sign_in(client, "dep@example.org").status_code == 302
    return client


def _waiting_upload(res, email: str, *, age: timedelta = timedelta(0), name: str = "report.pdf") -> int:
    """Record an upload still being read, as a job that has not run yet leaves it."""
    with transaction(res.sessions) as session:
        upload = Upload(user_id=get_user_by_email(session, email).id, file_name=name, spool_name="x.upload",
                        state="reading", message="", created_at=datetime.now(timezone.utc) - age)
        session.add(upload)
        session.flush()
        return upload.id


def test_an_upload_is_answered_at_once_and_read_in_the_background(depositor, res, tmp_path):
    final = deposit_file(depositor, pdf_bytes(tmp_path, [TEXT], title="Consent in schools"))
    assert final.status_code == 302 and "/edit" in final.headers["Location"]
    with res.sessions() as session:
        upload = session.scalars(select(Upload)).one()
        assert upload.state == "done" and upload.item_id is not None and upload.finished_at is not None
        assert session.get(Item, upload.item_id).title == "Consent in schools"
    assert not list((res.files.root / "incoming").iterdir())  # the spooled copy is gone
    page = depositor.get(final.headers["Location"]).get_data(as_text=True)
    assert "We have filled in the title" in page


def test_the_page_says_the_file_is_being_read_and_the_state_is_asked_for(depositor, res):
    upload_id = _waiting_upload(res, "dep@example.org")
    page = depositor.get(f"/deposit/uploads/{upload_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "We are reading your file" in text and "report.pdf" in text and "Check again" in text
    assert depositor.get(f"/deposit/uploads/{upload_id}.json").get_json() == {"state": "reading"}


def test_an_upload_whose_job_was_lost_says_so_instead_of_waiting_for_ever(depositor, res):
    upload_id = _waiting_upload(res, "dep@example.org", age=timedelta(hours=2))
    page = depositor.get(f"/deposit/uploads/{upload_id}")
    assert page.status_code == 422
    assert "Reading your file was interrupted" in page.get_data(as_text=True)
    with res.sessions() as session:
        assert session.get(Upload, upload_id).state == "failed"


def test_nobody_else_sees_an_upload(client, res):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "other@example.org", "depositor")
    upload_id = _waiting_upload(res, "dep@example.org")
    assert client.get(f"/deposit/uploads/{upload_id}").status_code == 302  # anonymous: sign in first
    sign_in(client, "other@example.org")
    assert client.get(f"/deposit/uploads/{upload_id}").status_code == 404
    assert client.get(f"/deposit/uploads/{upload_id}.json").status_code == 404
    assert client.get(f"/deposit/uploads/{upload_id + 1}").status_code == 404


@pytest.mark.postgresql_only("the job queue is procrastinate's, in PostgreSQL; SQLite reads in the web process")
def test_a_worker_process_reads_the_upload_from_the_queue(app, depositor, res, tmp_path):
    response = depositor.post("/deposit/new", data={"file": (io.BytesIO(pdf_bytes(tmp_path, [TEXT])), "a.pdf")},
                              content_type="multipart/form-data")
    status_page = response.headers["Location"]
    assert depositor.get(status_page).status_code == 200  # waiting: no worker runs yet
    with res.sessions() as session:
        assert session.scalar(select(Upload.state)) == "reading"
    worker = subprocess.Popen(flask_command("worker"), cwd=PROJECT, env=environment(app.instance_path),
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while (response := depositor.get(status_page)).status_code == 200:
            assert time.monotonic() < deadline and worker.poll() is None, worker.stderr.read().decode()[-2000:]
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    with res.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item)) == 1
