"""The Whoosh schema and the mapping from an index document dict to its fields."""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from typing import Any

from whoosh import fields, scoring
from whoosh.system import pack_uint

from indexer.search.analysis import (
    KEY_SEPARATOR,
    exact_analyzer,
    key_analyzer,
    name_analyzer,
    text_analyzer,
)
from indexer.search.statistics import EVERYONE, StatisticsCache

# Fields searched by plain words, with the query-time weight of each (BM25F
# style: a word in the title counts more than the same word in the body).
# "text" holds title, abstract, summary and body together (one BM25 field is
# more robust than many short ones); "title" adds weight to title words.
TEXT_FIELDS: dict[str, float] = {
    "text": 1.0,
    "title": 0.25,
    "authors": 1.0,
    "exact": 0.3,
}

# BM25 parameters; per-field B as Whoosh's BM25F takes them (<field>_B).
BM25_K1 = 1.2
BM25_B: dict[str, float] = {"text": 0.75, "title": 0.75, "authors": 0.75}


class CountedText(fields.TEXT):
    """A text field without positions whose words are counted in one pass.

    Whoosh indexes a field by walking a Token object through the analyzer for every
    word; a field that keeps only frequencies needs just the counts, which
    TermFilter.count_terms makes from the tokenizer's matches directly (identical
    postings, a test holds them equal). The exact-word field is a second analysis
    of every document's whole text, so this is a quarter of the ingest's index work.
    """

    def __init__(self, analyzer, **kwargs):
        tokenizer, term_filter = analyzer.items  # RegexTokenizer | TermFilter
        super().__init__(analyzer=analyzer, phrase=False, **kwargs)
        self._pattern = tokenizer.expression
        self._terms = term_filter

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        for term, freq in self._terms.count_terms(self._pattern.findall(value)).items():
            yield term.encode("utf-8"), freq, freq * boost, pack_uint(freq)


class PositionedText(fields.TEXT):
    """A text field with positions (for phrases) whose words are analysed in one pass.

    As CountedText does for counts, positions are taken from the tokenizer's matches and
    TermFilter's memo instead of a Token object walked through the analyzer per word;
    the postings are identical to Whoosh's own (a test holds them equal). The text field
    holds every document's whole text, so this is a large part of an ingest's index work.
    """

    def __init__(self, analyzer, **kwargs):
        tokenizer, term_filter = analyzer.items  # RegexTokenizer | TermFilter
        super().__init__(analyzer=analyzer, phrase=True, **kwargs)
        self._pattern = tokenizer.expression
        self._terms = term_filter

    def index(self, value, **kwargs):
        if not isinstance(value, str):
            yield from super().index(value, **kwargs)
            return
        boost = self.format.field_boost
        encode = self.format.encode
        for term, positions in self._terms.term_positions(self._pattern.findall(value)).items():
            yield term.encode("utf-8"), len(positions), float(len(positions)) * boost, encode(positions)


def make_schema() -> fields.Schema:
    """Build the Whoosh schema for repository items."""
    text = text_analyzer()
    return fields.Schema(
        id=fields.ID(unique=True, stored=True, sortable=True),
        fingerprint=fields.ID(sortable=True),
        title=PositionedText(text, stored=True),
        text=PositionedText(text),
        # The same words unstemmed: weight for the form typed, and the "did you mean" vocabulary.
        exact=CountedText(exact_analyzer()),
        # Stored only, for snippets; their words are searched through "text".
        abstract=fields.STORED(),
        summary=fields.STORED(),
        body=fields.STORED(),
        authors=fields.TEXT(analyzer=name_analyzer()),
        type=fields.KEYWORD(analyzer=key_analyzer(), sortable=True),
        themes=fields.KEYWORD(analyzer=key_analyzer()),
        event=fields.KEYWORD(analyzer=key_analyzer(), sortable=True),
        places=fields.KEYWORD(analyzer=key_analyzer()),
        access=fields.KEYWORD(analyzer=key_analyzer(), sortable=True),
        author_keys=fields.KEYWORD(analyzer=key_analyzer(lowercase=False)),
        readers=fields.KEYWORD(analyzer=key_analyzer(lowercase=False)),
        # An item's additional files are documents of their own (see file_documents): they carry
        # their own reader tokens here, never in "readers", so no count, facet, suggestion or
        # ranking statistic sees them; a search maps a file a reader may read to its item.
        item_of=fields.ID(stored=True),
        file_readers=fields.KEYWORD(analyzer=key_analyzer(lowercase=False)),
        label=fields.STORED(),
        year=fields.NUMERIC(int, bits=32, sortable=True, signed=False),
        year_key=fields.KEYWORD(analyzer=key_analyzer()),
        newest=fields.ID(sortable=True),
        oldest=fields.ID(sortable=True),
        added=fields.ID(sortable=True),  # when the item was added to the repository (ISO 8601, UTC)
        title_sort=fields.ID(sortable=True),
    )


@dataclass(frozen=True)
class Ranking:
    """How results are ranked: the product's defaults, which the relevance benchmark varies.

    Coordination, for short queries: the top `rerank_depth` hits by BM25 have their score
    multiplied by (share of the query's words they contain) ** `coord`, so "domestic abuse
    information sharing" lists documents with all four words first. Queries of more than
    `coord_max_words` words are left to BM25 (coordination cost SciFact train nDCG@10
    0.01-0.05 there; see bench/RESULTS.md). `coord` 0 turns it off.
    """

    # "bm25": Robertson/Lucene idf, log(1 + (N - n + 0.5) / (n + 0.5)); "whoosh": Whoosh's
    # default TF-IDF idf, log(N / (n + 1)) + 1, which gives very common words a floor of 1
    # and lets them crowd out the rare words of a long query.
    idf: str = "bm25"
    coord: float = 0.5
    coord_max_words: int = 4
    rerank_depth: int = 100
    # The reader token whose documents the ranking statistics count (see statistics.py); None:
    # every live document, hidden ones too (what Whoosh does; bench.hidden measures the difference).
    statistics_readers: str | None = EVERYONE


class RankingModel(scoring.BM25F):
    """Whoosh's BM25F with a choice of idf (see Ranking.idf), over live public documents only.

    The document count, document frequencies and average lengths leave out documents
    Whoosh has marked deleted but not yet merged away (see statistics.py), so the same
    documents rank the same whatever the index's segment history, and documents not everyone
    may see, so a hidden item never reorders what a reader sees.
    """

    def __init__(self, *, idf: str = "bm25", statistics_readers: str | None = EVERYONE, **kwargs):
        super().__init__(**kwargs)
        self.idf_kind = idf
        self.statistics = StatisticsCache(statistics_readers)

    def idf(self, searcher, fieldname, text):
        live = self.statistics(searcher)
        n, total = live.doc_frequency(fieldname, text), live.doc_count
        if self.idf_kind == "whoosh":
            return math.log(max(total, 1) / (n + 1)) + 1
        return math.log(1 + (total - n + 0.5) / (n + 0.5))

    def scorer(self, searcher, fieldname, text, qf=1):
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        if hasattr(scorer, "avgfl"):  # BM25F's scorer; unscorable fields get a simpler one
            scorer.avgfl = self.statistics(searcher).avg_field_length(fieldname) or 1
        return scorer


def make_weighting(ranking: Ranking = Ranking()) -> scoring.WeightingModel:
    """Return the BM25F weighting a searcher ranks with."""
    per_field = {f"{name}_B": b for name, b in BM25_B.items()}
    return RankingModel(idf=ranking.idf, statistics_readers=ranking.statistics_readers, B=0.75, K1=BM25_K1,
                        **per_field)


def fingerprint(doc: dict) -> str:
    """Return a stable hash of a document dict: key order does not matter, list order does."""
    payload = json.dumps(doc, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]


def _keys(values: Any) -> str:
    """Join exact key values for a key field, dropping empties."""
    if values is None:
        return ""
    if isinstance(values, str):
        values = [values]
    return KEY_SEPARATOR.join(str(v).strip() for v in values if v is not None and str(v).strip())


_ARTICLE = re.compile(r"^(the|a|an)\s+", re.IGNORECASE)


def title_sort_key(title: str) -> str:
    """Return the key titles sort by: lowercase, leading article and punctuation dropped."""
    key = re.sub(r"[^\w\s]", "", (title or "").strip().lower())
    return _ARTICLE.sub("", key).strip() or "~"


def to_fields(doc: dict) -> dict[str, Any]:
    """Turn an index document dict into the keyword arguments of add_document."""
    if not doc.get("id"):
        raise ValueError("an index document needs a non-empty 'id'")
    title = doc.get("title") or ""
    abstract = doc.get("abstract") or ""
    summary = doc.get("summary") or ""
    body = doc.get("body") or ""
    authors = [a for a in (doc.get("authors") or []) if a]
    year = doc.get("year")
    date = doc.get("date") or ""
    full_text = "\n".join(p for p in (title, abstract, summary, body) if p)
    # Items with only a year sort as if dated 1 January of that year.
    when = date or (f"{int(year):04d}" if year else "")
    out: dict[str, Any] = {
        "id": str(doc["id"]),
        "fingerprint": fingerprint(doc),
        "title": title,
        "abstract": abstract,
        "summary": summary,
        "body": body,
        "text": full_text,
        "exact": full_text,
        "authors": ", ".join(authors),
        "type": _keys(doc.get("type")),
        "themes": _keys(doc.get("themes")),
        "event": _keys(doc.get("event")),
        "places": _keys(doc.get("places")),
        "access": _keys(doc.get("access")),
        "author_keys": _keys(authors),
        "readers": _keys(doc.get("readers")),
        "year_key": str(int(year)) if year else "",
        "newest": when,
        # Undated items go last in oldest-first order too.
        "oldest": when or "~",
        "added": doc.get("added") or "",
        "title_sort": title_sort_key(title),
    }
    if year:
        out["year"] = int(year)
    return out


# Separates an item's id from its file's in an additional file's document id ("12/f3").
FILE_ID_MARK = "/f"


def is_file_document(doc_id: str) -> bool:
    """Return True for the id of an additional file's document (not an item's)."""
    return FILE_ID_MARK in doc_id


def file_documents(doc: dict) -> list[dict[str, Any]]:
    """Turn the additional files of an index document dict into add_document arguments, one per file.

    doc["files"] lists {"id", "label", "body", "readers"}: the files whose text is open, each
    with the reader tokens of those who may read it.
    """
    item_id = str(doc["id"])
    out = []
    for attached in doc.get("files") or []:
        body = attached.get("body") or ""
        out.append({
            "id": f"{item_id}{FILE_ID_MARK}{attached['id']}",
            "fingerprint": "",
            "item_of": item_id,
            "label": attached.get("label") or "",
            "body": body,
            "text": body,
            "exact": body,
            "file_readers": _keys(attached.get("readers")),
        })
    return out


def to_documents(doc: dict) -> list[dict[str, Any]]:
    """Turn an index document dict into the add_document arguments of the item and of its files."""
    return [to_fields(doc), *file_documents(doc)]
