"""The facet registry: every facet names a real key field, and the one check of a request."""

from __future__ import annotations

import pytest
from whoosh import fields

from indexer.search.facets import BY_PARAM, FACETS, MAX_PER_PAGE, SORTS, BadRequest, check_request
from indexer.search.schema import make_schema


def test_every_facet_names_a_key_field_of_the_schema():
    schema = make_schema()
    for facet in FACETS:
        assert facet.field in schema.names(), facet
        assert isinstance(schema[facet.field], (fields.KEYWORD, fields.ID)), facet
    assert len({facet.key for facet in FACETS}) == len(FACETS)
    assert len(BY_PARAM) == len([facet for facet in FACETS if facet.param])


def request(**changes):
    values = dict(q="", filters={}, year_from=None, year_to=None, sort="relevance", page=1, per_page=20)
    values.update(changes)
    return values


@pytest.mark.parametrize("changes, message", [
    ({"sort": "popular"}, "no sort order 'popular': choose relevance, newest, oldest, added or title"),
    ({"per_page": MAX_PER_PAGE + 1}, r"\('per_page'\) must be between"),
    ({"page": 0}, "page number must be between"),
    ({"page": 501}, "first 10,000 results"),
    ({"filters": {"year": ["2015"]}}, "no filter called 'year'"),
    ({"filters": {"colour": ["red"]}}, "no filter called 'colour'"),
    ({"year_from": 99}, "'from' year must be between"),
    ({"year_from": 2016, "year_to": 2014}, "is after"),
    ({"q": None}, "must be text"),
])
def test_values_out_of_range_are_refused_with_a_reason(changes, message):
    with pytest.raises(BadRequest, match=message):
        check_request(**request(**changes))


def test_every_offered_choice_passes():
    for sort in SORTS:
        check_request(**request(sort=sort, filters={facet.key: ["x"] for facet in FACETS if facet.param}))
