"""The editors' page of search synonyms: who may use it, CSRF, adding, changing, deleting, and search following."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.models import SynonymGroup
from repository.synonyms_seed import SEED_SYNONYMS

from .people import csrf_token, make_user, sign_in


def groups(app) -> list[list[str]]:
    with app.app_context():
        with resources().sessions() as session:
            return [g.term_list() for g in session.scalars(select(SynonymGroup).order_by(SynonymGroup.id))]


def found(client, q: str) -> list[int]:
    return [r["id"] for r in json.loads(client.get("/api/v1/search", query_string={"q": q}).data)["results"]]


@pytest.fixture
def editor(app):
    with app.app_context():
        make_user(resources(), "ed@example.org", "editor")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    return client


def test_a_new_database_has_the_seed_vocabulary_once(app):
    assert groups(app)[0] == list(SEED_SYNONYMS[0])
    assert len(groups(app)) == len(SEED_SYNONYMS)
    with app.app_context():
        prepare_database()  # init-db again adds nothing
        with resources().sessions() as session:
            assert session.scalar(select(func.count(SynonymGroup.id))) == len(SEED_SYNONYMS)


def test_only_editors_reach_the_page(app, client):
    assert client.get("/moderation/synonyms/").status_code == 302  # asked to sign in
    assert client.post("/moderation/synonyms/", data={"terms": "a\nb"}).status_code == 302
    with app.app_context():
        make_user(resources(), "dee@example.org", "depositor")
    sign_in(client, "dee@example.org")
    assert client.get("/moderation/synonyms/").status_code == 403
    assert client.post("/moderation/synonyms/", data={"terms": "zorblat\nkittiwake"}).status_code == 403
    assert client.post("/moderation/synonyms/1/delete").status_code == 403
    assert len(groups(app)) == len(SEED_SYNONYMS)


def test_an_editor_adds_changes_and_deletes_a_group_and_search_follows(app, editor, make_item, caplog):
    item = make_item(title="Seabirds of the coast", abstract="The kittiwake nests on cliffs.")
    assert found(editor, "zorblat") == []
    page = editor.get("/moderation/synonyms/").get_data(as_text=True)
    assert "MASH" in page and "multi-agency safeguarding hub" in page
    with caplog.at_level(logging.INFO, logger="repository.services.synonyms"):
        response = editor.post("/moderation/synonyms/", data={"terms": "Zorblat\n  kittiwake \nzorblat"})
    assert response.status_code == 302
    assert groups(app)[-1] == ["Zorblat", "kittiwake"]
    assert "ed@example.org added group" in caplog.text
    assert found(editor, "zorblat") == [item]
    group_id = len(SEED_SYNONYMS) + 1
    assert "kittiwake" in editor.get(f"/moderation/synonyms/{group_id}").get_data(as_text=True)
    assert editor.post(f"/moderation/synonyms/{group_id}", data={"terms": "quoggle\nkittiwake"}).status_code == 302
    assert found(editor, "zorblat") == [] and found(editor, "quoggle") == [item]
    assert editor.post(f"/moderation/synonyms/{group_id}/delete").status_code == 302
    assert found(editor, "quoggle") == [] and len(groups(app)) == len(SEED_SYNONYMS)
    assert editor.get(f"/moderation/synonyms/{group_id}").status_code == 404


@pytest.mark.parametrize("terms, message", [("", "Enter at least two terms"), ("lonely", "Enter at least two terms"),
                                            ('"quoted"\nother', "cannot contain quotation marks")])
def test_a_group_that_cannot_be_made_says_why(app, editor, terms, message):
    response = editor.post("/moderation/synonyms/", data={"terms": terms})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert len(groups(app)) == len(SEED_SYNONYMS)


@pytest.fixture
def csrf_app(tmp_path):
    application = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": True},
                             instance_path=tmp_path / "instance")
    with application.app_context():
        prepare_database()
        make_user(resources(), "ed@example.org", "editor")
    yield application
    application.extensions["repository"].engine.dispose()


def test_every_change_needs_the_forms_token(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    client.post("/account/sign-in", data={"email": "ed@example.org", "password": "correct horse battery",
                                          "csrf_token": token})
    assert client.post("/moderation/synonyms/", data={"terms": "zorblat\nkittiwake"}).status_code == 400
    assert client.post("/moderation/synonyms/1", data={"terms": "zorblat\nkittiwake"}).status_code == 400
    assert client.post("/moderation/synonyms/1/delete").status_code == 400
    assert groups(csrf_app)[0] == list(SEED_SYNONYMS[0]) and len(groups(csrf_app)) == len(SEED_SYNONYMS)
    token = csrf_token(client.get("/moderation/synonyms/").get_data(as_text=True))
    assert client.post("/moderation/synonyms/", data={"terms": "zorblat\nkittiwake", "csrf_token": token}
                       ).status_code == 302
    assert groups(csrf_app)[-1] == ["zorblat", "kittiwake"]
