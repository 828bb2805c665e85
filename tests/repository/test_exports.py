"""Exports of a result list, read back as spreadsheets and reference managers read them."""

from __future__ import annotations

import csv
import io
import json

import bibtexparser
import rispy

from .people import make_user, sign_in


def _rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_three_formats_hold_the_searchs_results_in_order(client, make_item):
    ids = [make_item(title=f"Consent in family work, part {n}", year=2010 + n, themes=["families"],
                     places=["Leeds"], authors=["Ann Example", "Bo Sample"]) for n in range(5)]
    make_item(title="Unrelated guidance", themes=["data-protection"])
    search = json.loads(client.get("/api/v1/search?theme=families&sort=oldest").data)
    order = [row["id"] for row in search["results"]]
    assert sorted(order) == sorted(ids)

    table = client.get("/search.csv?theme=families&sort=oldest")
    assert table.status_code == 200 and table.content_type.startswith("text/csv")
    assert 'filename="search-results.csv"' in table.headers["Content-Disposition"]
    rows = _rows(table)
    assert [int(row["id"]) for row in rows] == order
    assert rows[0]["authors"] == "Ann Example; Bo Sample" and rows[0]["places"] == "Leeds"
    assert rows[0]["url"].endswith(f"/items/{order[0]}")

    records = rispy.loads(client.get("/search.ris?theme=families&sort=oldest").get_data(as_text=True))
    assert [r["title"] for r in records] == [row["title"] for row in rows]
    bib = bibtexparser.loads(client.get("/search.bib?theme=families&sort=oldest").get_data(as_text=True))
    assert len(bib.entries) == 5 and {e["title"] for e in bib.entries} == {row["title"] for row in rows}


def test_exports_are_capped_at_the_documented_number(app, client, make_item):
    for n in range(4):
        make_item(title=f"Paper {n} on information sharing")
    app.config["EXPORT_MAX"] = 3
    response = client.get("/search.csv?q=information+sharing")
    assert len(_rows(response)) == 3
    assert response.headers["X-Total-Results"] == "4" and response.headers["X-Exported-Results"] == "3"


def test_an_export_is_the_readers_own_view(app, res, client, make_item):
    make_user(res, "editor@example.org", "editor")
    open_id = make_item(title="Refuges and councils")
    hidden = make_item(title="Refuges addresses list", access="restricted")
    assert [int(r["id"]) for r in _rows(client.get("/search.csv?q=refuges"))] == [open_id]
    sign_in(client, "editor@example.org")
    editor_rows = _rows(client.get("/search.csv?q=refuges"))
    assert {int(r["id"]) for r in editor_rows} == {open_id, hidden}
    assert client.get("/search.csv?q=refuges").headers["Cache-Control"] == "private, no-store"


def test_formula_cells_are_defused_and_bad_parameters_refused(client, make_item):
    make_item(title="=HYPERLINK(\"http://evil.example\",\"click\")", abstract="x")
    rows = _rows(client.get("/search.csv?q=hyperlink"))
    assert rows[0]["title"].startswith("'=HYPERLINK")
    for url in ("/search.csv?page=0", "/search.ris?sort=nonsense", "/search.bib?from=twenty", "/search.xls"):
        assert client.get(url).status_code in (400, 404), url
    assert client.get("/search.csv?page=0").status_code == 400
