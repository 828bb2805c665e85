"""The JSON search API: its shape, its agreement with the page, its errors, and what it never shows."""

from __future__ import annotations

import pytest

from .pages import total


def test_the_api_answers_with_the_documented_shape(demo_client):
    response = demo_client.get("/api/v1/search", query_string={"q": "information sharing", "per_page": 5})
    assert response.status_code == 200 and response.is_json
    body = response.get_json()
    assert {"total", "page", "per_page", "results", "facets", "suggestion"} <= set(body)
    assert body["page"] == 1 and body["per_page"] == 5 and body["total"] > 5
    assert len(body["results"]) == 5
    for result in body["results"]:
        assert {"id", "title", "authors", "year", "type", "themes", "url", "snippet"} <= set(result)
        assert isinstance(result["id"], int) and isinstance(result["authors"], list)
        assert result["url"].endswith(f"/items/{result['id']}")
    assert any("<mark>" in result["snippet"] for result in body["results"])
    assert {"themes", "type", "year", "event", "places"} <= set(body["facets"])
    for entry in body["facets"]["type"]:
        assert set(entry) == {"value", "label", "count"} and entry["count"] > 0
    assert body["suggestion"] is None


def test_the_api_and_the_page_agree(demo_client):
    query = {"q": "consent", "theme": "families", "from": "2014"}
    api = demo_client.get("/api/v1/search", query_string=query).get_json()
    page = demo_client.get("/search", query_string=query).get_data(as_text=True)
    assert api["total"] == total(page) > 0


def test_the_api_suggests_corrections(demo_client):
    body = demo_client.get("/api/v1/search", query_string={"q": "domestc abuse"}).get_json()
    assert body["suggestion"] == "domestic abuse"


def test_filters_and_pages_work_in_the_api(demo_client):
    everything = demo_client.get("/api/v1/search", query_string={"per_page": 100}).get_json()
    case_studies = demo_client.get("/api/v1/search", query_string={"type": "case_study", "per_page": 100}).get_json()
    offered = dict((e["value"], e["count"]) for e in everything["facets"]["type"])
    assert case_studies["total"] == offered["case_study"] < everything["total"]
    assert {r["type"] for r in case_studies["results"]} == {"case_study"}
    second = demo_client.get("/api/v1/search", query_string={"per_page": 10, "page": 2}).get_json()
    assert [r["id"] for r in second["results"]] == [r["id"] for r in everything["results"]][10:20]


@pytest.mark.parametrize("query", [
    {"page": "0"}, {"page": "x"}, {"per_page": "0"}, {"per_page": "101"}, {"sort": "best"},
    {"from": "soon"}, {"page": "1", "per_page": "100", "q": "x" * 501},
])
def test_bad_parameters_give_a_json_400(demo_client, query):
    response = demo_client.get("/api/v1/search", query_string=query)
    assert response.status_code == 400 and response.is_json
    error = response.get_json()["error"]
    assert isinstance(error, str) and error


def test_unknown_api_addresses_answer_in_json(demo_client):
    response = demo_client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json() == {"error": response.get_json()["error"]}


def test_hostile_text_is_escaped_in_snippets_and_titles(app, client, make_item):
    make_item(title="Notes <script>alert('title')</script>", abstract="",
              pages=["A paragraph about quokka sharing. <script>alert('body')</script> <img src=x onerror=alert(2)> "
                     "more text about the quokka and its partners."])
    body = client.get("/api/v1/search", query_string={"q": "quokka"}).get_json()
    assert body["total"] == 1
    snippet = body["results"][0]["snippet"]
    assert "<mark>quokka</mark>" in snippet
    assert "<script>" not in snippet and "<img" not in snippet
    assert "&lt;script&gt;" in snippet or "&lt;img" in snippet
    html = client.get("/search", query_string={"q": "quokka"}).get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html


def test_an_item_the_reader_may_not_see_leaves_no_trace(app, client, make_item):
    make_item(title="Open paper on refuges", pages=["Refuge places and the zanzibarite protocol do not mix."])
    make_item(title="Restricted victims service case", access="restricted",
              pages=["The quirkafleeg referral route is private to this service."])
    for query in ({"q": "quirkafleeg"}, {"q": "quirkaflee"}, {"q": "restricted victims"}, {}):
        body = client.get("/api/v1/search", query_string=query).get_json()
        assert all("Restricted" not in r["title"] for r in body["results"])
        assert "quirkafleeg" not in (body["suggestion"] or "")
        assert all(e["value"] != "restricted" for e in body["facets"].get("access", []))
    assert client.get("/api/v1/search", query_string={"q": "quirkafleeg"}).get_json()["total"] == 0
    assert client.get("/api/v1/search").get_json()["total"] == 1
    page = client.get("/search", query_string={"q": "quirkaflee"}).get_data(as_text=True)
    assert "quirkafleeg" not in page
