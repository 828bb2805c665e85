"""Query parsing, malformed-query detection, analyzers and snippet making."""

from __future__ import annotations

import pytest
from whoosh import query as wq

from indexer.search.analysis import fold_spelling, lead_snippet, make_snippets, word_key
from indexer.search.query import malformed_reason, parse_query, plain_words
from indexer.search.schema import make_schema, title_sort_key

SCHEMA = make_schema()


@pytest.mark.parametrize("text", [
    "domestic abuse information sharing", '"information sharing" AND marac', "a OR b", "NOT x",
    "-violence abuse", "title:safeguarding", 'author:"Ann Example"', "theme:troubled-families",
    "year:2015", "year:2014..2016", "year:..2016", "(police OR health) AND consent", "what is MARAC?",
    'title:"time: a study"',
])
def test_well_formed_queries(text):
    assert malformed_reason(text) is None
    assert parse_query(text, SCHEMA).fallback is False


@pytest.mark.parametrize("text, reason", [
    ('"domestic abuse', "quote"), ("title: bar", "empty value"), ("domestic : abuse", "colon"),
    ("NOT", "after"), ("abuse AND", "after"), ("OR abuse", "before"), ("colour:blue", "unknown field"),
    ("year:twenty", "year"), ("(abuse", "parenthesis"), ("abuse)", "parenthesis"), ("?!", "no words"),
    ("x" * 10_000, "too long"),
])
def test_malformed_queries_are_named(text, reason):
    assert reason in malformed_reason(text)
    assert parse_query(text, SCHEMA).fallback is True


def test_fallback_keeps_a_bounded_set_of_plain_words():
    words = plain_words(" ".join(f"w{i}" for i in range(500)))
    assert len(words.split()) == 40
    parsed = parse_query("abuse:" + " abuse" * 3000, SCHEMA)
    assert parsed.fallback and "abus" in parsed.text_terms


def test_year_range_becomes_numeric_range():
    q = parse_query("year:2014..2016", SCHEMA).query
    assert isinstance(q, wq.NumericRange) and (q.start, q.end) == (2014, 2016)


def test_not_inside_or_excludes():
    q = parse_query("information NOT domestic", SCHEMA).query
    assert isinstance(q, wq.AndNot)


def test_hyphenated_key_is_one_value():
    q = parse_query("theme:troubled-families", SCHEMA).query
    assert q == wq.Term("themes", "troubled-families")


def test_stop_words_only_is_not_malformed_and_finds_nothing():
    parsed = parse_query("the of and", SCHEMA)
    assert parsed.fallback is False and parsed.query is wq.NullQuery


def test_analyzer_folds_possessives_and_british_spellings():
    assert word_key("council's") == word_key("council")
    assert word_key("organisation") == word_key("organization")
    assert word_key("behaviour") == word_key("behavior")
    assert fold_spelling("centres") == "centers"
    assert word_key("the") is None


def test_snippets_mark_matches_escape_and_limit_count():
    text = ("Intro words. " * 30 + "Consent <b>matters</b> & consent again. " + "Filler text here. " * 40
            + "Later the family gave consent.")
    snippets = make_snippets(text, frozenset({word_key("consent"), word_key("family")}), count=2)
    assert 1 <= len(snippets) <= 2
    assert all("<mark>" in s for s in snippets)
    assert "&lt;b&gt;matters&lt;/b&gt; &amp;" in " ".join(snippets)
    assert make_snippets(text, frozenset({"zebra"})) == []


def test_lead_snippet_is_escaped_and_short():
    lead = lead_snippet("<i>Title</i> " + "word " * 200)
    assert lead.startswith("&lt;i&gt;Title&lt;/i&gt;") and len(lead) < 240


def test_title_sort_key_drops_articles_and_case():
    assert title_sort_key("The Leeds model") == "leeds model"
    assert title_sort_key("") == "~"


@pytest.mark.parametrize("text, note", [
    ('"domestic abuse', "A quotation mark was not closed, so it was searched as plain words."),
    ("colour:blue abuse", "There is no search field called ‘colour’ (the fields are title, author, theme, place, "
                          "type, event and year), so it was searched as plain words."),
    ("title: abuse", "Nothing followed ‘title:’, so it was searched as plain words."),
    ("abuse AND", "AND needs a word after it, so it was searched as plain words."),
    ("year:2016..2014 abuse", "The years 2016..2014 were the wrong way round, so items from 2014 to 2016 are shown."),
    ("ab* abuse", "A word ending in * needs at least 3 letters before the *, so ‘ab’ was searched as a word."),
])
def test_what_is_read_differently_is_said_in_one_plain_sentence(text, note):
    assert parse_query(text, SCHEMA).notes == (note,)


def test_plain_queries_need_no_note():
    for text in ("domestic abuse", '"information sharing" -troubled', "dom*", "-domestic", "year:2014..2016"):
        assert parse_query(text, SCHEMA).notes == ()


def test_a_query_of_excluded_words_only_keeps_everything_else():
    from whoosh import query as wq

    parsed = parse_query("-domestic -abuse", SCHEMA)
    assert isinstance(parsed.query, wq.AndNot) and isinstance(parsed.query.a, wq.Every)
