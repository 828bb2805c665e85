"""Search parameters: the query string in, a SearchRequest out, and links that keep the state."""

from __future__ import annotations

from urllib.parse import parse_qsl

import pytest
from werkzeug.datastructures import MultiDict

from repository.search_params import SearchParamError, parse_search_args
from repository.services.search import Reader


def parse(**args):
    pairs = [(k, v) for k, vs in args.items() for v in (vs if isinstance(vs, list) else [vs])]
    return parse_search_args(MultiDict(pairs))


def test_url_names_become_the_engine_filters():
    params = parse(q="  consent ", theme=["families", "domestic-abuse", "families"], place="leeds",
                   author="Ann Example", **{"from": "2014", "to": "2016"}, sort="newest", page="3")
    request = params.to_request(Reader(("public", "registered"), withheld=frozenset({"7"})))
    assert request.q == "consent"
    assert request.filters == {"themes": ["families", "domestic-abuse"], "places": ["leeds"],
                               "authors": ["Ann Example"]}
    assert (request.year_from, request.year_to, request.sort, request.page) == (2014, 2016, "newest", 3)
    assert request.principals == ["public", "registered"] and request.withheld == {"7"}


def test_blank_values_are_ignored():
    params = parse(q="", theme=["", " "], page="", sort="", **{"from": ""})
    assert params.filters == {} and params.page == 1 and params.sort == "relevance" and params.year_from is None


def test_links_keep_the_state_and_go_back_to_page_one_when_the_results_change():
    params = parse(q="consent", theme="families", sort="title", page="2")
    assert dict(parse_qsl(params.query_string(page=3)))["page"] == "3"
    added = parse_qsl(params.query_string(add=("type", "case_study")))
    assert ("type", "case_study") in added and ("theme", "families") in added and ("sort", "title") in added
    assert "page" not in dict(added)
    removed = dict(parse_qsl(params.query_string(remove=("theme", "families"))))
    assert removed == {"q": "consent", "sort": "title"}
    assert parse_search_args(MultiDict(parse_qsl(params.query_string(page=2)))) == params


@pytest.mark.parametrize("args", [
    {"page": "-1"}, {"page": "1001"}, {"page": "1.5"}, {"per_page": "500"}, {"sort": "popular"},
    {"from": "99"}, {"to": "abc"}, {"q": "x" * 501},
    {"theme": [f"t{i}" for i in range(31)]}, {"place": "p" * 201}, {"page": ["1", "2"]},
])
def test_bad_values_raise_a_readable_error(args):
    with pytest.raises(SearchParamError) as raised:
        parse(**args)
    assert str(raised.value) and "Traceback" not in str(raised.value)


def test_years_the_wrong_way_round_are_turned_round_and_said():
    params = parse(q="consent", **{"from": "2016", "to": "2015"})
    assert (params.year_from, params.year_to, params.q) == (2015, 2016, "consent")
    assert params.notes == ["The years were the wrong way round (2016 to 2015), so items from 2015 to 2016 are shown."]
    assert dict(parse_qsl(params.query_string()))["from"] == "2015"


def test_exact_is_kept_in_links_until_the_query_changes():
    params = parse(q="safegaurding", exact="1")
    assert params.exact and dict(parse_qsl(params.query_string(page=2)))["exact"] == "1"
    assert "exact" not in dict(parse_qsl(params.query_string(q="safeguarding")))


def test_pages_cannot_choose_their_page_size():
    params = parse_search_args(MultiDict([("per_page", "100")]), default_per_page=20, allow_per_page=False)
    assert params.per_page == 20
