"""The one search function: ranked hits, snippets, facet counts and "did you mean"."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh import query as wq
from whoosh.classify import Bo1Model, Expander

from indexer.search.analysis import lead_snippet, make_snippets
from indexer.search.facets import BY_KEY, FACET_LIMIT, FACETS, check_request
from indexer.search.query import parse_query
from indexer.search.schema import TEXT_FIELDS, Ranking
from indexer.search.spelling import suggest_correction
from indexer.search.statistics import CountedReader
from indexer.search.store import IndexStore
from indexer.search.view import IndexView

SNIPPETS = 3


@dataclass
class SearchRequest:
    q: str = ""
    filters: dict[str, list[str]] = field(default_factory=dict)
    year_from: int | None = None
    year_to: int | None = None
    principals: list[str] = field(default_factory=lambda: ["public"])
    # Ids left out whatever the index says of them: items whose latest change the index
    # has not applied yet, so an access change is never less strict in search than asked.
    withheld: frozenset[str] = frozenset()
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    highlight: bool = True
    facets: bool = True
    suggest: bool = True
    # Search a confident spelling correction in place of q; False searches q exactly as typed.
    correct: bool = True
    # Groups of words and phrases that mean the same: a query naming one finds them all.
    synonyms: tuple[tuple[str, ...], ...] = ()


@dataclass
class Hit:
    id: str
    score: float
    snippets: list[str]
    # Labels of the item's additional files the reader may read that the query matched.
    found_in: list[str] = field(default_factory=list)


@dataclass
class SearchResult:
    total: int
    page: int
    per_page: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None
    fallback: bool
    searched_for: str | None = None  # the corrected query searched in place of the one typed
    notes: tuple[str, ...] = ()  # how the query was read, where that differs from how it was typed


def _visible_bits(view: IndexView, principals: list[str], withheld: frozenset[str]) -> int:
    """Return the bitmap of documents any of the principals may read, the withheld ones left out."""
    bits = 0
    for p in principals:
        bits |= view.term_bits("readers", p)
    for item_id in withheld:
        docnum = view.docnum(item_id)
        if docnum is not None:
            bits &= ~(1 << docnum)
    return bits


def _visible(view: IndexView, principals: list[str], withheld: frozenset[str]):
    """Return the cached set of documents the audience may see."""
    key = ("visible", tuple(sorted(principals)), tuple(sorted(withheld)))
    return view.cached_filter(key, lambda: _visible_bits(view, principals, withheld))


def _allowed(view: IndexView, request: SearchRequest):
    """Return the filter set: visible to the principals AND matching every filter."""
    filters = {k: tuple(sorted(str(v) for v in vs)) for k, vs in (request.filters or {}).items() if vs}
    key = (tuple(sorted(request.principals)), tuple(sorted(request.withheld)), tuple(sorted(filters.items())),
           request.year_from, request.year_to)

    def build() -> int:
        bits = _visible(view, request.principals, request.withheld).bits
        for name, values in filters.items():
            facet = BY_KEY[name]
            any_of = 0
            for v in values:
                any_of |= view.term_bits(facet.field, v.lower() if facet.lowercase else v)
            bits &= any_of
        if request.year_from or request.year_to:
            lo, hi = request.year_from or 0, request.year_to or 9999
            in_range = 0
            for year, ybits in view.facet_bits(BY_KEY["year"].field).items():
                if lo <= int(year) <= hi:
                    in_range |= ybits
            bits &= in_range
        return bits

    return view.cached_filter(key, build)


@dataclass
class _FileMatches:
    """The additional files a search matched among those the reader may read, grouped by item."""

    items: int = 0  # bitmap of the items' documents
    scores: dict[int, float] = field(default_factory=dict)  # item docnum -> its best file's score
    files: dict[int, list[int]] = field(default_factory=dict)  # item docnum -> matched file docnums


def _readable_files(view: IndexView, request: SearchRequest, allowed) -> tuple[object, dict[int, int]]:
    """Return the file documents the principals may read whose item is allowed, and file -> item docnum."""
    key = ("files", allowed.bits, tuple(sorted(request.principals)))

    def build():
        candidates = 0
        for p in request.principals:
            candidates |= view.term_bits("file_readers", p)
        owners: dict[int, int] = {}
        for docnum in _positions(candidates):
            item = view.docnum(view.searcher.stored_fields(docnum).get("item_of") or "")
            if item is not None and item in allowed:
                owners[docnum] = item
        return view.cached_filter(key, lambda: sum(1 << d for d in owners)), owners

    return view.memo(key, build)


def _positions(bits: int):
    """Yield the set positions of a bitmap, lowest first."""
    while bits:
        low = bits & -bits
        yield low.bit_length() - 1
        bits ^= low


def _file_matches(view: IndexView, request: SearchRequest, allowed, query, terms, scored: bool,
                  ranking: Ranking) -> _FileMatches:
    """Match the query against the additional files the reader may read, and group them by item."""
    out = _FileMatches()
    if not allowed.bits:
        return out
    readable, owners = _readable_files(view, request, allowed)
    if not owners:
        return out
    ranked: list[tuple[int, float]] = []
    if terms is not None:
        ranked, matched = view.top_by_terms(terms, readable, len(owners))
    else:
        matched = view.query_bits(query) & readable.bits
        if scored and matched:
            ranked = [(hit.docnum, float(hit.score))
                      for hit in view.searcher.search(query, limit=len(owners), filter=readable)]
    if scored and ranking.coord > 0 and ranked:
        ranked = _coordinate(view, query, ranked, ranking)
    for docnum in _positions(matched):
        item = owners[docnum]
        out.items |= 1 << item
        out.files.setdefault(item, []).append(docnum)
    for docnum, score in ranked:
        item = owners[docnum]
        out.scores[item] = max(score, out.scores.get(item, 0.0))
    return out


def _merge_ranked(view: IndexView, ranked: list[tuple[int, float]], found: _FileMatches) -> list[tuple[int, float]]:
    """Rank each item by the better of its own score and its best matching file's."""
    if not found.scores:
        return ranked
    best = dict(ranked)
    for item, score in found.scores.items():
        best[item] = max(score, best.get(item, 0.0))
    ties = view.tie_order()
    return sorted(best.items(), key=lambda ds: (-ds[1], ties[ds[0]]))


# Sort order -> (column, descending) keys, most significant first. Undated
# items carry "" in "newest" and "~" in "oldest", so they come last either way.
SORT_KEYS = {
    "newest": (("newest", True), ("title_sort", False)),
    "oldest": (("oldest", False), ("title_sort", False)),
    "title": (("title_sort", False), ("newest", True)),
    "added": (("added", True), ("title_sort", False)),
}


def _sort_order(view: IndexView, sort: str) -> list[int]:
    """Return every document number in the given sort order (cached per index version)."""

    def build() -> list[int]:
        # The item id breaks ties, so every node gives the same order; then sort by the
        # least significant key first (Python's sort is stable).
        ties = view.tie_order()
        order = sorted(range(view.size), key=ties.__getitem__)
        for column, descending in reversed(SORT_KEYS[sort]):
            values = view.reader.column_reader(column)
            keys = [values[d] for d in range(view.size)]
            order.sort(key=keys.__getitem__, reverse=descending)
        return order

    return view.memo(("order", sort), build)


def _first_in_order(view: IndexView, sort: str, matched: int, count: int) -> list[tuple[int, float]]:
    """Return the first count matched documents in sort order (Whoosh's sorted search is slow at 100k)."""
    data = matched.to_bytes((view.size >> 3) + 1, "little")
    out = []
    for d in _sort_order(view, sort):
        if data[d >> 3] >> (d & 7) & 1:
            out.append((d, 0.0))
            if len(out) >= count:
                break
    return out


def _snippets(view: IndexView, docnum: int, terms: frozenset[str], files: list[int] = ()) -> list[str]:
    """Return snippets from body, else abstract or summary, else the matched files; a lead when nothing matches."""
    stored = view.searcher.stored_fields(docnum)
    for name in ("body", "abstract", "summary"):
        found = make_snippets(stored.get(name) or "", terms, count=SNIPPETS)
        if found:
            return found
    for file_docnum in files:  # only files the reader may read are passed in
        attached = view.searcher.stored_fields(file_docnum)
        found = make_snippets(attached.get("body") or "", terms, count=SNIPPETS)
        if found:
            label = html.escape(attached.get("label") or "File")
            return [f"{label}: {snippet}" for snippet in found]
    for name in ("abstract", "summary", "body"):
        text = stored.get(name) or ""
        if text.strip():
            return [lead_snippet(text)]
    return []


def _flat_terms(q) -> list[tuple[str, str, float]] | None:
    """Return (field, text, boost) when q is a plain OR of words in text fields, else None."""
    subs = [q] if isinstance(q, wq.Term) else q.subqueries if isinstance(q, wq.Or) and q.boost == 1.0 else []
    terms = [(t.fieldname, t.text, t.boost) for t in subs
             if isinstance(t, wq.Term) and t.fieldname in TEXT_FIELDS and isinstance(t.text, str)]
    return terms if terms and len(terms) == len(subs) else None


def _coordinate(view: IndexView, q, ranked: list[tuple[int, float]], ranking: Ranking) -> list[tuple[int, float]]:
    """Re-rank the top hits so documents holding more of the query's words come first."""
    subqueries = q.subqueries if isinstance(q, wq.Or) else []
    words = {t.text for t in subqueries if isinstance(t, wq.Term) and t.fieldname == "text"}
    if not 2 <= len(words) <= ranking.coord_max_words:
        return ranked
    size = (view.size >> 3) + 1
    maps = [view.term_bits("text", w).to_bytes(size, "little") for w in words]
    out = []
    for docnum, score in ranked[:ranking.rerank_depth]:
        byte, bit = docnum >> 3, 1 << (docnum & 7)
        share = sum(1 for m in maps if m[byte] & bit) / len(maps)
        out.append((docnum, score * share ** ranking.coord))
    ties = view.tie_order()
    out.sort(key=lambda ds: (-ds[1], ties[ds[0]]))
    return out + ranked[ranking.rerank_depth:]


def _facets(view: IndexView, matched: int) -> dict[str, list[tuple[str, int]]]:
    """Count, for every facet value, the matched documents having it."""
    out: dict[str, list[tuple[str, int]]] = {}
    for facet in FACETS:
        counts = []
        for value, bits in view.facet_bits(facet.field).items():
            n = (bits & matched).bit_count()
            if n:
                counts.append((value, n))
        if facet.by_value:
            counts.sort(key=lambda vc: vc[0], reverse=True)
        else:
            counts.sort(key=lambda vc: (-vc[1], vc[0]))
        out[facet.key] = counts[:FACET_LIMIT]
    return out


def _match(view: IndexView, request: SearchRequest, parsed, allowed, scored: bool, depth: int, ranking: Ranking):
    """Return (ranked hits or None, bitmap of matched items, the additional files matched) for a parsed query.

    An item matches by its own text or by an additional file the reader may read.
    """
    if isinstance(parsed.query, wq.Every):
        return None, allowed.bits, _FileMatches()
    terms = _flat_terms(parsed.query) if scored and allowed.bits else None
    if terms is not None:
        # Plain words: sum cached per-word BM25F scores instead of walking matchers.
        ranked, matched = view.top_by_terms(terms, allowed, depth)
    elif allowed.bits:
        ranked, matched = None, view.query_bits(parsed.query) & allowed.bits
    else:
        ranked, matched = None, 0
    files = _file_matches(view, request, allowed, parsed.query, terms, scored, ranking)
    return ranked, matched | files.items, files


def _prefix_terms(view: IndexView, q) -> frozenset[str]:
    """Return the words a trailing-* prefix stands for in the text fields, to highlight them."""
    found = set()
    for prefix in (p for p in q.leaves() if isinstance(p, wq.Prefix) and p.fieldname in ("text", "title")):
        for _, text in prefix.expanded_terms(view.reader):
            found.add(text.decode("utf-8") if isinstance(text, bytes) else text)
            if len(found) > 200:
                return frozenset(found)
    return frozenset(found)


def search(store: IndexStore, request: SearchRequest) -> SearchResult:
    """Search the index for what the principals may see; filters apply inside Whoosh.

    A query whose misspelt words have a confident correction that finds more is searched
    as corrected (result.searched_for) unless request.correct is False; a weaker one is
    only offered (result.suggestion).
    """
    check_request(q=request.q, filters=request.filters or {}, year_from=request.year_from,
                  year_to=request.year_to, sort=request.sort, page=request.page, per_page=request.per_page)
    view = store.view()
    parsed = parse_query(request.q, view.searcher.schema, request.synonyms)
    allowed = _allowed(view, request)
    empty = SearchResult(0, request.page, request.per_page, [], {}, None, parsed.fallback, notes=parsed.notes)
    if parsed.query is wq.NullQuery:
        return empty
    browsing = isinstance(parsed.query, wq.Every)

    first = (request.page - 1) * request.per_page
    # Browsing has no scores to rank by, so newest first is the useful order.
    order = "newest" if browsing and request.sort == "relevance" else request.sort
    scored = order == "relevance"
    depth = first + request.per_page
    ranking = store.ranking
    if scored and ranking.coord > 0:
        depth = max(depth, ranking.rerank_depth)
    ranked, matched, files = _match(view, request, parsed, allowed, scored, depth, ranking)
    suggestion = searched_for = None
    if request.suggest and not browsing:
        visible = _visible(view, request.principals, request.withheld)
        correction = suggest_correction(view, parsed.words_text, visible)
        if correction is not None:
            suggestion = correction.text
            if correction.confident and request.correct:
                corrected = parse_query(correction.text, view.searcher.schema, request.synonyms)
                c_ranked, c_matched, c_files = _match(view, request, corrected, allowed, scored, depth, ranking)
                # The misspelt words found nothing; their corrections must find something more.
                if c_matched & ~matched:
                    parsed, ranked, matched, files = corrected, c_ranked, c_matched, c_files
                    searched_for, suggestion = correction.text, None
    empty.suggestion, empty.searched_for = suggestion, searched_for
    if not matched:
        empty.facets = {facet.key: [] for facet in FACETS} if request.facets else {}
        return empty

    if not scored:
        ranked = _first_in_order(view, order, matched, depth)
    elif ranked is None:
        results = view.searcher.search(parsed.query, limit=depth, filter=allowed)
        ties = view.tie_order()
        ranked = sorted(((hit.docnum, float(hit.score)) for hit in results), key=lambda ds: (-ds[1], ties[ds[0]]))
    if scored and ranking.coord > 0:
        ranked = _coordinate(view, parsed.query, ranked, ranking)
    if scored:
        ranked = _merge_ranked(view, ranked, files)
    highlight_terms = parsed.text_terms | _prefix_terms(view, parsed.query) if request.highlight else frozenset()
    hits = []
    for docnum, score in ranked[first:first + request.per_page]:
        matched_files = files.files.get(docnum, [])
        snippets = _snippets(view, docnum, highlight_terms, matched_files) if request.highlight else []
        labels = [view.searcher.stored_fields(d).get("label") or "" for d in matched_files]
        hits.append(Hit(view.doc_id(docnum), score, snippets, found_in=labels))
    return SearchResult(
        total=matched.bit_count(),
        page=request.page,
        per_page=request.per_page,
        hits=hits,
        facets=_facets(view, matched) if request.facets else {},
        suggestion=suggestion,
        fallback=parsed.fallback,
        searched_for=searched_for,
        notes=parsed.notes,
    )


def key_terms(view, text: str, *, numterms: int) -> list[tuple[str, float]]:
    """Return the text's key terms (Whoosh's Bo1 expansion), weighed by the ranking's statistics.

    Those count only what everyone may see (statistics.py), so a hidden item cannot change
    which words an open item's related items are found by.
    """
    searcher = view.searcher
    statistics = getattr(searcher.weighting, "statistics", None)
    reader = searcher.reader()
    if statistics is not None:
        reader = CountedReader(reader, statistics(searcher))
    if not reader.doc_count_all():
        return []
    expander = Expander(reader, "text", model=Bo1Model)
    expander.add_text(text)
    return expander.expanded_terms(numterms, normalize=True)


def more_like_this(store: IndexStore, item_id: str, principals: list[str], *, limit: int = 5,
                   withheld: frozenset[str] = frozenset()) -> list[str]:
    """Return ids of visible items most like item_id (never item_id itself)."""
    view = store.view()
    docnum = view.docnum(item_id)
    visible = _visible(view, principals, withheld)
    # A hidden item's words must not steer what is shown, so it gets no neighbours.
    if docnum is None or docnum not in visible:
        return []
    stored = view.searcher.stored_fields(docnum)
    text = "\n".join(stored.get(f) or "" for f in ("title", "abstract", "summary"))
    text += "\n" + (stored.get("body") or "")[:20_000]
    if not text.strip():
        return []
    terms = key_terms(view, text, numterms=15)
    if not terms:
        return []
    top = max(w for _, w in terms) or 1.0
    weighted = [(f, t, w / top * boost) for t, w in terms for f, boost in (("title", 0.5), ("text", 1.0))]
    # The item itself is left out of the candidates rather than dropped afterwards.
    others = view.cached_filter(("others", docnum, tuple(sorted(principals)), tuple(sorted(withheld))),
                                lambda: visible.bits & ~(1 << docnum))
    ranked, _ = view.top_by_terms(weighted, others, limit)
    return [view.doc_id(d) for d, _ in ranked]


def passages(store: IndexStore, pages: Iterable[tuple[int, str]], q: str, *, limit: int = 10) -> list[tuple[int, str]]:
    """Return (page number, HTML-safe excerpt) where the query's words occur in these pages' text."""
    if not q.strip():
        return []
    terms = parse_query(q, store.schema).text_terms
    if not terms:
        return []
    found: list[tuple[int, str]] = []
    for number, text in pages:
        for excerpt in make_snippets(text, terms, count=1):
            found.append((number, excerpt))
        if len(found) >= limit:
            break
    return found
