"""The search page on the demo collection: suggestions, filters, sort, pages, bad input."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from indexer.search.schema import title_sort_key
from repository.context import resources
from repository.models import Item, Theme

from .pages import facet_count, is_checked, links, result_ids, text_of, total


def visible_items(app) -> dict[int, Item]:
    """Return the published items an anonymous reader may see, by id."""
    with app.app_context():
        with resources().sessions() as session:
            items = session.scalars(select(Item).options(selectinload(Item.authors))
                                    .where(Item.status == "published", Item.access.in_(["open", "embargoed"])))
            return {item.id: item for item in items}


def suggestion_links(html: str) -> list[str]:
    """Return the corrected queries offered by "Did you mean" or "Try ... instead"."""
    found = []
    for marker in ("Did you mean", "Try "):
        for part in html.split(marker)[1:]:
            href = part.split('href="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
            found.append(parse_qs(urlsplit(href).query)["q"][0])
    return found


@pytest.mark.parametrize("typed, corrected", [("domestc abuse", "domestic abuse"),
                                              ("informaton sharing", "information sharing")])
def test_a_misspelt_query_suggests_the_right_one(demo_client, typed, corrected):
    html = demo_client.get("/search", query_string={"q": typed}).get_data(as_text=True)
    assert "Did you mean" in html
    assert corrected in suggestion_links(html)


def test_a_query_with_no_results_offers_the_correction_and_broad_themes(demo_app, demo_client):
    # Searched exactly as typed (the link under a correction that was searched instead).
    html = demo_client.get("/search", query_string={"q": "domestc abuze", "exact": "1"}).get_data(as_text=True)
    assert total(html) == 0
    assert "There are no matching results" in html
    assert "domestic abuse" in suggestion_links(html)
    with demo_app.app_context():
        with resources().sessions() as session:
            top_level = set(session.scalars(select(Theme.slug).where(Theme.parent_id.is_(None))))
    offered = {href.rsplit("/", 1)[1] for href, _ in links(html) if href.startswith("/themes/")}
    assert offered and offered <= top_level


def test_a_query_matching_nothing_and_suggesting_nothing_still_offers_themes(demo_client):
    html = demo_client.get("/search", query_string={"q": "xylophonequartz"}).get_data(as_text=True)
    assert total(html) == 0 and "Did you mean" not in html and "Try " not in html
    assert "Broad themes" in html


def test_a_filter_narrows_the_results_and_the_counts_follow(demo_app, demo_client):
    items = visible_items(demo_app)
    before = demo_client.get("/search", query_string={"q": "information sharing"}).get_data(as_text=True)
    offered = facet_count(before, "type", "case_study")
    assert offered and offered < total(before)

    after = demo_client.get("/search", query_string={"q": "information sharing", "type": "case_study"}
                            ).get_data(as_text=True)
    assert total(after) == offered
    assert is_checked(after, "type", "case_study") and not is_checked(before, "type", "case_study")
    assert all(items[i].type == "case_study" for i in result_ids(after))
    # Theme counts are now counted over case studies only.
    theme_before = {slug: facet_count(before, "theme", slug) for slug in ("families", "domestic-abuse")}
    theme_after = {slug: facet_count(after, "theme", slug) or 0 for slug in theme_before}
    assert all(theme_after[s] <= (theme_before[s] or 0) for s in theme_before)
    assert theme_after != theme_before


def test_values_of_one_filter_widen_and_filters_together_narrow(demo_client):
    def count(**query) -> int:
        return total(demo_client.get("/search", query_string=query).get_data(as_text=True))

    case_studies, reports = count(type="case_study"), count(type="report")
    assert count(type=["case_study", "report"]) == case_studies + reports
    leeds = count(place="leeds")
    assert count(type="case_study", place="leeds") <= min(case_studies, leeds)


def test_a_year_range_keeps_items_of_those_years(demo_app, demo_client):
    items = visible_items(demo_app)
    html = demo_client.get("/search", query_string={"from": 2014, "to": 2015}).get_data(as_text=True)
    expected = [i for i, item in items.items() if item.year in (2014, 2015)]
    assert total(html) == len(expected) > 0
    assert all(items[i].year in (2014, 2015) for i in result_ids(html))


def test_removing_a_filter_links_back_to_the_wider_search(demo_client):
    wide = demo_client.get("/search", query_string={"q": "consent"}).get_data(as_text=True)
    narrow = demo_client.get("/search", query_string={"q": "consent", "theme": "families"}).get_data(as_text=True)
    remove = [href for href, text in links(narrow) if text.startswith("Remove filter")]
    assert len(remove) == 1
    again = demo_client.get(remove[0]).get_data(as_text=True)
    assert total(again) == total(wide) > total(narrow)


def test_results_can_be_sorted_by_title_and_date(demo_app, demo_client):
    items = visible_items(demo_app)
    by_title = result_ids(demo_client.get("/search?sort=title").get_data(as_text=True))
    keys = [title_sort_key(items[i].title) for i in by_title]
    assert keys == sorted(keys)
    newest = result_ids(demo_client.get("/search?sort=newest").get_data(as_text=True))
    dates = [items[i].date for i in newest if items[i].date]
    assert len(dates) > 5 and dates == sorted(dates, reverse=True)
    oldest = result_ids(demo_client.get("/search?sort=oldest").get_data(as_text=True))
    assert [items[i].year for i in oldest] == sorted(items[i].year for i in oldest)


def test_results_come_in_pages(demo_app, demo_client):
    visible = len(visible_items(demo_app))
    first = demo_client.get("/search").get_data(as_text=True)
    assert total(first) == visible > 20
    assert len(result_ids(first)) == 20
    next_page = [href for href, text in links(first) if "page=2" in href]
    assert next_page
    second = demo_client.get(next_page[0]).get_data(as_text=True)
    assert len(result_ids(second)) == visible - 20
    assert not set(result_ids(first)) & set(result_ids(second))


def test_each_result_shows_its_description_and_why_it_matched(demo_app, demo_client):
    items = visible_items(demo_app)
    html = demo_client.get("/search", query_string={"q": "MARAC"}).get_data(as_text=True)
    ids = result_ids(html)
    assert ids
    first = items[ids[0]]
    text = text_of(html)
    assert first.title in text and first.authors[0].name in text and str(first.year) in text
    assert first.type_label in text
    assert "<mark>" in html.split('id="results-heading"')[1]


@pytest.mark.parametrize("query", ['"information sharing', "abuse AND", "(families", "NOT", "title:"])
def test_a_malformed_query_is_searched_as_plain_words_and_the_page_says_so(demo_client, query):
    response = demo_client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "searched as plain words" in response.get_data(as_text=True)


def test_a_well_formed_query_does_not_say_it_was_changed(demo_client):
    html = demo_client.get("/search", query_string={"q": '"information sharing" -troubled'}).get_data(as_text=True)
    assert total(html) > 0 and "searched as plain words" not in html


@pytest.mark.parametrize("query, message", [
    ({"page": "0"}, "page number must be between"),
    ({"page": "two"}, "page number must be a whole number"),
    ({"sort": "random"}, "There is no sort order"),
    ({"from": "last year"}, "must be a whole number"),
    ({"q": ["a", "b"]}, "given 2 times"),
    ({"q": "x" * 600}, "too long"),
])
def test_bad_parameters_get_a_clear_400_page(demo_client, query, message):
    response = demo_client.get("/search", query_string=query)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem with the request" in html and message in html
    assert "Traceback" not in html


def test_the_query_and_filters_stay_in_the_form(demo_client):
    html = demo_client.get("/search", query_string={"q": "consent", "theme": "families", "sort": "title"}
                           ).get_data(as_text=True)
    assert 'name="q" type="search" value="consent"' in html
    assert is_checked(html, "theme", "families")
    assert '<option value="title" selected' in html


def test_the_theme_filter_follows_the_taxonomy(demo_client):
    html = demo_client.get("/search", query_string={"q": "families"}).get_data(as_text=True)
    families = html.index('value="families"')
    troubled = html.index('value="troubled-families"')
    assert families < troubled
    child = html.rfind('<div class="govuk-checkboxes__item', 0, troubled)
    assert "app-filter-child" in html[child:troubled]
    parent = html.rfind('<div class="govuk-checkboxes__item', 0, families)
    assert "app-filter-child" not in html[parent:families]


def test_a_page_past_the_last_says_so_and_links_back(demo_client):
    html = demo_client.get("/search", query_string={"q": "marac", "page": 50}).get_data(as_text=True)
    assert result_ids(html) == [] and total(html) > 0
    assert "There are no results on this page" in html
    back = [href for href, text in links(html) if text == "Go to the first page"]
    assert back and "page=" not in back[0] and "q=marac" in back[0]
