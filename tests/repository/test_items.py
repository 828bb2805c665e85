"""Item pages: description, file download, case-study sections, related items, hidden items."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from repository.context import resources
from repository.db import transaction
from repository.models import Item
from repository.services.changes import record_change
from tests.conftest import apply_changes

from .pages import links, text_of


def first_item(app, **where) -> Item:
    """Return the first published item of the demo matching column=value pairs, loaded fully."""
    with app.app_context():
        session = resources().sessions()
        query = select(Item).where(Item.status == "published", Item.access == "open").order_by(Item.id)
        for name, value in where.items():
            query = query.where(getattr(Item, name) == value)
        item = session.scalars(query).first()
        # Touch what the tests read so it stays usable after the session closes.
        _ = (item.authors, item.themes, item.places, item.event, item.files, item.case_study)
        session.close()
        return item


def test_the_item_page_shows_the_description(demo_app, demo_client):
    item = first_item(demo_app, type="paper")
    html = demo_client.get(f"/items/{item.id}").get_data(as_text=True)
    text = text_of(html)
    assert f"<title>{item.title}" in html.replace("&#39;", "'") or item.title in text
    for author in item.authors:
        assert author.name in text
    assert item.abstract.split()[0] in text and item.summary.split()[0] in text
    assert item.licence_label in text and "Open to everyone" in text
    assert f"{item.current_file.page_count} page" in text
    hrefs = {href for href, _ in links(html)}
    assert {f"/themes/{theme.slug}" for theme in item.themes} <= hrefs
    assert f"/events/{item.event.slug}" in hrefs
    assert {f"/places/{place.slug}" for place in item.places} <= hrefs
    assert f"/items/{item.id}/file.pdf" in hrefs


def test_the_download_is_the_pdf_with_a_safe_name(demo_app, demo_client):
    item = first_item(demo_app, type="paper")
    response = demo_client.get(f"/items/{item.id}/file.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    name = re.search(r'filename="?([^";]+)', disposition).group(1)
    assert re.fullmatch(r"[a-z0-9-]+\.pdf", name)
    assert name.startswith(re.sub(r"[^a-z0-9]+", "-", item.title.lower())[:20])


def test_a_case_study_shows_its_sections(demo_app, demo_client):
    item = first_item(demo_app, type="case_study")
    text = text_of(demo_client.get(f"/items/{item.id}").get_data(as_text=True))
    for heading, value in (("Partners", item.case_study.partners), ("The problem", item.case_study.problem),
                           ("What was done", item.case_study.approach), ("Lessons learnt", item.case_study.lessons)):
        assert heading in text and " ".join(value.split())[:60] in text


def test_the_item_page_lists_related_items(demo_app, demo_client):
    item = first_item(demo_app, type="paper")
    html = demo_client.get(f"/items/{item.id}").get_data(as_text=True)
    related = html.split("Related items", 1)[1]
    ids = [int(i) for i in re.findall(r'href="/items/(\d+)"', related)]
    assert ids and item.id not in ids


def test_unknown_items_and_files_are_404_pages(demo_client):
    for path in ("/items/999999", "/items/999999/file.pdf", "/items/999999/citation.bib", "/items/abc"):
        response = demo_client.get(path)
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


def test_an_embargoed_item_shows_its_description_but_not_its_file(app, client, make_item):
    item_id = make_item(title="Embargoed evaluation of the hub", access="embargoed", embargo_until=date(2099, 5, 1),
                        pages=["The embargoed text mentions quillwort."])
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "Embargoed evaluation of the hub" in html
    assert "available from 1 May 2099" in html
    assert f"/items/{item_id}/file.pdf" not in html
    assert client.get(f"/items/{item_id}/file.pdf").status_code == 404
    assert "citation_pdf_url" not in html


def test_restricted_registered_and_draft_items_are_404_for_anonymous_readers(app, client, make_item):
    hidden = [
        make_item(title="Restricted victims service review", access="restricted", pages=["zorblat"]),
        make_item(title="Registered users only", access="registered", pages=["zorblat"]),
        make_item(title="A draft", status="draft", pages=["zorblat"]),
        make_item(title="A submission", status="submitted", pages=["zorblat"]),
    ]
    for item_id in hidden:
        for path in (f"/items/{item_id}", f"/items/{item_id}/file.pdf", f"/items/{item_id}/citation.ris"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert b"zorblat" not in response.data and b"Restricted victims" not in response.data


def test_a_withdrawn_item_leaves_a_tombstone(app, client, make_item):
    item_id = make_item(title="Superseded guidance on consent", pages=["Old guidance."])
    with app.app_context():
        res = resources()
        with transaction(res.sessions) as session:
            item = session.get(Item, item_id)
            item.status, item.withdrawal_reason = "withdrawn", "Replaced by the 2016 edition."
            record_change(session, [item_id], "withdrawn")
    apply_changes(app.extensions["repository"])
    response = client.get(f"/items/{item_id}")
    assert response.status_code == 410
    text = text_of(response.get_data(as_text=True))
    assert "Superseded guidance on consent" in text and "Replaced by the 2016 edition." in text
    assert client.get(f"/items/{item_id}/file.pdf").status_code == 404


def test_hostile_metadata_is_shown_as_text(app, client, make_item):
    item_id = make_item(title="<script>alert('t')</script> sharing", authors=["<img src=x onerror=alert(1)>"],
                        abstract="Abstract with <b>tags</b> & ampersands", pages=["Plain text."])
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>tags</b>" not in html
    assert "&lt;script&gt;alert" in html and "&lt;b&gt;tags&lt;/b&gt; &amp; ampersands" in html


def test_from_a_search_the_item_page_shows_where_the_words_occur(app, client, make_item):
    item_id = make_item(title="Two page paper", pages=["The first page is about families.",
                                                       "The second page mentions the genogram <tool> twice: genogram."])
    results = client.get("/search", query_string={"q": "genogram"}).get_data(as_text=True)
    assert f'href="/items/{item_id}?q=genogram&amp;results=q%3Dgenogram#passages"' in results
    html = client.get(f"/items/{item_id}", query_string={"q": "genogram"}).get_data(as_text=True)
    passages = html.split("Where ‘genogram’ appears", 1)[1].split("Back to the results", 1)[0]
    assert "Page 2:" in passages and "Page 1:" not in passages
    assert "<mark>genogram</mark>" in passages and "&lt;tool&gt;" in passages and "<tool>" not in passages


def test_passages_of_an_embargoed_text_stay_closed(app, client, make_item):
    item_id = make_item(title="Embargoed with a secret word", access="embargoed",
                        pages=["The closed text mentions the word snorkelwhale."])
    html = client.get(f"/items/{item_id}", query_string={"q": "snorkelwhale"}).get_data(as_text=True)
    assert "snorkelwhale</mark>" not in html and "closed text" not in html
    assert "not available to you" in html


def test_editors_get_a_link_to_review_the_item(app, client, res, make_item):
    from .people import make_user, sign_in

    item_id = make_item(title="Paper to review", pages=["Text."])
    assert "Review, edit or withdraw" not in client.get(f"/items/{item_id}").get_data(as_text=True)
    make_user(res, "editor@example.org", "editor")
    sign_in(client, "editor@example.org")
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    assert f'href="/moderation/items/{item_id}"' in html


def test_earlier_versions_are_listed_and_downloadable(app, client, make_item, tmp_path):
    from indexer.extraction.extract import extract_file
    from repository.services.items import attach_file

    from .conftest import write_pdf

    item_id = make_item(title="Guidance with two editions", pages=["First edition."])
    with app.app_context():
        res = resources()
        with transaction(res.sessions) as session:
            extraction = extract_file(write_pdf(tmp_path / "second-edition.pdf", ["Second edition."]))
            attach_file(session, session.get(Item, item_id), extraction, res.files)
    html = client.get(f"/items/{item_id}").get_data(as_text=True)
    versions = html.split(">Versions<", 1)[1].split("</ol>", 1)[0]
    assert "Version 2" in versions and "(current)" in versions and "Version 1" in versions
    first = client.get(f"/items/{item_id}/versions/1.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    current = client.get(f"/items/{item_id}/file.pdf")
    assert current.data != first.data
    assert client.get(f"/items/{item_id}/versions/3.pdf").status_code == 404
