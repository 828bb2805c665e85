"""search() and more_like_this(): ranking, filters, facets, snippets, access, suggestions."""

from __future__ import annotations

import json

import pytest

from indexer.search import BadRequest, SearchRequest, more_like_this, search
from indexer.search.store import IndexStore
from tests.indexer.documents import make_doc

# A word that appears only in the restricted document.
SECRET = "quillomantic"


DOCS = [
    make_doc("marac", title="Domestic abuse and information sharing at MARAC",
             abstract="How partners share information about domestic abuse risk.",
             body="Information sharing between police, health and councils reduces repeat domestic abuse. "
                  "The MARAC meets monthly in Leeds.",
             authors=["Ann Example"], themes=["families", "domestic-abuse"], places=["leeds"],
             year=2015, date="2015-03-12"),
    make_doc("genogram", type="case-study", title="Genograms and family consent in Blackpool",
             abstract="Family consent for genograms.",
             body="Genograms drawn with the family need consent. Some families had experienced domestic violence.",
             authors=["B. Person"], themes=["families", "troubled-families"], places=["blackpool"],
             event="seminar-2-leeds", year=2016, date="2016-07-01"),
    make_doc("sharing", title="Information governance for local sharing",
             abstract="Data protection and lawful sharing of information.",
             body="A data sharing agreement sets out what information is shared and why.",
             authors=["Ann Example", "C. Third"], themes=["governance"], places=["manchester"],
             year=2014, date="2014-11-20"),
    make_doc("script", type="report", title="Escaping check",
             body="The form contained <script>alert('x')</script> next to the word consent & more.",
             year=2013),
    make_doc("secret", type="case-study", title="Refuge case study",
             abstract="A restricted case study of a domestic abuse refuge.",
             body=f"The {SECRET} refuge in Leeds supports victims of domestic abuse.",
             authors=["D. Hidden"], themes=["victims"], places=["leeds"], year=2017, date="2017-02-02",
             access="restricted", readers=["user:5", "editors"]),
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = IndexStore(tmp_path_factory.mktemp("ix"))
    s.add_or_replace(DOCS)
    return s


def run(store, q="", **kw):
    """Search with a request built from keyword arguments."""
    return search(store, SearchRequest(q=q, **kw))


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_plain_words_rank_documents_with_all_words_first(store):
    result = run(store, "domestic abuse information sharing")
    assert ids(result)[0] == "marac"
    assert set(ids(result)) == {"marac", "genogram", "sharing"}
    assert result.fallback is False
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)


def test_stemming_matches_other_word_forms(store):
    assert "genogram" in ids(run(store, "genogram consenting"))


def test_exact_phrase_needs_the_words_together(store):
    assert ids(run(store, '"information governance"')) == ["sharing"]
    assert ids(run(store, '"governance information"')) == []
    assert set(ids(run(store, "governance information"))) >= {"sharing", "marac"}


def test_boolean_operators_and_minus(store):
    assert set(ids(run(store, "genograms OR governance"))) == {"genogram", "sharing"}
    assert ids(run(store, "information AND genograms")) == []
    assert "marac" not in ids(run(store, "information NOT domestic"))
    assert "marac" not in ids(run(store, "information -domestic"))
    assert "sharing" in ids(run(store, "information -domestic"))


def test_field_queries(store):
    assert ids(run(store, "title:genograms")) == ["genogram"]
    assert set(ids(run(store, "author:example"))) == {"marac", "sharing"}
    assert ids(run(store, "theme:troubled-families")) == ["genogram"]
    assert ids(run(store, "place:blackpool")) == ["genogram"]
    assert ids(run(store, "type:report")) == ["script"]


def test_year_and_year_range(store):
    assert ids(run(store, "year:2015")) == ["marac"]
    assert set(ids(run(store, "year:2014..2015"))) == {"marac", "sharing"}
    assert set(ids(run(store, "year:2015.."))) == {"marac", "genogram"}


@pytest.mark.parametrize("q", ['"domestic abuse', "domestic:", "domestic : abuse", "NOT", "abuse AND",
                               "colour:blue abuse", "(abuse", "x" * 10_000, "abuse " * 2_000])
def test_malformed_queries_fall_back_to_plain_words(store, q):
    result = run(store, q)
    assert result.fallback is True
    if "abuse" in q:
        assert result.total >= 1


def test_only_punctuation_finds_nothing_without_error(store):
    result = run(store, "?!* ::")
    assert result.fallback is True
    assert result.total == 0 and result.hits == []


def test_empty_query_browses_all_visible_newest_first(store):
    result = run(store, "")
    assert ids(result) == ["genogram", "marac", "sharing", "script"]
    assert result.total == 4


def test_filters_or_within_and_across_keys(store):
    assert set(ids(run(store, filters={"themes": ["governance", "troubled-families"]}))) == {"sharing", "genogram"}
    assert ids(run(store, filters={"themes": ["families"], "places": ["leeds"]})) == ["marac"]
    found = run(store, filters={"authors": ["Ann Example"], "type": ["paper"]}, sort="oldest")
    assert ids(found) == ["sharing", "marac"]
    assert ids(run(store, year_from=2015, year_to=2015)) == ["marac"]


def test_facet_counts_follow_query_and_filters(store):
    facets = run(store, "").facets
    assert dict(facets["themes"]) == {"families": 2, "domestic-abuse": 1, "troubled-families": 1, "governance": 1}
    assert dict(facets["type"]) == {"paper": 2, "case-study": 1, "report": 1}
    assert dict(facets["authors"]) == {"Ann Example": 2, "B. Person": 1, "C. Third": 1}
    assert dict(facets["year"]) == {"2016": 1, "2015": 1, "2014": 1, "2013": 1}
    narrowed = run(store, "", filters={"places": ["leeds"]}).facets
    assert dict(narrowed["themes"]) == {"families": 1, "domestic-abuse": 1}
    assert dict(run(store, "genograms").facets["places"]) == {"blackpool": 1}


def test_access_filter_hides_restricted_document_everywhere(store):
    public = run(store, f"domestic abuse {SECRET}")
    assert "secret" not in ids(public)
    assert run(store, SECRET).total == 0
    assert "victims" not in dict(public.facets["themes"])
    assert "D. Hidden" not in dict(run(store, "").facets["authors"])
    assert "restricted" not in dict(run(store, "").facets["access"])
    assert all(SECRET not in s for h in public.hits for s in h.snippets)
    # One letter off the secret word: no suggestion may reveal it.
    assert run(store, SECRET[:-1] + "x").suggestion is None
    assert "secret" not in more_like_this(store, "marac", ["public"], limit=10)
    assert more_like_this(store, "secret", ["public"]) == []


def test_reader_sees_restricted_document(store):
    mine = run(store, SECRET, principals=["public", "user:5"])
    assert ids(mine) == ["secret"]
    assert SECRET in mine.hits[0].snippets[0]
    assert run(store, SECRET[:-1] + "x", principals=["user:5"]).suggestion == SECRET
    assert dict(run(store, "", principals=["editors"]).facets["access"]) == {"restricted": 1}


def test_no_principals_sees_nothing(store):
    assert run(store, "", principals=[]).total == 0
    assert run(store, "domestic", principals=[]).hits == []


def test_snippets_mark_matches_and_escape_html(store):
    hit = next(h for h in run(store, "consent").hits if h.id == "script")
    snippet = hit.snippets[0]
    assert "&lt;script&gt;" in snippet and "<script>" not in snippet
    assert "<mark>consent</mark>" in snippet
    assert "&amp; more" in snippet


def test_snippet_falls_back_to_abstract_and_can_be_switched_off(store):
    result = run(store, "genograms", highlight=False)
    assert result.hits[0].snippets == []
    lead = run(store, "", per_page=1).hits[0].snippets
    assert lead == ["Family consent for genograms."]


def test_suggestion_for_a_misspelt_word(store):
    # One slip from a word several documents hold, finding more: searched, not only offered.
    result = run(store, "domestc abuse")
    assert result.searched_for == "domestic abuse" and result.suggestion is None
    exact = run(store, "domestc abuse", correct=False)
    assert exact.suggestion == "domestic abuse" and exact.searched_for is None
    assert exact.total < result.total
    assert run(store, "domestic abuse").suggestion is None
    assert run(store, "domestc abuse", suggest=False).suggestion is None


def test_suggestions_come_from_every_word_as_written(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc(
        "1", title="Kinship carers",
        body="The organisation's ombudsman met one wheelwright about IL-6 in 2014.",
    )])
    assert run(store, "kinshlp").suggestion == "kinship"  # from the title
    assert run(store, "wheelwrigt").suggestion == "wheelwright"  # once, deep in the body
    # British spelling stays British, though "organization" finds the same document.
    assert run(store, "organisaton").suggestion == "organisation"
    assert run(store, "organization").total == 1
    assert run(store, "ombudsman 2015").suggestion is None  # numbers are never corrected


def test_the_word_as_typed_outranks_other_forms_of_it(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([
        make_doc("noun", title="Review", body="Protection of the vulnerable adult at home."),
        make_doc("verb", title="Review", body="Protecting the vulnerable adult at home."),
    ])
    # Both match through the stem; the exact-word field adds weight to the form typed.
    assert ids(run(store, "protection")) == ["noun", "verb"]
    assert ids(run(store, "protecting")) == ["verb", "noun"]
    # A quoted phrase is matched where positions are kept, without error.
    assert sorted(ids(run(store, '"vulnerable adult"'))) == ["noun", "verb"]


def test_sort_orders(store):
    assert ids(run(store, "", sort="oldest")) == ["script", "sharing", "marac", "genogram"]
    assert ids(run(store, "", sort="title")) == ["marac", "script", "genogram", "sharing"]
    newest = ids(run(store, "domestic", sort="newest"))
    assert newest == ["genogram", "marac"]


def test_paging(store):
    pages = [ids(run(store, "", per_page=3, page=p)) for p in (1, 2, 3)]
    assert pages == [["genogram", "marac", "sharing"], ["script"], []]
    second = run(store, "", per_page=3, page=2)
    assert second.total == 4 and second.page == 2 and second.per_page == 3


@pytest.mark.parametrize("kw", [{"page": 0}, {"per_page": 0}, {"per_page": 101}, {"sort": "random"},
                                {"filters": {"colour": ["red"]}}, {"year_from": 2016, "year_to": 2014},
                                {"page": 1000, "per_page": 100}])
def test_bad_parameters_raise_bad_request(store, kw):
    with pytest.raises(BadRequest):
        run(store, "abuse", **kw)


def test_more_like_this_finds_related_items_not_itself(store):
    similar = more_like_this(store, "marac", ["public"])
    assert "marac" not in similar
    assert similar and similar[0] in {"sharing", "genogram"}
    assert more_like_this(store, "no-such-id", ["public"]) == []


def test_relevance_bench_matches_hand_computed_figures(tmp_path):
    from bench.relevance import measure

    corpus = [
        {"_id": "d1", "title": "Zebra stripes", "text": "Zebra stripes and more zebra stripes."},
        {"_id": "d2", "title": "Crossings", "text": "A zebra crossing in town."},
        {"_id": "d3", "title": "Giraffe necks", "text": "Why the giraffe neck is long."},
        {"_id": "d4", "title": "Elephants", "text": "Elephants never forget."},
    ]
    (tmp_path / "qrels").mkdir()
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in corpus))
    (tmp_path / "queries.jsonl").write_text(
        json.dumps({"_id": "q1", "text": "zebra stripes"}) + "\n" + json.dumps({"_id": "q2", "text": "giraffe neck"}))
    # q1's relevant document ranks second, q2's first.
    (tmp_path / "qrels" / "test.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td2\t1\nq2\td3\t1\n")
    figures = measure(tmp_path, "test")
    # nDCG@10: q1 = (1/log2(3)) / 1 = 0.6309, q2 = 1 -> mean 0.8155; MRR@10: (1/2 + 1) / 2.
    assert figures["ndcg@10"] == pytest.approx(0.8155, abs=1e-4)
    assert figures["mrr@10"] == pytest.approx(0.75)
    assert figures["recall@100"] == pytest.approx(1.0)
    assert figures["queries"] == 2


def test_cached_word_scores_equal_whoosh_scores_after_deletes(tmp_path):
    from indexer.search.engine import _allowed, _flat_terms
    from indexer.search.query import parse_query

    store = IndexStore(tmp_path)
    store.add_or_replace(DOCS)
    store.add_or_replace([make_doc("extra", title="Sharing information", body="Information about abuse.")])
    store.delete(["sharing"])  # a deletion in an older segment
    view = store.view()
    q = parse_query("domestic abuse information sharing", view.searcher.schema).query
    fast, matched = view.top_by_terms(_flat_terms(q), _allowed(view, SearchRequest()), 10)
    slow = view.searcher.search(q, limit=10, filter=_allowed(view, SearchRequest()))
    assert [d for d, _ in fast] == [h.docnum for h in slow]
    assert [round(sc, 4) for _, sc in fast] == [round(h.score, 4) for h in slow]
    assert matched.bit_count() == len(slow)


def test_suggestion_keeps_punctuation_fields_and_ignores_codes(store):
    def offered(q: str) -> str | None:
        return run(store, q, correct=False).suggestion

    assert offered("domestc abuse.") == "domestic abuse."
    assert offered("place:leeds domestc abuse") == "place:leeds domestic abuse"
    assert offered("year:2014..2016 domestc") == "year:2014..2016 domestic"
    assert offered("GENOGRAMX consent") is None  # looks like a code, not a typo


def test_numbered_compounds_meet_their_joined_spelling_and_not_their_neighbours(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([
        make_doc("il6", title="Cytokine levels", body="Serum IL6 rose after surgery."),
        make_doc("il10", title="Cytokine levels", body="Serum IL-10 rose after surgery."),
    ])
    hits = run(store, "IL-6 surgery").hits
    assert [h.id for h in hits][0] == "il6"
    assert hits[0].score > hits[1].score


def test_misspelt_parts_of_hyphenated_words_do_not_break_suggestions(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("1", title="Long-term care", body="Long-term care for older adults.")])
    # "long-tern" is split into words the parser gives no position in the query.
    result = run(store, "long-tern carre")
    assert result.total == 1
    assert result.suggestion == "long-tern care"  # the whole word corrected, the part left alone


def test_two_letters_typed_the_wrong_way_round_are_one_slip(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc(str(i), title="Consent", body="Family consent forms.") for i in range(2)]
                         + [make_doc("other", title="Consent", body="Consent forms.")])
    # "fmaily" is two edits for the automaton, one slip for a person: corrected even in a five-letter word.
    assert run(store, "fmaily").searched_for == "family"


def test_a_correction_that_finds_nothing_more_is_only_offered(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc(str(i), title="Consent", body="Family consent forms.") for i in range(2)])
    result = run(store, "fmaily consent")
    assert result.searched_for is None and result.suggestion == "family consent" and result.total == 2


def test_a_correction_found_in_one_document_only_is_offered_not_searched(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("1", title="Genograms", body="A genogram of the family."),
                          make_doc("2", title="Consent", body="Consent forms.")])
    result = run(store, "genogran")
    assert result.searched_for is None and result.suggestion == "genogram" and result.total == 0


def test_synonyms_find_each_other_and_leave_phrases_alone(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("long", title="Hubs", body="The multi-agency safeguarding hub met."),
                          make_doc("short", title="Hubs", body="The MASH met weekly.")])
    groups = (("MASH", "multi-agency safeguarding hub"),)
    assert set(ids(run(store, "mash", synonyms=groups))) == {"long", "short"}
    assert set(ids(run(store, "multi agency safeguarding hub", synonyms=groups))) >= {"long", "short"}
    assert ids(run(store, '"mash"', synonyms=groups)) == ["short"]
    assert ids(run(store, "mash")) == ["short"]


def test_the_words_typed_outrank_their_equivalents(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("long", title="Hubs", body="The multi-agency safeguarding hub met."),
                          make_doc("short", title="Hubs", body="The MASH met.")])
    groups = (("MASH", "multi-agency safeguarding hub"),)
    assert ids(run(store, "mash", synonyms=groups)) == ["short", "long"]
    # A typed "^" is no weight of the person's choosing, with or without synonyms.
    assert ids(run(store, "mash^9 hub", synonyms=groups))[0] == ids(run(store, "mash hub", synonyms=groups))[0]
