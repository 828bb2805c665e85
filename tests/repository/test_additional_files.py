"""An item's additional files through the real app: upload, search, their own access, relabel, removal."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from indexer.extraction.extract import extract_file
from indexer.search import SearchRequest, search
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.models import AdditionalFile, AuditEntry, Item, ItemAuthor
from repository.services import moderation
from repository.services.access import principals_for
from repository.services.accounts import get_user_by_email
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from tests.conftest import apply_changes
from tests.indexer import office

from . import pages
from .people import csrf_token, deposit_file, make_pdf, make_user, pdf_bytes, sign_in

MAIN = ("Information sharing between police and councils about domestic abuse. Multi-agency risk "
        "assessment conferences share risk information about victims so that partners can act.")
SLIDES = "Seminar slides on information sharing: the quillwort pilot in three councils and what it changed."


def _text(response) -> str:
    return response.get_data(as_text=True)


def _draft(client, tmp_path, name: str = "paper.pdf") -> int:
    """Deposit a PDF as the signed-in depositor; return the draft's id."""
    response = deposit_file(client, pdf_bytes(tmp_path, [MAIN], name), name)
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit"), _text(response)
    return int(response.headers["Location"].split("/")[-2])


def _add(client, item_id: int, data: bytes, name: str, *, label: str = "slides", access: str = "item",
         description: str = "", **extra):
    return client.post(f"/deposit/{item_id}/files/new", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), name), "label": label, "description": description,
                             "access": access, **extra})


def _slides(tmp_path, text: str = SLIDES, name: str = "slides.docx") -> bytes:
    return office.word_docx(tmp_path / name, [text, "Partners met every month."]).read_bytes()


def _publish(res, item_id: int, *, access: str = "open") -> None:
    """Give the draft an author and the access level, publish it as the editor, and let the indexer catch up."""
    with transaction(res.sessions) as session:
        item = session.get(Item, item_id)
        if not item.authors:
            item.authors.append(ItemAuthor(position=0, name="Ann Example"))
        item.access = access
        item.status = "submitted"
        moderation.publish(session, item, get_user_by_email(session, "ed@example.org"))
    apply_changes(res)


def _client_of(app, email: str | None):
    client = app.test_client()
    if email:
        assert sign_in(client, email).status_code == 302
    return client


@pytest.fixture
def depositor(client, res):
    make_user(res, "dep@example.org", "depositor", organisation="Leeds City Council")
    make_user(res, "ed@example.org", "editor")
    assert sign_in(client, "dep@example.org").status_code == 302
    return client


def test_an_additional_file_is_read_stored_listed_and_found(app, depositor, res, tmp_path):
    item_id = _draft(depositor, tmp_path)
    response = _add(depositor, item_id, _slides(tmp_path), "week3.docx", description="Leeds seminar")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/deposit/{item_id}/edit")
    edit = _text(depositor.get(response.headers["Location"]))
    assert "Slides: Leeds seminar" in edit and "week3.docx" in edit
    with res.sessions() as session:
        [attached] = session.scalars(select(AdditionalFile)).all()
        assert attached.format == "docx" and "quillwort" in attached.text and res.files.exists(attached.sha256, "docx")
        assert [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.item_id == item_id))] \
            == ["created", "file_added"]
        file_id = attached.id
    # A draft is never indexed: nobody finds it by its slides.
    apply_changes(res)
    assert search(res.index, SearchRequest(q="quillwort")).total == 0
    _publish(res, item_id)

    visitor = app.test_client()
    page = _text(visitor.get("/search?q=quillwort"))
    assert pages.result_ids(page) == [item_id] and "<mark>quillwort</mark>" in page
    answer = json.loads(_text(visitor.get("/api/v1/search?q=quillwort")))
    assert answer["total"] == 1 and answer["results"][0]["snippet"].startswith("Slides: Leeds seminar: ")
    # A word in both the main file and the slides counts the item once.
    assert json.loads(_text(visitor.get("/api/v1/search?q=councils")))["total"] == 1
    item_page = _text(visitor.get(f"/items/{item_id}"))
    assert f'href="/items/{item_id}/files/{file_id}.docx"' in item_page and "Slides: Leeds seminar" in item_page
    download = visitor.get(f"/items/{item_id}/files/{file_id}.docx")
    assert download.status_code == 200 and download.data.startswith(b"PK")
    assert visitor.get(f"/items/{item_id}/files/{file_id}.pdf").status_code == 302  # the right suffix
    record = json.loads(_text(visitor.get(f"/api/v1/items/{item_id}")))
    assert [(f["label"], f["format"]) for f in record["other_files"]] == [("slides", "docx")]


def test_two_readers_only_the_one_who_may_read_the_file_finds_it(app, depositor, res, tmp_path):
    """An open item with restricted slides: a colleague of the depositor finds them; another reader, nothing."""
    make_user(res, "colleague@example.org", "reader", organisation="Leeds City Council")
    make_user(res, "stranger@example.org", "reader", organisation="Bradford Council")
    item_id = _draft(depositor, tmp_path)
    assert _add(depositor, item_id, _slides(tmp_path), "slides.docx", access="restricted").status_code == 302
    _publish(res, item_id)
    with res.sessions() as session:
        file_id = session.scalars(select(AdditionalFile.id)).one()

    colleague = _client_of(app, "colleague@example.org")
    found = json.loads(_text(colleague.get("/api/v1/search?q=quillwort")))
    assert found["total"] == 1 and "<mark>quillwort</mark>" in found["results"][0]["snippet"]
    assert colleague.get(f"/items/{item_id}/files/{file_id}.docx").status_code == 200
    assert len(json.loads(_text(colleague.get(f"/api/v1/items/{item_id}")))["other_files"]) == 1
    arriving = _text(colleague.get(f"/items/{item_id}?q=quillwort"))
    assert "Slides:</span>" in arriving and "<mark>quillwort</mark>" in arriving

    for who in (None, "stranger@example.org"):
        client = _client_of(app, who)
        answer = json.loads(_text(client.get("/api/v1/search?q=quillwort")))
        assert answer["total"] == 0 and answer["results"] == [] and not answer["suggestion"], who
        page = _text(client.get("/search?q=quillwort"))
        assert pages.result_ids(page) == [] and "<mark>quillwort" not in page.lower()
        # Misspelt, it is not corrected towards a word only the slides hold.
        typo = json.loads(_text(client.get("/api/v1/search?q=quillwart")))
        assert "quillwort" not in (typo["suggestion"] or "")
        # A word of the main file still finds the item, with no snippet from the slides, counted once.
        both = json.loads(_text(client.get("/api/v1/search?q=councils quillwort")))
        assert both["total"] == 1 and "quillwort" not in json.dumps(both["results"]).lower()
        assert "pilot" not in json.dumps(json.loads(_text(client.get("/api/v1/search?q=pilot")))["results"])
        record = json.loads(_text(client.get(f"/api/v1/items/{item_id}")))
        assert record["other_files"] == [] and "quillwort" not in json.dumps(record)
        item_page = _text(client.get(f"/items/{item_id}"))
        assert "restricted: not available to you" in item_page and f"/files/{file_id}." not in item_page
        assert "<mark>quillwort" not in _text(client.get(f"/items/{item_id}?q=quillwort pilot")).lower()
        assert client.get(f"/items/{item_id}/files/{file_id}.docx").status_code == 404
        for export in ("csv", "ris", "bib"):
            assert "quillwort" not in _text(client.get(f"/search.{export}?q=councils quillwort")).lower()
    # The engine itself: no hit, no count, no facet for the stranger's principals.
    with app.app_context(), res.sessions() as session:
        stranger = get_user_by_email(session, "stranger@example.org")
        result = search(res.index, SearchRequest(q="quillwort", principals=principals_for(stranger)))
        assert result.total == 0 and result.hits == [] and not any(result.facets.values())
        colleague_user = get_user_by_email(session, "colleague@example.org")
        result = search(res.index, SearchRequest(q="quillwort", principals=principals_for(colleague_user)))
        assert [hit.id for hit in result.hits] == [str(item_id)] and result.hits[0].found_in == ["Slides"]
        assert dict(result.facets["type"]) == {"paper": 1}


def test_a_file_can_be_stricter_than_its_item_never_looser(app, depositor, res, tmp_path):
    make_user(res, "reader@example.org", "reader")
    item_id = _draft(depositor, tmp_path)
    # An open item's file kept to registered users.
    assert _add(depositor, item_id, _slides(tmp_path), "data.docx", label="data", access="registered").status_code \
        == 302
    _publish(res, item_id)
    with res.sessions() as session:
        file_id = session.scalars(select(AdditionalFile.id)).one()
    visitor, reader = app.test_client(), _client_of(app, "reader@example.org")
    assert json.loads(_text(visitor.get("/api/v1/search?q=quillwort")))["total"] == 0
    assert visitor.get(f"/items/{item_id}/files/{file_id}.docx").status_code == 404
    assert "available to registered users: sign in to read it" in _text(visitor.get(f"/items/{item_id}"))
    assert json.loads(_text(reader.get("/api/v1/search?q=quillwort")))["total"] == 1
    assert reader.get(f"/items/{item_id}/files/{file_id}.docx").status_code == 200

    # A registered item's form offers only "same as the item" and "restricted"; a looser choice is refused.
    second = _draft(depositor, tmp_path, "second.pdf")
    with transaction(res.sessions) as session:
        session.get(Item, second).access = "registered"
    form = _text(depositor.get(f"/deposit/{second}/files/new"))
    assert 'value="restricted"' in form and 'value="registered"' not in form
    assert "Only you, members of your organisation" in form  # each setting says what it means
    refused = _add(depositor, second, _slides(tmp_path, name="loose.docx"), "loose.docx", access="registered")
    assert refused.status_code == 400 and "Not a valid choice" in _text(refused)
    with res.sessions() as session:
        assert session.scalars(select(AdditionalFile).where(AdditionalFile.item_id == second)).all() == []

    # When the item is made stricter later, the stricter of the two settings wins.
    with transaction(res.sessions) as session:
        item = session.get(Item, item_id)
        item.access = "restricted"
        from repository.services.changes import record_change
        record_change(session, [item_id], "test")
    apply_changes(res)
    assert json.loads(_text(reader.get("/api/v1/search?q=quillwort")))["total"] == 0
    assert reader.get(f"/items/{item_id}/files/{file_id}.docx").status_code == 404


def test_relabelling_and_removing_are_audited_and_reach_search(app, depositor, res, tmp_path):
    item_id = _draft(depositor, tmp_path)
    assert _add(depositor, item_id, _slides(tmp_path), "slides.docx").status_code == 302
    with res.sessions() as session:
        attached = session.scalars(select(AdditionalFile)).one()
        file_id, sha = attached.id, attached.sha256
    changed = depositor.post(f"/deposit/{item_id}/files/{file_id}",
                             data={"label": "easy_read", "description": "", "access": "item"})
    assert changed.status_code == 302
    _publish(res, item_id)
    result = search(res.index, SearchRequest(q="quillwort"))
    assert result.hits[0].found_in == ["Easy-read version"]

    # Published, the depositor can no longer change the files; an editor can, from the review page.
    assert depositor.post(f"/deposit/{item_id}/files/{file_id}/remove").status_code == 403
    editor = _client_of(app, "ed@example.org")
    review = _text(editor.get(f"/moderation/items/{item_id}"))
    assert "Easy-read version" in review and f"/deposit/{item_id}/files/{file_id}" in review
    removed = editor.post(f"/deposit/{item_id}/files/{file_id}/remove")
    assert removed.status_code == 302 and removed.headers["Location"].endswith(f"/moderation/items/{item_id}")
    with res.sessions() as session:
        assert session.scalars(select(AdditionalFile)).all() == []
        actions = [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.item_id == item_id))]
        assert actions[-1] == "file_removed" and "file_changed" in actions
        relabel = next(e for e in session.scalars(select(AuditEntry)) if e.action == "file_changed")
        assert relabel.changes == {"label": ["slides", "easy_read"]}
    assert not res.files.exists(sha, "docx")  # nothing else referred to it
    assert search(res.index, SearchRequest(q="quillwort")).total == 1  # until the indexer applies the removal
    apply_changes(res)
    assert search(res.index, SearchRequest(q="quillwort")).total == 0
    assert app.test_client().get(f"/items/{item_id}/files/{file_id}.docx").status_code == 404


def test_a_stored_file_another_item_uses_is_kept_on_removal(depositor, res, tmp_path):
    first = _draft(depositor, tmp_path, "first.pdf")
    data = _slides(tmp_path)
    assert _add(depositor, first, data, "a.docx").status_code == 302
    second = _draft(depositor, tmp_path, "second.pdf")
    assert _add(depositor, second, data, "b.docx").status_code == 302
    with res.sessions() as session:
        ids = {f.item_id: f.id for f in session.scalars(select(AdditionalFile))}
        sha = session.scalars(select(AdditionalFile.sha256)).first()
    assert depositor.post(f"/deposit/{first}/files/{ids[first]}/remove").status_code == 302
    assert res.files.exists(sha, "docx")
    assert depositor.post(f"/deposit/{second}/files/{ids[second]}/remove").status_code == 302
    assert not res.files.exists(sha, "docx")


def test_bad_uploads_and_details_get_a_message_not_a_500(depositor, res, tmp_path):
    item_id = _draft(depositor, tmp_path)
    not_a_document = _add(depositor, item_id, b"just some plain text, not a document", "notes.txt")
    assert not_a_document.status_code == 422 and "must be" in _text(not_a_document)
    no_label = _add(depositor, item_id, _slides(tmp_path), "x.docx", label="")
    assert no_label.status_code == 400 and "Choose what the file is" in _text(no_label)
    too_long = _add(depositor, item_id, _slides(tmp_path), "x.docx", description="x" * 201)
    assert too_long.status_code == 400 and "200 characters or fewer" in _text(too_long)
    no_file = depositor.post(f"/deposit/{item_id}/files/new", data={"label": "data", "access": "item"})
    assert no_file.status_code == 400 and "Select a file" in _text(no_file)
    assert depositor.get(f"/deposit/{item_id}/files/999999").status_code == 404
    with res.sessions() as session:
        assert session.scalars(select(AdditionalFile)).all() == []
    assert [p for p in res.files.root.rglob("*.docx")] == []


def test_only_the_depositor_and_editors_change_an_items_files(app, depositor, res, tmp_path):
    item_id = _draft(depositor, tmp_path)
    assert _add(depositor, item_id, _slides(tmp_path), "slides.docx").status_code == 302
    with res.sessions() as session:
        file_id = session.scalars(select(AdditionalFile.id)).one()
    make_user(res, "other@example.org", "depositor")
    other = _client_of(app, "other@example.org")
    assert other.get(f"/deposit/{item_id}/files/new").status_code == 404
    assert _add(other, item_id, _slides(tmp_path, name="o.docx"), "o.docx").status_code == 404
    assert other.post(f"/deposit/{item_id}/files/{file_id}",
                      data={"label": "data", "description": "", "access": "item"}).status_code == 404
    assert other.post(f"/deposit/{item_id}/files/{file_id}/remove").status_code == 404
    anonymous = app.test_client().post(f"/deposit/{item_id}/files/{file_id}/remove")
    assert anonymous.status_code == 302 and "/account/sign-in" in anonymous.headers["Location"]
    # Once submitted, it is with the editors.
    assert depositor.post(f"/deposit/{item_id}/edit", data={
        "type": "paper", "title": "A paper", "authors": "Ann Example", "abstract": "", "summary": "", "year": "2015",
        "event": "", "places": "", "licence": "", "access": "open", "embargo_until": "", "readers": "",
        "submit_for_review": "y"}).status_code == 302
    assert depositor.post(f"/deposit/{item_id}/files/{file_id}/remove").status_code == 403
    with res.sessions() as session:
        assert session.scalars(select(AdditionalFile.id)).all() == [file_id]


@pytest.fixture
def csrf_app(tmp_path):
    application = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": True},
                             instance_path=tmp_path / "instance")
    with application.app_context():
        prepare_database()
        make_user(resources(), "dep@example.org", "depositor")
    yield application
    application.extensions["repository"].engine.dispose()


def test_changing_files_needs_the_forms_token(csrf_app, tmp_path):
    client = csrf_app.test_client()
    token = csrf_token(_text(client.get("/account/sign-in")))
    assert client.post("/account/sign-in", data={"email": "dep@example.org", "password": "correct horse battery",
                                                 "csrf_token": token}).status_code == 302
    with csrf_app.app_context(), transaction(resources().sessions) as session:
        item = create_item(session, ItemData(title="A draft", authors=[AuthorData("Ann Example")], status="draft"),
                           depositor=get_user_by_email(session, "dep@example.org"))
        attach_file(session, item, extract_file(make_pdf(tmp_path / "main.pdf", [MAIN])), resources().files)
        item_id = item.id
    without = _add(client, item_id, _slides(tmp_path), "slides.docx")
    assert without.status_code == 400
    form_token = csrf_token(_text(client.get(f"/deposit/{item_id}/files/new")))
    assert _add(client, item_id, _slides(tmp_path), "slides.docx", csrf_token=form_token).status_code == 302
    with csrf_app.extensions["repository"].sessions() as session:
        file_id = session.scalars(select(AdditionalFile.id)).one()
    assert client.post(f"/deposit/{item_id}/files/{file_id}/remove").status_code == 400
    assert client.post(f"/deposit/{item_id}/files/{file_id}",
                       data={"label": "data", "description": "", "access": "item"}).status_code == 400
    with csrf_app.extensions["repository"].sessions() as session:
        assert session.get(AdditionalFile, file_id).label == "slides"
