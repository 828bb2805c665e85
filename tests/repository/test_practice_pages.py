"""What practitioners expect of the pages: words instead of codes, the newest additions first,
a way back to the same results, and footer pages an operator can put in their own words."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from repository.context import resources
from repository.db import transaction
from repository.models import ACCESS_LEVELS, LANGUAGES, LICENCES, Item
from repository.services.changes import record_change
from repository.services.items import AuthorData, ItemData, create_item
from tests.conftest import apply_changes

from .pages import text_of
from .people import make_user, sign_in


def _back_link(html: str) -> str | None:
    """Return the href of the page's "Back to the results" link, or None."""
    found = re.search(r'<a href="([^"]*)" class="govuk-back-link">Back to the results</a>', html)
    return unescape(found.group(1)) if found else None


def test_the_item_page_names_its_licence_language_and_access_in_words(client, make_item):
    item_id = make_item(title="A paper in Welsh", licence="CC-BY-4.0", language="cy", access="registered")
    make_user(client.application.extensions["repository"], "reader@example.org")
    sign_in(client, "reader@example.org")
    text = text_of(client.get(f"/items/{item_id}").get_data(as_text=True))
    assert LICENCES["CC-BY-4.0"] in text and LANGUAGES["cy"] in text and ACCESS_LEVELS["registered"] in text
    assert "CC-BY-4.0" not in text.replace(LICENCES["CC-BY-4.0"], "")
    assert not re.search(r"\bcy\b", text)


def test_the_search_filters_name_access_levels_in_words(client, make_item):
    make_item(title="Open paper", access="open")
    make_item(title="Embargoed paper", access="embargoed")
    html = client.get("/search").get_data(as_text=True)
    labels = re.findall(r'name="access" type="checkbox" value="(\w+)"[^>]*>\s*<label[^>]*>([^<(]+)', html)
    assert labels and all(label.strip() == ACCESS_LEVELS[code] for code, label in labels), labels


def test_the_home_page_lists_the_newest_additions_not_the_newest_years(client, make_item):
    recent_year = make_item(title="Written in 2020, added first", year=2020)
    old_year = make_item(title="Written in 2007, added just now", year=2007)
    html = client.get("/").get_data(as_text=True)
    added = html.split("Recently added</h2>", 1)[1].split("Recently added case studies", 1)[0]
    assert added.index(f'href="/items/{old_year}"') < added.index(f'href="/items/{recent_year}"')
    # The search's own "Newest first" is still about when items were written.
    results = client.get("/search", query_string={"sort": "newest"}).get_data(as_text=True)
    assert results.index(f'href="/items/{recent_year}') < results.index(f'href="/items/{old_year}')


def test_the_search_sorts_by_recently_added_when_asked(app, client, make_item):
    # Added an hour apart, in the opposite order to their titles and their years.
    later = make_item(title="A paper of 2007, added later", year=2007)
    earlier = make_item(title="Z paper of 2020, added earlier", year=2020)
    now = datetime.now(timezone.utc)
    with app.app_context():
        res = resources()
        with transaction(res.sessions) as session:
            for item_id, moment in ((earlier, now - timedelta(hours=2)), (later, now - timedelta(hours=1))):
                session.get(Item, item_id).published_at = moment
            record_change(session, [earlier, later], "published_at set")
        apply_changes(res)
    html = client.get("/search", query_string={"sort": "added"}).get_data(as_text=True)
    assert "Recently added" in html  # the sort is offered by name
    assert html.index(f'href="/items/{later}') < html.index(f'href="/items/{earlier}')
    answer = client.get("/api/v1/search", query_string={"sort": "added"}).get_json()
    assert [hit["id"] for hit in answer["results"]][:2] == [later, earlier]


def test_back_to_the_results_returns_to_the_same_search_filters_sort_and_page(app, client):
    with app.app_context():
        res = resources()
        with transaction(res.sessions) as session:
            for number in range(25):
                create_item(session, ItemData(title=f"Consent paper {number:02d}", authors=[AuthorData("Ann")],
                                              type="case_study", year=2000 + number % 10))
        apply_changes(res)
    query = {"q": "consent", "type": "case_study", "sort": "title", "page": "2"}
    results = client.get("/search", query_string=query).get_data(as_text=True)
    link = unescape(re.search(r'<a class="govuk-link" href="(/items/\d+\?[^"]+)">Consent paper', results).group(1))
    carried = parse_qs(urlsplit(link).query)["results"][0]
    back = _back_link(client.get(link).get_data(as_text=True))
    assert back is not None and urlsplit(back).path == "/search"
    assert parse_qs(urlsplit(back).query) == {key: [value] for key, value in query.items()}
    assert parse_qs(carried) == parse_qs(urlsplit(back).query)
    # The page it leads back to is the same page of the same results.
    again = client.get(back).get_data(as_text=True)
    assert "Consent paper 20" in again and "Consent paper 00" not in again


@pytest.mark.parametrize("hostile", [
    "https://evil.example/search?q=a", "//evil.example/search", "/\\evil.example", "javascript:alert(1)",
    "q=a&page=-4", "q=" + "x" * 3000, "sort=nonsense",
])
def test_a_hostile_results_value_never_leads_anywhere_but_the_search_page(client, make_item, hostile):
    item_id = make_item(title="A plain paper")
    response = client.get(f"/items/{item_id}", query_string={"results": hostile})
    assert response.status_code == 200
    back = _back_link(response.get_data(as_text=True))
    # Either no way back at all, or the search page's own fixed address with checked parameters.
    assert back is None or (back == "/search" or back.startswith("/search?")), back
    assert "evil" not in (back or "") and "javascript" not in (back or "")


@pytest.mark.parametrize("name, title", [("accessibility", "Accessibility statement"),
                                         ("privacy", "Privacy notice"), ("contact", "Contact")])
def test_every_footer_links_to_the_footer_pages(client, name, title):
    for path in ("/", "/search?q=x", "/no/such/page", "/account/sign-in"):
        html = client.get(path).get_data(as_text=True)
        footer = html.split('<footer class="govuk-footer">', 1)[1]
        assert f'href="/{name}">{title}</a>' in footer, path
    page = client.get(f"/{name}")
    assert page.status_code == 200 and f"<h1 class=\"govuk-heading-l\">{title}</h1>" in page.get_data(as_text=True)


def test_the_shipped_accessibility_statement_says_what_is_claimed_and_tested(client):
    text = text_of(client.get("/accessibility").get_data(as_text=True))
    assert "WCAG" in text and "2.2" in text and "axe-core" in text and "What is not accessible" in text


def test_an_operator_replaces_a_footer_page_in_the_instance_folder(app, client):
    pages = Path(app.instance_path) / "pages"
    pages.mkdir(exist_ok=True)
    (pages / "contact.html").write_text(
        '<p class="govuk-body">Write to the Seminar Office, Room 101, {{ service_name }}.</p>\n', encoding="utf-8")
    html = client.get("/contact").get_data(as_text=True)
    assert "Write to the Seminar Office, Room 101, Information Sharing Exchange." in html
    assert "<h1 class=\"govuk-heading-l\">Contact</h1>" in html
    # The pages without an override keep the shipped text.
    assert "What is not accessible" in client.get("/accessibility").get_data(as_text=True)


def test_a_chosen_filter_with_no_results_is_still_named_in_words(client, make_item):
    make_item(title="A paper", type="paper")
    html = client.get("/search", query_string={"type": "case_study", "access": "embargoed"}).get_data(as_text=True)
    text = text_of(html)
    assert "Remove filter type Case study" in text and "Remove filter access Embargoed" in text
    assert "case_study" not in text
