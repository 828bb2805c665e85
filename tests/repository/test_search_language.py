"""The query language people type: corrections, names in fields, lone exclusions, prefixes, years, synonyms."""

from __future__ import annotations

import html as htmllib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from repository.context import resources

from .pages import links, result_ids, text_of, total
from .people import make_user, sign_in


@pytest.fixture
def shelf(app, make_item) -> dict[str, int]:
    """Deposit a small collection with known words, themes, places, types and years; one item restricted."""
    return {
        "schools": make_item(title="Safeguarding children in schools", type="report", year=2015,
                             abstract="How schools share information about safeguarding children.",
                             themes=["safeguarding-children"], places=["Brighton and Hove"]),
        "partnership": make_item(title="Safeguarding children partnership", type="case_study", year=2014,
                                 abstract="The children safeguarding partnership and its partnership work.",
                                 themes=["domestic-abuse"], places=["Leeds"]),
        "marac": make_item(title="Domestic abuse and the MARAC", type="case_study", year=2016,
                           abstract="Domestic abuse referrals to the multi-agency risk assessment conference.",
                           themes=["domestic-abuse"]),
        "gdpr": make_item(title="Councils and the new regulation", type="guidance", year=2018,
                          abstract="What the General Data Protection Regulation asks of councils; "
                                   "each data protection impact assessment is kept."),
        "hidden": make_item(title="Refuge addresses", type="report", year=2017, access="restricted",
                            abstract="Zanzibarite refuge addresses kept from everyone but editors."),
    }


def page(client, **query) -> str:
    return client.get("/search", query_string=query).get_data(as_text=True)


def api(client, **query) -> dict:
    response = client.get("/api/v1/search", query_string=query)
    assert response.status_code == 200
    return json.loads(response.data)


def said(html: str) -> str:
    """Return the page's text as read: tags gone, no space before a full stop."""
    return re.sub(r"\s+([.,?])", r"\1", text_of(html))


def notes_of(html: str) -> str:
    """Return the text of the notes above the results."""
    if "app-search-notes" not in html:
        return ""
    return said(html.split("app-search-notes", 1)[1].split("</div>", 1)[0].split(">", 1)[1])


def box_value(html: str) -> str:
    """Return what the search box holds."""
    return htmllib.unescape(html.split('id="search-q"', 1)[1].split('value="', 1)[1].split('"', 1)[0])


# --- spelling ---------------------------------------------------------------------------------

def test_a_misspelt_query_is_searched_as_corrected_with_a_way_back_to_what_was_typed(client, shelf):
    html = page(client, q="safegaurding chidren")
    assert set(result_ids(html)) == {shelf["schools"], shelf["partnership"]}
    text = said(html)
    assert "Showing results for safeguarding children. Search instead for safegaurding chidren." in text
    assert box_value(html) == "safegaurding chidren"
    instead = [href for href, label in links(html) if label == "safegaurding chidren"]
    assert len(instead) == 1 and parse_qs(urlsplit(instead[0]).query) == {"q": ["safegaurding chidren"],
                                                                          "exact": ["1"]}
    exact = client.get(htmllib.unescape(instead[0])).get_data(as_text=True)
    assert total(exact) == 0 and "Showing results for" not in exact
    assert "safeguarding children" in text_of(exact)  # still offered ("Try ... instead")


def test_the_api_says_what_it_searched_for_and_searches_exactly_when_asked(client, shelf):
    corrected = api(client, q="safegaurding chidren")
    assert corrected["searched_for"] == "safeguarding children" and corrected["suggestion"] is None
    assert corrected["total"] == 2 and corrected["query"] == "safegaurding chidren"
    exact = api(client, q="safegaurding chidren", exact="1")
    assert exact["searched_for"] is None and exact["total"] == 0
    assert exact["suggestion"] == "safeguarding children"


def test_weak_evidence_only_offers_the_correction(client, shelf):
    # "partnershup" is one slip from a word only one item holds: offered, not searched.
    html = page(client, q="partnershup")
    assert total(html) == 0 and "Showing results for" not in html
    assert "partnership" in text_of(html)
    assert api(client, q="partnershup")["suggestion"] == "partnership"


def test_a_correction_never_uses_a_word_only_a_hidden_item_holds(app, client, shelf):
    with app.app_context():
        make_user(resources(), "ed@example.org", "editor")
    anonymous = page(client, q="zanzibarote")
    assert total(anonymous) == 0 and "zanzibarite" not in anonymous.lower()
    assert api(client, q="zanzibarote")["suggestion"] is None
    editor = app.test_client()
    sign_in(editor, "ed@example.org")
    assert "zanzibarite" in text_of(page(editor, q="zanzibarote")).lower()
    # The anonymous answer is not changed by the editor's having asked first (the cache is per audience).
    assert "zanzibarite" not in page(client, q="zanzibarote").lower()


# --- names in fields --------------------------------------------------------------------------

@pytest.mark.parametrize("typed, slug_query", [
    ("type:case-study", "type:case_study"),
    ('type:"Case study"', "type:case_study"),
    ("TYPE:case-studies", "type:case_study"),
    ('theme:"domestic abuse"', "theme:domestic-abuse"),
    ("theme:Domestic Abuse", "theme:domestic-abuse"),
    ('place:"brighton and hove"', "place:brighton-and-hove"),
    ("place:Brighton and Hove", "place:brighton-and-hove"),
])
def test_fields_take_the_names_people_see(client, shelf, typed, slug_query):
    by_name, by_slug = page(client, q=typed), page(client, q=slug_query)
    assert total(by_name) == total(by_slug) > 0
    assert set(result_ids(by_name)) == set(result_ids(by_slug))
    assert notes_of(by_name) == ""


def test_an_unknown_value_is_explained_left_out_and_kept_in_the_box(client, shelf):
    html = page(client, q='theme:"knitting circles" safeguarding')
    assert "There is no theme called ‘knitting circles’, so it was left out of the search." in notes_of(html)
    assert box_value(html) == 'theme:"knitting circles" safeguarding'
    assert set(result_ids(html)) == {shelf["schools"], shelf["partnership"]}


def test_a_place_known_only_from_hidden_items_answers_as_an_unknown_one(app, client, make_item):
    make_item(title="A refuge's records", places=["Skerrowby"], access="restricted")
    make_item(title="Safeguarding in the open", abstract="Safeguarding children together.")
    with app.app_context():
        make_user(resources(), "ed@example.org", "editor")
    for typed in ("place:Skerrowby", "place:skerrowby"):
        hidden, unknown = page(client, q=f"{typed} safeguarding"), page(client, q="place:Nowhereby safeguarding")
        assert notes_of(hidden) == notes_of(unknown).replace("Nowhereby", typed.split(":")[1])
        assert total(hidden) == total(unknown) == 1
    # In the address's filter too: the same answer as for a place that does not exist.
    hidden = page(client, q="safeguarding", place="skerrowby")
    unknown = page(client, q="safeguarding", place="nowhereby")
    assert (total(hidden), notes_of(hidden).replace("skerrowby", "nowhereby")) == (total(unknown), notes_of(unknown))
    # An editor, who may see the item, has the name resolved.
    editor = app.test_client()
    sign_in(editor, "ed@example.org")
    assert notes_of(page(editor, q="place:Skerrowby")) == "" and total(page(editor, q="place:Skerrowby")) == 1


def test_an_unknown_field_is_explained(client, shelf):
    html = page(client, q="colour:blue safeguarding")
    assert "There is no search field called ‘colour’" in notes_of(html)
    assert box_value(html) == "colour:blue safeguarding"
    assert api(client, q="colour:blue safeguarding")["notes"][0].startswith("There is no search field called")


# --- operators --------------------------------------------------------------------------------

def test_a_lone_excluded_word_means_everything_without_it(client, shelf):
    without = set(result_ids(page(client, q="-domestic")))
    assert without == {shelf["schools"], shelf["partnership"], shelf["gdpr"]}
    assert without == set(result_ids(page(client, q="NOT domestic")))


def test_a_trailing_star_finds_words_beginning_so(client, shelf):
    html = page(client, q="dom*")
    assert set(result_ids(html)) == {shelf["marac"]}
    assert "<mark>Domestic</mark>" in html or "<mark>domestic</mark>" in html
    short = page(client, q="d*")
    assert "needs at least 3 letters before the *" in notes_of(short)


def test_a_reversed_year_range_in_the_query_is_turned_round_and_said(client, shelf):
    html = page(client, q="safeguarding year:2016..2014")
    assert "wrong way round" in notes_of(html)
    assert set(result_ids(html)) == set(result_ids(page(client, q="safeguarding year:2014..2016")))


def test_reversed_years_in_the_form_are_turned_round_and_the_query_kept(client, shelf):
    response = client.get("/search", query_string={"q": "safeguarding", "from": "2015", "to": "2014"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "The years were the wrong way round (2015 to 2014), so items from 2014 to 2015 are shown." \
        in notes_of(html)
    assert box_value(html) == "safeguarding"
    assert set(result_ids(html)) == {shelf["schools"], shelf["partnership"]}
    assert api(client, q="safeguarding", **{"from": "2015", "to": "2014"})["total"] == 2


def test_a_bad_parameter_page_keeps_a_way_back_to_the_words(client, shelf):
    response = client.get("/search", query_string={"q": "safeguarding", "page": "0"})
    assert response.status_code == 400
    assert "Search for ‘safeguarding’ without the other settings" in text_of(response.get_data(as_text=True))


# --- synonyms ---------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [("GDPR", "gdpr"), ("DPIA", "gdpr"), ("marac", "marac"),
                                             ("multi-agency risk assessment conference", "marac")])
def test_abbreviations_find_their_long_forms_and_back(client, shelf, typed, expected):
    assert shelf[expected] in result_ids(page(client, q=typed))


def test_a_quoted_abbreviation_is_only_itself(client, shelf):
    assert result_ids(page(client, q='"GDPR"')) == []


def test_the_reported_misspelling_finds_the_demo_collections_safeguarding_items(demo_client):
    html = demo_client.get("/search", query_string={"q": "safegaurding chidren"}).get_data(as_text=True)
    assert total(html) > 0
    assert "Showing results for safeguarding children. Search instead for safegaurding chidren." in said(html)


def test_an_event_is_found_by_its_name(app, client, make_item):
    from repository.db import transaction
    from repository.models import Event

    with app.app_context():
        with transaction(resources().sessions) as session:
            session.add(Event(slug="leeds-2015", name="Information sharing in Leeds, 2015"))
    item = make_item(title="Notes from the Leeds seminar", event="leeds-2015")
    make_item(title="Notes from elsewhere")
    for typed in ('event:"information sharing in leeds, 2015"', "event:leeds-2015"):
        html = page(client, q=typed)
        assert result_ids(html) == [item] and notes_of(html) == ""
