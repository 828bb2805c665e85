"""Error pages: in the site's design for people, JSON for the API, never a traceback."""

from __future__ import annotations


def test_an_unknown_address_gets_the_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page not found" in html and "Information Sharing Exchange" in html and 'id="main-content"' in html


def test_an_error_in_a_view_gets_the_500_page_without_a_traceback(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/explode-for-test")
    def explode():
        raise RuntimeError("secret internal detail")

    @app.get("/api/v1/explode-for-test")
    def explode_api():
        raise RuntimeError("secret internal detail")

    client = app.test_client()
    response = client.get("/explode-for-test")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "secret internal detail" not in html and "Traceback" not in html
    api = client.get("/api/v1/explode-for-test")
    assert api.status_code == 500 and api.is_json and "secret" not in api.get_json()["error"]


def test_a_wrong_method_is_answered_in_the_design(client):
    response = client.post("/search")
    assert response.status_code == 405
    assert "Method Not Allowed" in response.get_data(as_text=True)
