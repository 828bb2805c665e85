"""The item, theme, place and seminar API, each real answer checked against the served OpenAPI description."""

from __future__ import annotations

import json

import pytest
from openapi_core import OpenAPI
from openapi_core.contrib.werkzeug import WerkzeugOpenAPIRequest, WerkzeugOpenAPIResponse
from openapi_spec_validator import validate

from repository.db import transaction
from repository.models import ACCESS_LEVELS, ITEM_TYPES, LICENCES, STATUSES, Item
from repository.services import moderation
from repository.services.accounts import get_user_by_email

from .people import make_user, sign_in


@pytest.fixture(scope="module")
def described(demo_app):
    """Return the OpenAPI document the demo app serves, checked as a valid OpenAPI 3.1 description."""
    document = json.loads(demo_app.test_client().get("/api/v1/openapi.json").data)
    validate(document)
    return OpenAPI.from_dict(document)


def test_the_description_names_the_models_own_values(demo_client):
    """The item schema's types, access levels and statuses are the model's, so neither drifts from the other."""
    item = json.loads(demo_client.get("/api/v1/openapi.json").data)["components"]["schemas"]["Item"]["properties"]
    assert item["type"]["enum"] == list(ITEM_TYPES)
    assert item["access"]["enum"] == list(ACCESS_LEVELS)
    assert item["status"]["enum"] == list(STATUSES)


def _checked(described, client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, url
    assert response.content_type == "application/json"
    described.validate_response(WerkzeugOpenAPIRequest(response.request), WerkzeugOpenAPIResponse(response))
    return json.loads(response.data)


def test_every_demo_item_answers_as_described(demo_client, described):
    found = _checked(described, demo_client, "/api/v1/search?per_page=100")
    assert found["total"] >= 30
    licences = set()
    for row in found["results"]:
        record = _checked(described, demo_client, f"/api/v1/items/{row['id']}")
        assert record["id"] == row["id"] and record["title"] == row["title"]
        assert [t["slug"] for t in record["themes"]] == row["themes"]
        assert record["citation"]["bibtex"].startswith("@") and "ER  - " in record["citation"]["ris"]
        assert set(record["usage"]) == {"views", "downloads"}
        licences.add((record["licence"], record["licence_label"]))
        if record["file_available"]:
            assert demo_client.get(record["file_url"]).data.startswith(b"%PDF")
    assert licences and licences <= set(LICENCES.items())  # the demo's licences: each a code and its name


def test_themes_places_and_events_answer_as_described(demo_client, described):
    themes = _checked(described, demo_client, "/api/v1/themes")["themes"]
    assert any(theme["slug"] == "domestic-abuse" and theme["count"] > 0 for theme in themes)
    places = _checked(described, demo_client, "/api/v1/places")["places"]
    assert "leeds" in {place["slug"] for place in places} and all(place["count"] > 0 for place in places)
    events = _checked(described, demo_client, "/api/v1/events")["events"]
    assert events and all(event["url"].endswith(f"/events/{event['slug']}") for event in events)


@pytest.mark.parametrize("url", ["/api/v1/items/0", "/api/v1/items/9223372036854775808", "/api/v1/items/424242"])
def test_missing_items_are_json_404s(demo_client, described, url):
    assert _checked(described, demo_client, url, 404) == {"error": "There is no item with this id."}


def test_a_hidden_item_is_answered_as_a_missing_one_and_a_withdrawn_one_as_gone(app, res, make_item):
    document = json.loads(app.test_client().get("/api/v1/openapi.json").data)
    described = OpenAPI.from_dict(document)
    make_user(res, "editor@example.org", "editor")
    hidden = make_item(title="Refuge addresses", access="restricted")
    gone = make_item(title="A retracted paper")
    with transaction(res.sessions) as session:
        moderation.withdraw(session, session.get(Item, gone), get_user_by_email(session, "editor@example.org"),
                            "Retracted by its authors.")
    client = app.test_client()
    assert _checked(described, client, f"/api/v1/items/{hidden}", 404) == \
        _checked(described, client, "/api/v1/items/424242", 404)
    tombstone = _checked(described, client, f"/api/v1/items/{gone}", 410)
    assert tombstone["reason"] == "Retracted by its authors." and tombstone["title"] == "A retracted paper"
    sign_in(client, "editor@example.org")
    assert _checked(described, client, f"/api/v1/items/{hidden}")["title"] == "Refuge addresses"
    assert _checked(described, client, f"/api/v1/items/{gone}")["status"] == "withdrawn"
