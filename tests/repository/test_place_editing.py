"""Editors tidy places that free-text deposits create: name, region, ONS code, and merging duplicates."""

from __future__ import annotations

from repository import create_app
from repository.commands.database import prepare_database
from repository.models import Item, Place
from repository.services import curation
from repository.services.places import find_place
from tests.conftest import apply_changes

from .people import PASSWORD, csrf_token, deposit_file, make_user, pdf_bytes, sign_in
from .test_moderation import _description


def _found(client, **filters) -> list[int]:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return sorted(result["id"] for result in client.get(f"/api/v1/search?{query}").get_json()["results"])


def _place(res, slug: str) -> Place | None:
    with res.sessions() as session:
        place = session.query(Place).filter(Place.slug == slug).one_or_none()
        return place


def _log(res, place_id: int) -> list[tuple[str, str, dict]]:
    with res.sessions() as session:
        return [(e.actor, e.action, e.changes) for e in curation.entries_for(session, "place", place_id)]


def test_an_editor_corrects_a_place_and_its_old_address_redirects(client, res, make_item):
    make_user(res, "ed@example.org", "editor")
    item_id = make_item(title="A case study from the coast", places=["Blackpol"])
    sign_in(client, "ed@example.org")
    listing = client.get("/moderation/places").get_data(as_text=True)
    assert "Blackpol" in listing and 'href="/moderation/places/blackpol"' in listing
    bad = client.post("/moderation/places/blackpol", data={"name": "Blackpool", "region": "North West",
                                                           "ons_code": "Blackpool"})
    assert bad.status_code == 400 and "like E06000009" in bad.get_data(as_text=True)
    response = client.post("/moderation/places/blackpol", data={"name": "Blackpool", "region": "North West",
                                                                "ons_code": "e06000009"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/places/blackpool")
    place = _place(res, "blackpool")
    assert (place.name, place.region, place.ons_code) == ("Blackpool", "North West", "E06000009")
    [(actor, action, changes)] = _log(res, place.id)
    assert actor == "ed@example.org" and action == "updated"
    assert changes == {"name": ["Blackpol", "Blackpool"], "slug": ["blackpol", "blackpool"],
                       "region": ["", "North West"], "ons_code": [None, "E06000009"]}
    apply_changes(res)
    assert _found(client, place="blackpool") == [item_id] and _found(client, place="blackpol") == []
    moved = client.get("/places/blackpol")
    assert moved.status_code == 301 and moved.headers["Location"].endswith("/places/blackpool")
    assert "North West" in client.get("/places").get_data(as_text=True)


def test_merging_duplicate_places_moves_items_and_addresses(client, res, make_item, tmp_path):
    make_user(res, "ed@example.org", "editor")
    make_user(res, "dep@example.org", "depositor")
    first = make_item(title="Blackpool's hub", places=["Blackpool"])
    second = make_item(title="Blackpool Council's hub", places=["Blackpool Council"])
    both = make_item(title="Named twice", places=["Blackpool", "Blackpool Council"])
    sign_in(client, "ed@example.org")
    source, target = _place(res, "blackpool-council"), _place(res, "blackpool")
    response = client.post("/moderation/places/blackpool-council/merge", data={"into": "blackpool"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/moderation/places/blackpool")
    assert _place(res, "blackpool-council") is None
    with res.sessions() as session:
        assert [p.slug for p in session.get(Item, second).places] == ["blackpool"]
        assert [p.slug for p in session.get(Item, both).places] == ["blackpool"]
    apply_changes(res)
    assert _found(client, place="blackpool") == sorted([first, second, both])
    assert _found(client, place="blackpool-council") == []
    assert client.get("/places/blackpool-council").headers["Location"].endswith("/places/blackpool")
    assert client.get("/places/blackpool-council.atom").headers["Location"].endswith("/places/blackpool.atom")
    assert _log(res, source.id)[-1][1:] == ("merged", {"into": ["blackpool-council", "blackpool"],
                                                       "items": [2, 0], "seminars": [0, 0]})
    assert _log(res, target.id)[-1][1] == "merged_in"
    # A depositor who types the merged name gets the place it became, not a new duplicate.
    client.post("/account/sign-out")
    sign_in(client, "dep@example.org")
    edit_url = deposit_file(client, pdf_bytes(tmp_path, ["Blackpool Council and partners shared records."],
                                              "bp.pdf"), "bp.pdf").headers["Location"]
    form = _description(client.get(edit_url).get_data(as_text=True))
    form.update(authors="Dee Positor", places="Blackpool Council")
    assert client.post(edit_url, data=form).status_code == 302
    with res.sessions() as session:
        item = session.get(Item, int(edit_url.split("/")[-2]))
        assert [p.slug for p in item.places] == ["blackpool"]
        assert find_place(session, "Blackpool Council").slug == "blackpool"
    # Merging into itself is refused in plain words.
    client.post("/account/sign-out")
    sign_in(client, "ed@example.org")
    itself = client.post("/moderation/places/blackpool/merge", data={"into": "blackpool"})
    assert itself.status_code == 400 and "Choose another place" in itself.get_data(as_text=True)


def test_an_old_address_of_a_place_with_only_hidden_items_tells_a_visitor_nothing(client, res, make_item):
    make_user(res, "ed@example.org", "editor")
    make_item(title="A refuge's records", places=["Skerrowby Refuge"], access="restricted")
    sign_in(client, "ed@example.org")
    client.post("/moderation/places/skerrowby-refuge", data={"name": "Skerrowby", "region": "", "ons_code": ""})
    apply_changes(res)
    client.post("/account/sign-out")
    assert client.get("/places/skerrowby-refuge").status_code == 404
    assert client.get("/places/skerrowby").status_code == 404
    assert client.get("/places/no-such-place").status_code == 404


def test_depositors_and_visitors_cannot_change_places(client, res, make_item):
    make_user(res, "dep@example.org", "depositor")
    make_item(title="Leeds", places=["Leeds"])
    assert client.get("/moderation/places").status_code == 302
    assert client.post("/moderation/places/leeds", data={"name": "Mine"}).status_code == 302
    sign_in(client, "dep@example.org")
    assert client.get("/moderation/places").status_code == 403
    assert client.post("/moderation/places/leeds", data={"name": "Mine"}).status_code == 403
    assert client.post("/moderation/places/leeds/merge", data={"into": "leeds"}).status_code == 403
    assert _place(res, "leeds").name == "Leeds"


def test_place_forms_need_their_token(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t"}, instance_path=tmp_path / "instance")
    with app.app_context():
        prepare_database()
    res = app.extensions["repository"]
    make_user(res, "ed@example.org", "editor")
    with res.sessions() as session:
        session.add(Place(slug="leeds", name="Leeds"))
        session.commit()
    client = app.test_client()
    login = client.get("/account/sign-in").get_data(as_text=True)
    client.post("/account/sign-in", data={"email": "ed@example.org", "password": PASSWORD,
                                          "csrf_token": csrf_token(login)})
    assert client.post("/moderation/places/leeds", data={"name": "Leeds City"}).status_code == 400
    assert _place(res, "leeds") is not None
    page = client.get("/moderation/places/leeds").get_data(as_text=True)
    assert client.post("/moderation/places/leeds", data={"name": "Leeds City",
                                                         "csrf_token": csrf_token(page)}).status_code == 302
    assert _place(res, "leeds-city").name == "Leeds City"
