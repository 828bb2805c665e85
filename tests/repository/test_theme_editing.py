"""Editors add, rename, describe, move and merge themes; old addresses redirect, items and search follow."""

from __future__ import annotations

from repository import create_app
from repository.commands.database import prepare_database
from repository.models import Item, Theme
from repository.services import curation
from repository.services.taxonomy import find_theme
from tests.conftest import apply_changes

from .people import PASSWORD, csrf_token, deposit_file, make_user, pdf_bytes, sign_in


def _found(client, **filters) -> list[int]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return [result["id"] for result in client.get(f"/api/v1/search?{query}").get_json()["results"]]


def _theme(res, slug: str) -> Theme | None:
    with res.sessions() as session:
        theme = find_theme(session, slug)
        if theme is not None:
            theme.parent, theme.children  # noqa: B018 - loaded before the session closes
        return theme


def _log(res, theme_id: int) -> list[tuple[str, str, dict]]:
    with res.sessions() as session:
        return [(e.actor, e.action, e.changes) for e in curation.entries_for(session, "theme", theme_id)]


def _form(theme: Theme, **changes) -> dict:
    return {"name": theme.name, "description": theme.description, "keywords": theme.keywords,
            "parent": theme.parent.slug if theme.parent else "", **changes}


def test_an_editor_adds_a_theme_whose_key_phrases_suggest_it_to_depositors(client, res, tmp_path):
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "ed@example.org")
    response = client.post("/moderation/themes/new", data={
        "name": "Housing and homelessness", "description": "Sharing information about people at risk of losing a home.",
        "keywords": "Homelessness\nrough sleeping\nhomelessness", "parent": "families"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/moderation/themes/housing-and-homelessness")
    theme = _theme(res, "housing-and-homelessness")
    assert theme.parent.slug == "families" and theme.keywords == "homelessness\nrough sleeping"
    assert "Housing and homelessness" in client.get("/themes").get_data(as_text=True)
    assert client.get("/themes/housing-and-homelessness").status_code == 200
    [(actor, action, changes)] = _log(res, theme.id)
    assert (actor, action) == ("ed@example.org", "created") and changes["parent"] == [None, "families"]
    # The same name twice is a plain-English 400.
    again = client.post("/moderation/themes/new", data={"name": "Housing and Homelessness"})
    assert again.status_code == 400 and "There is already a theme called" in again.get_data(as_text=True)

    # Its key phrases suggest it: a deposit about rough sleeping has it ticked.
    editor_form = _form(theme, keywords="homelessness\nrough sleeping\nquellbrook shelter")
    assert client.post("/moderation/themes/housing-and-homelessness", data=editor_form).status_code == 302
    assert _log(res, theme.id)[-1][2]["keywords"] == [["homelessness", "rough sleeping"],
                                                      ["homelessness", "rough sleeping", "quellbrook shelter"]]
    draft = deposit_file(client, pdf_bytes(tmp_path, [
        "The quellbrook shelter and the council shared records of people sleeping rough. " * 3], "shelter.pdf"),
        "shelter.pdf")
    page = client.get(draft.headers["Location"]).get_data(as_text=True)
    assert 'value="housing-and-homelessness" checked' in page


def test_a_renamed_theme_redirects_and_its_items_follow_in_search(client, res, make_item):
    make_user(res, "ed@example.org", "editor")
    item_id = make_item(title="Refuges and the police", themes=["domestic-abuse"])
    sign_in(client, "ed@example.org")
    theme = _theme(res, "domestic-abuse")
    response = client.post("/moderation/themes/domestic-abuse", data=_form(
        theme, name="Domestic violence and abuse", description="Abuse at home, and the services that answer it."))
    assert response.status_code == 302
    renamed = _theme(res, "domestic-violence-and-abuse")
    assert renamed.id == theme.id and _theme(res, "domestic-abuse") is None
    moved = client.get("/themes/domestic-abuse?sort=newest")
    assert moved.status_code == 301
    assert moved.headers["Location"].endswith("/themes/domestic-violence-and-abuse?sort=newest")
    feed = client.get("/themes/domestic-abuse.atom")
    assert feed.status_code == 301 and feed.headers["Location"].endswith("/themes/domestic-violence-and-abuse.atom")
    assert client.get("/themes/domestic-violence-and-abuse").status_code == 200
    assert client.get("/moderation/themes/domestic-abuse").status_code == 404  # the editors' page is by its own slug
    # The index follows the change log: the item is found under the new slug, not the old.
    apply_changes(res)
    assert _found(client, theme="domestic-violence-and-abuse") == [item_id]
    assert client.get("/api/v1/search?theme=domestic-abuse").get_json()["total"] == 0
    [(actor, action, changes)] = _log(res, theme.id)
    assert action == "updated" and changes["slug"] == ["domestic-abuse", "domestic-violence-and-abuse"]
    assert changes["name"] == ["Domestic abuse", "Domestic violence and abuse"]
    # Seeding again (init-db runs on every start) does not bring the old theme back.
    with client.application.app_context():
        assert prepare_database() == 0
    assert _theme(res, "domestic-abuse") is None


def test_moving_a_theme_moves_its_items_under_the_new_parent(client, res, make_item):
    make_user(res, "ed@example.org", "editor")
    item_id = make_item(title="Genograms in practice", themes=["family-perspectives"])
    sign_in(client, "ed@example.org")
    theme = _theme(res, "family-perspectives")
    assert _found(client, theme="families") == [item_id]
    response = client.post("/moderation/themes/family-perspectives", data=_form(theme, parent="domestic-abuse"))
    assert response.status_code == 302
    apply_changes(res)
    assert _found(client, theme="domestic-abuse") == [item_id] and _found(client, theme="families") == []
    assert _log(res, theme.id)[-1][1:] == ("moved", {"parent": ["families", "domestic-abuse"]}), _log(res, theme.id)
    # Not under itself, nor under its own sub-theme.
    parent = _theme(res, "domestic-abuse")
    looped = client.post("/moderation/themes/domestic-abuse", data=_form(parent, parent="family-perspectives"))
    assert looped.status_code == 400 and "cannot be moved under itself" in looped.get_data(as_text=True)


def test_merging_a_theme_moves_its_items_sub_themes_phrases_and_address(client, res, make_item):
    make_user(res, "ed@example.org", "editor")
    only_source = make_item(title="Payment by results", themes=["troubled-families"])
    both = make_item(title="Both themes", themes=["troubled-families", "domestic-abuse"])
    sign_in(client, "ed@example.org")
    source, target = _theme(res, "troubled-families"), _theme(res, "domestic-abuse")
    response = client.post("/moderation/themes/troubled-families/merge", data={"into": "domestic-abuse"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/themes/domestic-abuse")
    assert _theme(res, "troubled-families") is None
    with res.sessions() as session:
        assert [t.slug for t in session.get(Item, only_source).themes] == ["domestic-abuse"]
        assert [t.slug for t in session.get(Item, both).themes] == ["domestic-abuse"]
    merged = _theme(res, "domestic-abuse")
    assert "payment by results" in merged.keywords.splitlines()
    assert client.get("/themes/troubled-families").headers["Location"].endswith("/themes/domestic-abuse")
    apply_changes(res)
    assert sorted(_found(client, theme="domestic-abuse")) == sorted([only_source, both])
    assert _found(client, theme="families") == []  # it was under Families; now it is not
    assert _log(res, source.id)[-1][1] == "merged" and _log(res, target.id)[-1][1] == "merged_in"
    # Merging into itself, or into its own sub-theme, is refused in plain words.
    refused = client.post("/moderation/themes/families/merge", data={"into": "family-perspectives"})
    assert refused.status_code == 400
    assert "cannot be merged into one of its own sub-themes" in refused.get_data(as_text=True)


def test_a_merged_themes_sub_themes_move_to_the_target(client, res):
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "ed@example.org")
    assert client.post("/moderation/themes/families/merge", data={"into": "domestic-abuse"}).status_code == 302
    assert _theme(res, "family-perspectives").parent.slug == "domestic-abuse"
    # An address merged twice still leads to where it ended.
    assert client.post("/moderation/themes/domestic-abuse/merge", data={"into": "data-protection"}).status_code == 302
    assert client.get("/themes/families").headers["Location"].endswith("/themes/data-protection")
    assert client.get("/themes/domestic-abuse").headers["Location"].endswith("/themes/data-protection")


def test_depositors_and_visitors_cannot_change_themes(client, res):
    make_user(res, "dep@example.org", "depositor")
    for path in ("/moderation/themes", "/moderation/themes/new", "/moderation/themes/families"):
        assert client.get(path).status_code == 302  # sign in first
    assert client.post("/moderation/themes/families/merge", data={"into": "domestic-abuse"}).status_code == 302
    sign_in(client, "dep@example.org")
    for path in ("/moderation/themes", "/moderation/themes/new", "/moderation/themes/families"):
        assert client.get(path).status_code == 403
    assert client.post("/moderation/themes/new", data={"name": "Mine"}).status_code == 403
    assert client.post("/moderation/themes/families/merge", data={"into": "domestic-abuse"}).status_code == 403
    assert _theme(res, "families") is not None and _theme(res, "mine") is None


def test_theme_forms_need_their_token(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t"}, instance_path=tmp_path / "instance")
    with app.app_context():
        prepare_database()
    res = app.extensions["repository"]
    make_user(res, "ed@example.org", "editor")
    client = app.test_client()
    login = client.get("/account/sign-in").get_data(as_text=True)
    client.post("/account/sign-in", data={"email": "ed@example.org", "password": PASSWORD,
                                          "csrf_token": csrf_token(login)})
    assert client.post("/moderation/themes/new", data={"name": "No token"}).status_code == 400
    assert client.post("/moderation/themes/families/merge", data={"into": "domestic-abuse"}).status_code == 400
    assert _theme(res, "no-token") is None and _theme(res, "families") is not None
    page = client.get("/moderation/themes/new").get_data(as_text=True)
    assert client.post("/moderation/themes/new", data={"name": "With token",
                                                       "csrf_token": csrf_token(page)}).status_code == 302
