"""Deposit through the web: upload, prefilled form, drafts, submission, versions, hostile files."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from indexer.extraction.extract import extract_file
from indexer.search import SearchRequest, search
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.models import AuditEntry, Item, ItemFile
from repository.services.readability import count_syllables, readability
from tests.conftest import apply_changes
from tests.indexer.pdfs import garbage_pdf

from .people import deposit_file, make_pdf, make_user, pdf_bytes, sign_in

TEXT = ("Information sharing between police and councils about domestic abuse. Multi-agency risk "
        "assessment conferences (MARAC) share risk information about victims so that partners can act.")


def _upload(client, data: bytes, name: str = "paper.pdf", url: str = "/deposit/new"):
    if url == "/deposit/new":
        return deposit_file(client, data, name)
    return client.post(url, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _count(res, model) -> int:
    with res.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def _stored_files(res) -> list[Path]:
    return [p for p in res.files.root.rglob("*") if p.is_file()] if res.files.root.exists() else []


def _leftover_uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def depositor(client, res):
    """Sign the client in as a depositor."""
    make_user(res, "dep@example.org", "depositor", name="Dee Positor")
    assert sign_in(client, "dep@example.org").status_code == 302
    return client


def _form_for(item: Item, **overrides) -> dict:
    data = {"type": item.type, "title": item.title, "authors": "Ann Example\nBob Person",
            "abstract": item.abstract, "summary": "", "year": "2015", "event": "", "places": "Leeds",
            "licence": "CC-BY-4.0", "access": "open", "embargo_until": "", "readers": "",
            "themes": [t.slug for t in item.themes], "save": "y"}
    data.update(overrides)
    return data


def _item(res, item_id: int) -> Item:
    session = res.sessions()
    return session.get(Item, item_id)


def test_upload_makes_a_draft_prefilled_from_the_file(app, depositor, res, tmp_path):
    pdf = make_pdf(tmp_path / "marac.pdf", [TEXT], title="Sharing risk at MARAC", author="Ann Example")
    expected = extract_file(pdf)
    response = _upload(depositor, pdf.read_bytes(), "marac.pdf")
    assert response.status_code == 302
    item_id = int(response.headers["Location"].split("/")[-2])
    item = _item(res, item_id)
    assert item.status == "draft" and item.depositor.email == "dep@example.org"
    assert item.title == (expected.suggestion.title or "marac")
    assert [a.name for a in item.authors] == expected.suggestion.authors
    assert "domestic-abuse" in [t.slug for t in item.themes]  # suggested from the text
    assert item.current_file.page_count == 1 and item.current_file.original_name == "marac.pdf"
    assert res.files.exists(item.current_file.sha256)
    page = depositor.get(f"/deposit/{item_id}/edit").get_data(as_text=True)
    assert "We have filled in the title" in page
    assert f'value="{item.title}"' in page
    assert 'value="domestic-abuse" checked' in page
    assert _leftover_uploads(app) == []
    with res.sessions() as session:
        assert session.scalars(select(AuditEntry.action)).all() == ["created"]


def test_saving_a_draft_shows_the_reading_age_of_the_summary(depositor, res, tmp_path):
    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    summary = ("We looked at how councils and police share what they know. Sharing early helped. "
               "Staff needed clear rules.")
    response = depositor.post(f"/deposit/{item_id}/edit", data=_form_for(_item(res, item_id), summary=summary,
                                                                         title="Sharing what we know"))
    assert response.status_code == 302
    page = depositor.get(f"/deposit/{item_id}/edit").get_data(as_text=True)
    assert "Your draft has been saved" in page
    assert f"reading age of about {readability(summary).reading_age} years" in page
    item = _item(res, item_id)
    assert item.title == "Sharing what we know" and [a.name for a in item.authors] == ["Ann Example", "Bob Person"]
    assert [p.slug for p in item.places] == ["leeds"] and item.licence == "CC-BY-4.0"
    with res.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "updated")).one()
        assert entry.changes["title"][1] == "Sharing what we know" and entry.actor == "dep@example.org"


def test_submit_for_review_needs_an_author_and_then_waits_for_an_editor(depositor, res, tmp_path):
    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    no_author = _form_for(_item(res, item_id), authors="", submit_for_review="y")
    no_author.pop("save")
    response = depositor.post(f"/deposit/{item_id}/edit", data=no_author, follow_redirects=True)
    assert "cannot be submitted yet: Enter at least one author" in response.get_data(as_text=True)
    assert _item(res, item_id).status == "draft"
    ready = _form_for(_item(res, item_id), submit_for_review="y")
    ready.pop("save")
    response = depositor.post(f"/deposit/{item_id}/edit", data=ready, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Your deposit has been submitted" in page and "With the editors" in page
    assert _item(res, item_id).status == "submitted"
    # A submission is with the editors: the depositor can no longer change it.
    assert depositor.get(f"/deposit/{item_id}/edit").status_code == 302


def test_form_errors_are_shown_not_raised(depositor, res, tmp_path):
    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    bad = _form_for(_item(res, item_id), title="", access="embargoed", embargo_until="", year="12")
    response = depositor.post(f"/deposit/{item_id}/edit", data=bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "Enter a title" in page
    assert "Enter the date the embargo ends" in page and "Enter a year between 1900 and 2100" in page
    not_an_address = _form_for(_item(res, item_id), access="restricted", readers="nobody-at-example.org")
    page = depositor.post(f"/deposit/{item_id}/edit", data=not_an_address).get_data(as_text=True)
    assert "Enter each named reader as an email address" in page


def test_embargo_date_must_be_in_the_future(depositor, res, tmp_path):
    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    past = _form_for(_item(res, item_id), access="embargoed", embargo_until=yesterday)
    assert "must be in the future" in depositor.post(f"/deposit/{item_id}/edit", data=past).get_data(as_text=True)
    future = _form_for(_item(res, item_id), access="embargoed", embargo_until="2031-05-01")
    assert depositor.post(f"/deposit/{item_id}/edit", data=future).status_code == 302
    assert _item(res, item_id).embargo_until == date(2031, 5, 1)


@pytest.mark.parametrize("name, content, message", [
    ("report.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 500, "must be a PDF"),
    ("empty.pdf", b"", "The selected file is empty"),
])
def test_hostile_uploads_are_refused_and_leave_nothing(app, depositor, res, name, content, message):
    response = _upload(depositor, content, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(res, Item) == 0 and _count(res, ItemFile) == 0
    assert _stored_files(res) == [] and _leftover_uploads(app) == []


def test_an_encrypted_pdf_is_refused_with_a_clear_message(app, depositor, res, tmp_path):
    locked = make_pdf(tmp_path / "locked.pdf", [TEXT], encrypt_with="secret-password")
    response = _upload(depositor, locked.read_bytes(), "locked.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "cannot be deposited" in page and "password" in page
    assert _count(res, Item) == 0 and _stored_files(res) == [] and _leftover_uploads(app) == []


def test_a_damaged_pdf_is_refused_in_plain_words_not_the_parser_s(app, depositor, res, tmp_path):
    damaged = garbage_pdf(tmp_path / "damaged.pdf")
    assert "Stream has ended unexpectedly" in extract_file(damaged).reason  # what pypdf says
    response = _upload(depositor, damaged.read_bytes(), "damaged.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "damaged or incomplete" in page and "Save or export it again" in page
    assert "Stream has ended" not in page and "damaged PDF:" not in page
    assert _count(res, Item) == 0 and _stored_files(res) == [] and _leftover_uploads(app) == []


def test_a_pdf_without_text_is_refused(app, depositor, res, tmp_path):
    blank = make_pdf(tmp_path / "blank.pdf", [""])
    response = _upload(depositor, blank.read_bytes(), "blank.pdf")
    assert response.status_code == 422 and "no text layer" in response.get_data(as_text=True)
    assert _count(res, Item) == 0 and _stored_files(res) == [] and _leftover_uploads(app) == []


def test_the_same_file_cannot_be_deposited_twice(depositor, res, tmp_path):
    data = pdf_bytes(tmp_path, [TEXT])
    assert _upload(depositor, data).status_code == 302
    again = _upload(depositor, data)
    assert again.status_code == 422 and "already been deposited" in again.get_data(as_text=True)
    assert _count(res, Item) == 1


@pytest.fixture
def small_limit_app(tmp_path):
    """An app that accepts uploads of at most 1 MB."""
    application = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False, "MAX_UPLOAD_MB": 1},
                             instance_path=tmp_path / "small")
    with application.app_context():
        prepare_database()
    yield application
    application.extensions["repository"].engine.dispose()


@pytest.mark.parametrize("size", [2**20 + 10, 3 * 2**20])
def test_oversized_uploads_are_refused(small_limit_app, size):
    client = small_limit_app.test_client()
    with small_limit_app.app_context():
        res = resources()
        make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    content = b"%PDF-1.4\n" + b"0" * size
    response = _upload(client, content, "big.pdf")
    # Just over the limit: our own check; far over it: the request itself is refused (413).
    assert response.status_code in (400, 413)
    assert "too large. It must be smaller than 1 MB" in response.get_data(as_text=True)
    with small_limit_app.app_context():
        assert _count(resources(), Item) == 0 and _stored_files(resources()) == []
    assert _leftover_uploads(small_limit_app) == []


def test_readers_cannot_deposit_and_strangers_cannot_edit(client, res, tmp_path):
    make_user(res, "reader@example.org", "reader")
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "other@example.org", "depositor")
    assert client.get("/deposit/new").status_code == 302  # anonymous: sign in first
    sign_in(client, "reader@example.org")
    forbidden = client.get("/deposit/new")
    assert forbidden.status_code == 403 and "Ask an editor to make you a depositor" in forbidden.get_data(as_text=True)
    client.post("/account/sign-out")
    sign_in(client, "dep@example.org")
    item_id = int(_upload(client, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    client.post("/account/sign-out")
    sign_in(client, "other@example.org")
    assert client.get(f"/deposit/{item_id}/edit").status_code == 404
    assert client.post(f"/deposit/{item_id}/delete").status_code == 404
    assert "You have not deposited anything yet" in client.get("/deposit/").get_data(as_text=True)


def test_deleting_a_draft_removes_its_file(depositor, res, tmp_path):
    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    assert len(_stored_files(res)) == 1
    response = depositor.post(f"/deposit/{item_id}/delete", data={"confirm": "yes"}, follow_redirects=True)
    assert "The draft has been deleted" in response.get_data(as_text=True)
    assert _count(res, Item) == 0 and _stored_files(res) == []


def test_a_new_version_of_a_published_item_is_indexed_once_accepted_and_the_old_one_kept(depositor, res, tmp_path):
    from repository.db import transaction
    from repository.services import moderation
    from repository.services.accounts import get_user_by_email

    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT], "v1.pdf")).headers["Location"].split("/")[-2])
    make_user(res, "ed@example.org", "editor")
    with transaction(res.sessions) as session:
        item = session.get(Item, item_id)
        item.authors  # noqa: B018 - loaded for the checks
        from repository.models import ItemAuthor
        item.authors.append(ItemAuthor(position=0, name="Ann Example"))
        item.status = "submitted"
        moderation.publish(session, item, get_user_by_email(session, "ed@example.org"))
    second = pdf_bytes(tmp_path, [TEXT + " The second edition adds a zygomorphic appendix."], "v2.pdf")
    response = _upload(depositor, second, "v2.pdf", url=f"/deposit/{item_id}/version")
    assert response.status_code == 302
    item = _item(res, item_id)
    assert [f.version for f in item.files] == [1, 2] and item.current_file.version == 1
    assert item.pending_file.original_name == "v2.pdf"
    assert all(res.files.exists(f.sha256) for f in item.files)
    # It waits for an editor (tests/repository/test_new_versions.py follows the review through the pages).
    with transaction(res.sessions) as session:
        moderation.accept_version(session, session.get(Item, item_id), get_user_by_email(session, "ed@example.org"))
    assert _item(res, item_id).current_file.original_name == "v2.pdf"
    apply_changes(res)
    found = search(res.index, SearchRequest(q="zygomorphic"))
    assert [hit.id for hit in found.hits] == [str(item_id)]
    with res.sessions() as session:
        assert "new_version" in session.scalars(select(AuditEntry.action)).all()


def test_reading_age_counts():
    assert count_syllables("cat") == 1 and count_syllables("table") == 2 and count_syllables("information") == 4
    easy = readability("The cat sat on the mat. It was a good cat.")
    hard = readability("Interorganisational information exchange necessitates comprehensive, "
                       "legislatively grounded governance arrangements.")
    assert easy.reading_age < hard.reading_age and easy.sentences == 2 and easy.words == 11
    assert readability("").describe().startswith("There is no summary")


def test_editing_keeps_what_the_form_does_not_show(res):
    from repository.db import transaction
    from repository.services.accounts import get_user_by_email
    from repository.services.deposits import update_item
    from repository.services.items import AuthorData, ItemData, create_item

    make_user(res, "ed@example.org", "editor")
    with transaction(res.sessions) as session:
        item = create_item(session, ItemData(title="Old", date=date(2014, 5, 2), status="submitted",
                                             authors=[AuthorData("Ann Example", "University of Leeds",
                                                                 "0000-0002-1825-0097")]))
        renamed = ItemData(title="New", authors=[AuthorData("Ann Example"), AuthorData("Bob")])
        changes = update_item(session, item, renamed,
                              get_user_by_email(session, "ed@example.org"))
        assert item.date == date(2014, 5, 2) and item.year == 2014
        assert [(a.name, a.affiliation, a.orcid) for a in item.authors] == [
            ("Ann Example", "University of Leeds", "0000-0002-1825-0097"), ("Bob", "", None)]
        assert changes["title"] == ["Old", "New"] and changes["authors"] == [["Ann Example"], ["Ann Example", "Bob"]]
        assert "date" not in changes


def test_only_confirmed_addresses_are_granted_as_readers(depositor, res, tmp_path):
    from repository.db import transaction
    from repository.services.accounts import register_user

    with transaction(res.sessions) as session:
        register_user(session, "claimed@example.org", "Someone", "a long pass phrase")
    item_id = int(_upload(depositor, pdf_bytes(tmp_path, [TEXT])).headers["Location"].split("/")[-2])
    form = _form_for(_item(res, item_id), access="restricted", readers="claimed@example.org")
    response = depositor.post(f"/deposit/{item_id}/edit", data=form)
    # Accepted like any address (the answer must not say who is registered); not granted until confirmed.
    assert response.status_code == 302
    item = _item(res, item_id)
    assert item.grants == [] and [invite.email for invite in item.invites] == ["claimed@example.org"]
