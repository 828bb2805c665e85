"""Turn what a person typed into a Whoosh query; malformed input falls back to plain words."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from whoosh import query as wq
from whoosh.qparser import (
    BoostPlugin,
    EveryPlugin,
    FieldAliasPlugin,
    MultifieldParser,
    OrGroup,
    PlusMinusPlugin,
    PrefixPlugin,
    WildcardPlugin,
)

from indexer.search.schema import TEXT_FIELDS
from indexer.search.synonyms import expand_synonyms

# The longest query parsed with operators; longer text is searched as plain words.
MAX_QUERY_CHARS = 500
# Plain words kept from a fallback query (a pasted page must not become 2,000 terms).
MAX_WORDS = 40

# Field names a person may type -> index field.
FIELD_NAMES: dict[str, str] = {
    # Abstract, summary and body are searched together as "text".
    "title": "title", "abstract": "text", "summary": "text", "body": "text", "text": "text",
    "author": "authors", "authors": "authors",
    "theme": "themes", "themes": "themes",
    "place": "places", "places": "places",
    "type": "type", "event": "event", "access": "access", "year": "year",
}
_ALIASES: dict[str, list[str]] = {}
for _typed, _field in FIELD_NAMES.items():
    if _typed != _field:
        _ALIASES.setdefault(_field, []).append(_typed)

_OPERATORS = {"AND", "OR", "NOT"}
_FIELD_RE = re.compile(r"(?<![\w:])([A-Za-z_]+):(\S*)")
_YEAR_VALUE = re.compile(r"^(\d{4})?(?:\.\.(\d{4})?)?$")
_PLAIN_WORD = re.compile(r"\w+")


@dataclass
class ParsedQuery:
    """A parsed user query and what search needs to know about it."""

    query: wq.Query
    fallback: bool
    text_terms: frozenset[str]      # analysed terms in text fields, for highlighting
    words_text: str                 # the text suggestions are computed on
    notes: tuple[str, ...] = ()     # what was read differently from how it was typed, in plain words


_MASK = "\x00"


def _strip_quoted(text: str) -> str:
    """Mask quoted phrases so operator and field checks see only the rest."""
    return re.sub(r'"[^"]*"', lambda m: '"' + _MASK * (len(m.group(0)) - 2) + '"', text)


def _rewrite_years(text: str, notes: list[str] | None = None) -> str:
    """Rewrite year:2014..2016 (and open ends) into Whoosh's range syntax; a range typed backwards is turned round."""

    def repl(m: re.Match) -> str:
        lo, hi = m.group(1), m.group(2)
        if m.group(0).find("..") == -1:
            return m.group(0)
        if lo and hi and lo > hi:
            lo, hi = hi, lo
            if notes is not None:
                notes.append(f"The years {hi}..{lo} were the wrong way round, so items from {lo} to {hi} are shown.")
        return f"year:[{lo or ''} TO {hi or ''}]".replace("[ TO", "[TO").replace(" TO ]", " TO]")

    return re.sub(r"\byear:(\d{4})?\.\.(\d{4})?(?=\s|\)|$)", repl, text)


# Field names a person reads in a note about an unknown field.
FIELDS_OFFERED = "title, author, theme, place, type, event and year"
# Why a query is searched as plain words, as the results page says it.
_FALLBACK_NOTES = {
    "unbalanced quote": "A quotation mark was not closed",
    "unbalanced parenthesis": "A bracket was not closed or not opened",
    "stray colon": "A colon stood on its own",
    "too long": "The search was too long to read its operators",
    "no words": "The search had no letters or numbers to look for",
}


def fallback_note(reason: str) -> str:
    """Return the sentence that tells a reader why their search was read as plain words."""
    if reason.startswith("unknown field "):
        name = reason.removeprefix("unknown field ")
        start = f"There is no search field called ‘{name}’ (the fields are {FIELDS_OFFERED})"
    elif reason.startswith("empty value for "):
        start = f"Nothing followed ‘{reason.removeprefix('empty value for ')}:’"
    elif reason in _FALLBACK_NOTES:
        start = _FALLBACK_NOTES[reason]
    else:
        start = reason[:1].upper() + reason[1:]
    return f"{start}, so it was searched as plain words."


def malformed_reason(text: str) -> str | None:
    """Return why text is not a well-formed query, or None when it is."""
    if len(text) > MAX_QUERY_CHARS:
        return "too long"
    if not _PLAIN_WORD.search(text):
        return "no words"
    if text.count('"') % 2:
        return "unbalanced quote"
    bare = _strip_quoted(text)
    depth = 0
    for ch in bare:
        depth += (ch == "(") - (ch == ")")
        if depth < 0:
            return "unbalanced parenthesis"
    if depth:
        return "unbalanced parenthesis"
    for m in _FIELD_RE.finditer(text):
        if bare[m.start()] == _MASK:
            continue  # inside a phrase, where a colon is just text
        name, value = m.group(1).lower(), m.group(2)
        if name not in FIELD_NAMES:
            return f"unknown field {name}"
        if not value or value.startswith(":"):
            return f"empty value for {name}"
        if name == "year" and not value.startswith("[") and not _YEAR_VALUE.match(value.rstrip(")")):
            return "year: needs a four-digit year or a range like 2014..2016"
    if re.search(r"(^|\s):|:(\s|$)", bare):
        return "stray colon"
    tokens = bare.replace("(", " ( ").replace(")", " ) ").split()
    for i, tok in enumerate(tokens):
        if tok not in _OPERATORS:
            continue
        before = tokens[i - 1] if i else None
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        if after is None or after in {"AND", "OR", ")"}:
            return f"{tok} needs a word after it"
        if tok != "NOT" and (before is None or before in _OPERATORS or before == "("):
            return f"{tok} needs a word before it"
    return None


def make_parser(schema, *, boosts: bool = False) -> MultifieldParser:
    """Build the query parser: OR of words over the text fields with their weights.

    With boosts, "^0.5" weighs a word: only for text this module wrote (synonyms), never a person's "^".
    """
    # Whoosh's coordination bonus (OrGroup.factory) is lost when the parser
    # flattens nested ORs, and BM25 already favours documents with more words.
    parser = MultifieldParser(list(TEXT_FIELDS), schema, fieldboosts=dict(TEXT_FIELDS), group=OrGroup)
    # Wildcards and boosts surprise people who type "?" or "^"; * patterns are slow.
    for plugin in (WildcardPlugin, EveryPlugin) if boosts else (WildcardPlugin, BoostPlugin, EveryPlugin):
        parser.remove_plugin_class(plugin)
    # + and - count only at the start of a word, so "troubled-families" stays one key.
    parser.add_plugin(PlusMinusPlugin(plusexpr=r"(?<![^\s(])\+", minusexpr=r"(?<![^\s(])-"))
    parser.add_plugin(FieldAliasPlugin(_ALIASES))
    # A trailing * finds every word beginning so (dom* for domestic, domain ...); see _bounded_prefixes.
    parser.add_plugin(PrefixPlugin())
    return parser


MIN_PREFIX = 3  # letters before a trailing *: "d*" would expand to a large part of the vocabulary
_MINUS = re.compile(r"(?<![^\s(])-(?=\S)")


def _bounded_prefixes(q: wq.Query, notes: list[str]) -> wq.Query:
    """Lowercase trailing-* prefixes, and search a too-short one as the plain word."""
    if isinstance(q, wq.Prefix):
        text = q.text.lower()
        if len(text) >= MIN_PREFIX:
            return wq.Prefix(q.fieldname, text, boost=q.boost)
        note = (f"A word ending in * needs at least {MIN_PREFIX} letters before the *, "
                f"so \u2018{text}\u2019 was searched as a word.")
        if note not in notes:
            notes.append(note)
        return wq.Term(q.fieldname, text, boost=q.boost)
    return q.apply(lambda child: _bounded_prefixes(child, notes))


def _only_excluded(text: str, parser) -> wq.Query | None:
    """Read a query of excluded words only ("-domestic") as everything without them."""
    if not _MINUS.search(_strip_quoted(text)):
        return None
    excluded = parser.parse(_MINUS.sub("", text))
    return None if excluded is wq.NullQuery else wq.AndNot(wq.Every(), excluded)


def plain_words(text: str) -> str:
    """Reduce any text to at most MAX_WORDS plain lowercase words."""
    words = _PLAIN_WORD.findall(text[: MAX_QUERY_CHARS * 40])
    seen: list[str] = []
    for w in words:
        w = w.lower()
        if w not in seen:
            seen.append(w)
        if len(seen) >= MAX_WORDS:
            break
    return " ".join(seen)


def _apply_not(q: wq.Query) -> wq.Query:
    """Make NOT inside an OR group exclude, as people expect ("a NOT b" = a without b)."""
    if not isinstance(q, wq.CompoundQuery):
        return q
    q = copy.copy(q)
    q.subqueries = [_apply_not(s) for s in q.subqueries]
    if isinstance(q, wq.Or):
        negatives = [s.query for s in q.subqueries if isinstance(s, wq.Not)]
        positives = [s for s in q.subqueries if not isinstance(s, wq.Not)]
        if negatives and positives:
            q.subqueries = positives
            keep = positives[0] if len(positives) == 1 else q
            return wq.AndNot(keep, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
    return q


def _phrases_where_positions_are(q: wq.Query, schema) -> wq.Query:
    """Keep a quoted phrase only in the fields that record word positions.

    The parser asks every text field for the phrase; the exact-word field keeps no
    positions (it only adds weight to words), so it leaves the phrase to the others.
    """
    if isinstance(q, wq.Phrase):
        keeps = q.fieldname in schema and schema[q.fieldname].format.supports("positions")
        return q if keeps else wq.NullQuery
    return q.apply(lambda child: _phrases_where_positions_are(child, schema)).normalize()


def _use_array_unions(q: wq.Query) -> wq.Query:
    """Make every OR preload scores into an array instead of a binary tree of matchers.

    Whoosh's default tree of UnionMatchers spends most of a long query's time in
    replace() calls; the array form was 3x faster on SciFact with the same ranking.
    """
    if isinstance(q, wq.Or):
        q.matcher_type = wq.Or.ARRAY_MATCHER
    for child in q.children():
        _use_array_unions(child)
    return q


def _text_terms(q: wq.Query) -> frozenset[str]:
    """Collect the analysed terms of text fields (the words to highlight)."""
    terms = set()
    for field, text in q.iter_all_terms(phrases=True):
        if field in ("text", "title"):
            terms.add(text.decode("utf-8") if isinstance(text, bytes) else text)
    return frozenset(terms)


def parse_query(text: str, schema, synonyms: tuple[tuple[str, ...], ...] = ()) -> ParsedQuery:
    """Parse a user query; malformed input is searched as plain words with fallback=True.

    A word or phrase of a synonym group also finds the group's other terms.
    """
    text = (text or "").strip()
    if not text:
        return ParsedQuery(wq.Every(), False, frozenset(), "")
    parser = make_parser(schema)
    notes: list[str] = []
    reason = malformed_reason(text)
    if reason is None:
        expanded = expand_synonyms(text.replace("^", " "), synonyms)
        if expanded != text.replace("^", " "):
            # The equivalents carry their weight as "^"; a typed "^" meant nothing and is gone.
            parser = make_parser(schema, boosts=True)
        else:
            expanded = text
        try:
            rewritten = _rewrite_years(expanded, notes)
            q = parser.parse(rewritten)
            if q is wq.NullQuery:
                q = _only_excluded(rewritten, parser) or q
            q = _apply_not(_phrases_where_positions_are(_bounded_prefixes(q, notes), schema))
        except Exception:  # Whoosh's parser can still trip on odd input
            q = None
        if q is not None and q is not wq.NullQuery:
            return ParsedQuery(_use_array_unions(q), False, _text_terms(q), text, tuple(notes))
        if q is wq.NullQuery:
            # Only stop words: nothing to search, but the query was fine.
            return ParsedQuery(wq.NullQuery, False, frozenset(), text, tuple(notes))
        reason = "odd characters"
    notes = [fallback_note(reason)]
    words = plain_words(text)
    if not words:
        return ParsedQuery(wq.NullQuery, True, frozenset(), "", tuple(notes))
    q = _use_array_unions(parser.parse(words))
    return ParsedQuery(q, True, _text_terms(q), words, tuple(notes))
