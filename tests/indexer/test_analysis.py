"""The one-step term filter gives exactly what Whoosh's own filter chain would."""

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

from indexer.search.analysis import (
    STOPLIST,
    TEXT_WORD_PATTERN,
    exact_analyzer,
    fold_spelling,
    split_compound,
    text_analyzer,
)
from indexer.search.schema import make_schema


class _Compounds(Filter):
    """The reference behaviour: a hyphenated word becomes its parts (and joined form)."""

    def __call__(self, tokens):
        for t in tokens:
            for part in split_compound(t.text):
                t.text = part
                yield t


class _Possessive(Filter):
    """The reference behaviour: drop a trailing 's, then fold British spelling."""

    def __call__(self, tokens):
        for t in tokens:
            text = t.text[:-2] if t.text.endswith(("'s", "’s")) else t.text
            t.text = fold_spelling(text.replace("’", "'"))
            yield t


REFERENCE = (RegexTokenizer(TEXT_WORD_PATTERN) | _Compounds() | LowercaseFilter() | _Possessive()
             | StopFilter(stoplist=STOPLIST, minsize=2, maxsize=40) | StemFilter())

TEXTS = [
    "The council's organisation of Children’s Services was reviewed; it's the centre of the plan.",
    "Paediatric haemoglobin and behaviour: a colourful O'Brien in the U.K. met 12 families.",
    "A an the of to I x - multi-agency safeguarding hubs (MASH) share information daily.",
    "Families' own genograms: who belongs, who decides, and why consent matters to them.",
    "IL-6 and TNF-α in HIV-1 co-infection; the IL6 gene, COVID-19's long-term x-ray anti-PD-1 follow-up.",
]


def _tokens(analyzer, text, **options):
    return [(t.text, t.pos if t.positions else None, t.stopped, t.startchar if t.chars else None)
            for t in analyzer(text, **options)]


def test_term_filter_matches_the_whoosh_chain_in_every_mode():
    analyzer = text_analyzer()
    for options in ({}, {"mode": "query"}, {"positions": True}, {"positions": True, "chars": True},
                    {"positions": True, "removestops": False}):
        for text in TEXTS:
            assert _tokens(analyzer, text, **options) == _tokens(REFERENCE, text, **options)
            # A second pass is answered from the memo and must not differ.
            assert _tokens(analyzer, text, **options) == _tokens(REFERENCE, text, **options)


def test_short_or_numbered_compounds_are_indexed_joined_as_well_as_split():
    analyzer = text_analyzer()
    assert [t.text for t in analyzer("IL-6")] == ["il", "il6"]
    assert [t.text for t in analyzer("IL6")] == ["il6"]
    assert [t.text for t in analyzer("HIV-1 long-term")] == ["hiv", "hiv1", "long", "term"]
    assert split_compound("anti-PD-1") == ["anti", "PD", "1", "antiPD1"]
    assert split_compound("long-term") == ["long", "term"]


def test_exact_analyzer_is_the_text_analyzer_without_stemming_or_folding():
    words = [t.text for t in exact_analyzer()("The councils' Protecting of IL-6 colours")]
    assert words == ["councils", "protecting", "il", "il6", "colours"]
    assert [t.text for t in text_analyzer()("The councils' Protecting of IL-6 colours")] == [
        "council", "protect", "il", "il6", "color"]


def test_schema_pickles_without_the_memo_and_compares_equal():
    import pickle

    schema = make_schema()
    list(schema["text"].analyzer(TEXTS[0]))  # fill the memo
    restored = pickle.loads(pickle.dumps(schema))
    assert restored["text"].analyzer == make_schema()["text"].analyzer
    assert len(pickle.dumps(schema)) == len(pickle.dumps(make_schema()))


def test_a_term_filter_pickled_before_exact_existed_still_loads():
    from indexer.search.analysis import TermFilter

    old = TermFilter()
    state = old.__getstate__()
    del state["exact"]  # as pickled into indexes written before the exact-word field
    loaded = TermFilter.__new__(TermFilter)
    loaded.__setstate__(state)
    assert loaded.exact is False and loaded == old


def test_counted_text_gives_the_postings_whoosh_would():
    from whoosh import fields

    from indexer.search.schema import CountedText

    counted = CountedText(exact_analyzer())
    plain = fields.TEXT(analyzer=exact_analyzer(), phrase=False)
    for text in TEXTS + [" ".join(TEXTS) * 3, ""]:
        assert sorted(counted.index(text)) == sorted(plain.index(text))
    # Queries go through the same analyzer as before.
    assert list(counted.process_text("Councils' IL-6", mode="query")) == ["councils", "il", "il6"]


def test_positioned_text_gives_the_postings_whoosh_would():
    from whoosh import fields

    from indexer.search.schema import PositionedText

    fast = PositionedText(text_analyzer())
    plain = fields.TEXT(analyzer=text_analyzer())
    # Stop words first and in the middle, compounds, possessives, repeats: positions must agree.
    for text in TEXTS + ["The of and the council's long-term IL-6 plan and the plan", " ".join(TEXTS) * 3, ""]:
        assert sorted(fast.index(text)) == sorted(plain.index(text))
    assert list(fast.process_text("the Councils' IL-6", mode="query")) == list(
        plain.process_text("the Councils' IL-6", mode="query"))
