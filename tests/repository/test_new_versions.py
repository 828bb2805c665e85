"""A new version of a published item waits for an editor; the published one stays live and searchable until then."""

from __future__ import annotations

import io

from sqlalchemy import select

from indexer.search import SearchRequest, search
from repository import create_app
from repository.commands.database import prepare_database
from repository.models import AuditEntry, Item
from tests.conftest import apply_changes
from tests.mailbox import body_of, smtp_server

from .people import csrf_token, make_user, pdf_bytes, sign_in
from .test_moderation import _published_item, _sign_out

FIRST = ("How a council and the police share information about families at risk. "
         "The word quillwort marks the first version.")
OTHER = "A different paper altogether, about parking permits; the word zonkerflap marks it."
EVERYONE = ["public", "registered", "editors"]


def _upload_version(client, tmp_path, item_id: int, text: str = OTHER, name: str = "other.pdf"):
    data = pdf_bytes(tmp_path, [text], name)
    return client.post(f"/deposit/{item_id}/version", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data"), data


def _hits(res, word: str) -> list[str]:
    return [hit.id for hit in search(res.index, SearchRequest(q=word, principals=EVERYONE)).hits]


def _actions(res, item_id: int) -> list[str]:
    with res.sessions() as session:
        return session.scalars(select(AuditEntry.action).where(AuditEntry.item_id == item_id)
                               .order_by(AuditEntry.id)).all()


def test_the_published_version_stays_live_until_an_editor_accepts_the_new_one(app, client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor", name="Dee Positor")
    make_user(res, "ed@example.org", "editor", name="Edna Editor")
    item_id = _published_item(client, res, tmp_path, FIRST)
    first_file = client.get(f"/items/{item_id}/file.pdf").data
    _sign_out(client)

    with smtp_server(app) as mailbox:
        sign_in(client, "dep@example.org")
        response, other = _upload_version(client, tmp_path, item_id)
        assert response.status_code == 302
        mine = client.get("/deposit/", follow_redirects=True).get_data(as_text=True)
        assert "is with the editors" in mine and "A new version of the file (version 2) is with the editors" in mine
        [told] = mailbox.wait_for(1)
    assert told["To"] == "ed@example.org" and told["Subject"] == "New version to review: ‘A paper to withdraw’"
    assert f"http://localhost/moderation/items/{item_id}" in body_of(told)

    # Nothing changed for readers: the same file, the old text in search, the new one nowhere.
    apply_changes(res)
    _sign_out(client)
    assert client.get(f"/items/{item_id}/file.pdf").data == first_file
    assert client.get(f"/items/{item_id}/versions/2.pdf").status_code == 404
    page = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Version 2" not in page
    assert [v["version"] for v in client.get(f"/api/v1/items/{item_id}").get_json()["files"]] == [1]
    assert _hits(res, "quillwort") == [str(item_id)] and _hits(res, "zonkerflap") == []
    assert client.get("/search?q=zonkerflap").get_data(as_text=True).count(f"/items/{item_id}\"") == 0

    # The depositor cannot fetch the waiting file through the editors' link; the editor sees both versions.
    sign_in(client, "dep@example.org")
    assert client.get(f"/moderation/items/{item_id}/version/waiting.pdf").status_code == 403
    _sign_out(client)
    sign_in(client, "ed@example.org")
    queue = client.get("/moderation/").get_data(as_text=True)
    assert f"/moderation/items/{item_id}" in queue and "New version" in queue
    review = client.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "A new version of the file is waiting for review" in review
    assert "quillwort" in review and "zonkerflap" in review
    assert client.get(f"/moderation/items/{item_id}/version/waiting.pdf").data == other

    with smtp_server(app) as mailbox:
        assert client.post(f"/moderation/items/{item_id}/version/accept").status_code == 302
        [told] = mailbox.wait_for(1)
    assert told["To"] == "dep@example.org" and told["Subject"] == "New version published: ‘A paper to withdraw’"
    # The change log takes the new text to search; the old text goes.
    assert _hits(res, "zonkerflap") == []
    apply_changes(res)
    assert _hits(res, "zonkerflap") == [str(item_id)] and _hits(res, "quillwort") == []
    _sign_out(client)
    assert client.get(f"/items/{item_id}/file.pdf").data == other
    assert client.get(f"/items/{item_id}/versions/1.pdf").data == first_file
    assert f"/moderation/items/{item_id}" not in client.get("/moderation/").get_data(as_text=True)
    assert _actions(res, item_id)[-2:] == ["new_version", "version_accepted"]


def test_an_editor_rejects_a_new_version_with_a_message_and_the_published_one_stays(app, client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor", name="Dee Positor")
    make_user(res, "ed@example.org", "editor", name="Edna Editor")
    item_id = _published_item(client, res, tmp_path, FIRST)
    _sign_out(client)
    sign_in(client, "dep@example.org")
    _upload_version(client, tmp_path, item_id)
    _sign_out(client)
    sign_in(client, "ed@example.org")
    empty = client.post(f"/moderation/items/{item_id}/version/reject", data={"version_message": " "})
    assert empty.status_code == 400 and "why the new version was not accepted" in empty.get_data(as_text=True)
    with smtp_server(app) as mailbox:
        response = client.post(f"/moderation/items/{item_id}/version/reject",
                               data={"version_message": "This is a different paper; deposit it as a new item."})
        assert response.status_code == 302
        [told] = mailbox.wait_for(1)
    assert told["To"] == "dep@example.org" and told["Subject"] == "New version not accepted: ‘A paper to withdraw’"
    assert "deposit it as a new item" in body_of(told)
    apply_changes(res)
    assert _hits(res, "quillwort") == [str(item_id)] and _hits(res, "zonkerflap") == []
    with res.sessions() as session:
        item = session.get(Item, item_id)
        assert item.current_file.version == 1 and item.pending_file is None
    # Nothing is waiting now: accepting again is a plain-English 400, not a 500.
    again = client.post(f"/moderation/items/{item_id}/version/accept")
    assert again.status_code == 400 and "no new version waiting" in again.get_data(as_text=True)
    assert _actions(res, item_id)[-1] == "version_rejected"


def test_a_newer_upload_replaces_the_version_still_waiting(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    item_id = _published_item(client, res, tmp_path, FIRST)
    _sign_out(client)
    sign_in(client, "dep@example.org")
    _upload_version(client, tmp_path, item_id)
    _upload_version(client, tmp_path, item_id, "A third go: the word plimsoller marks it.", "third.pdf")
    with res.sessions() as session:
        item = session.get(Item, item_id)
        assert [(f.version, f.review) for f in item.files] == [(1, "accepted"), (2, "rejected"), (3, "pending")]


def test_only_editors_decide_on_versions_and_the_forms_need_their_token(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "INDEX_LOCK_TIMEOUT": 5.0},
                     instance_path=tmp_path / "instance")
    with app.app_context():
        prepare_database()
    res = app.extensions["repository"]
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    item_id = _published_item(client, res, tmp_path, FIRST)
    _sign_out(client)
    sign_in(client, "dep@example.org")
    _upload_version(client, tmp_path, item_id)
    assert client.post(f"/moderation/items/{item_id}/version/accept").status_code == 403
    _sign_out(client)
    assert client.post(f"/moderation/items/{item_id}/version/accept").status_code == 302  # sign in first
    app.config["WTF_CSRF_ENABLED"] = True
    login = client.get("/account/sign-in").get_data(as_text=True)
    client.post("/account/sign-in", data={"email": "ed@example.org", "password": "correct horse battery",
                                          "csrf_token": csrf_token(login)})
    assert client.post(f"/moderation/items/{item_id}/version/accept").status_code == 400
    with res.sessions() as session:
        assert session.get(Item, item_id).pending_file is not None
    review = client.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert client.post(f"/moderation/items/{item_id}/version/accept",
                       data={"csrf_token": csrf_token(review)}).status_code == 302
    with res.sessions() as session:
        assert session.get(Item, item_id).pending_file is None
