"""Text analyzers for the index and the snippet maker that highlights query words."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from whoosh.analysis import (
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem as porter_stem

# Words joined by apostrophes or dots stay one token ("o'brien", "u.k"); the
# possessive filter then drops a trailing "'s" so "council's" meets "council".
WORD_PATTERN = r"\w+(?:[.'’]\w+)*"
# Text fields also keep hyphenated words whole, so TermFilter can index a short
# or numbered compound ("IL-6", "HIV-1", "COVID-19") joined as well as in parts.
TEXT_WORD_PATTERN = r"\w+(?:[-.'’]\w+)*"

# Whoosh's list plus a few function words that only add noise to OR queries.
STOPLIST = frozenset(STOP_WORDS | {
    "was", "were", "been", "has", "had", "its", "than", "then", "there", "their", "which", "who", "what", "do",
    "does", "did", "but", "into", "about", "over", "such", "these", "those", "they", "them", "he", "she", "his",
    "her", "our", "also", "all", "any", "each", "only", "no", "so", "between", "both", "other", "some",
})

# British spellings folded to the American form so "organisation" meets
# "organization" and "behaviour" meets "behavior". Only whole families that are
# safe to fold are listed; "-ise" verbs are left alone ("promise", "exercise").
_OUR_WORDS = ("colour", "behaviour", "favour", "honour", "humour", "labour", "neighbour",
              "odour", "rumour", "tumour", "vigour", "harbour", "flavour", "endeavour", "rigour")
_RE_WORDS = {"centre": "center", "theatre": "theater", "metre": "meter", "litre": "liter",
             "fibre": "fiber", "calibre": "caliber", "meagre": "meager"}
_INFIXES = (("isation", "ization"), ("haem", "hem"), ("aemia", "emia"), ("oedem", "edem"),
            ("oesoph", "esoph"), ("oestr", "estr"), ("paediatr", "pediatr"), ("foetus", "fetus"))


@lru_cache(maxsize=100_000)
def fold_spelling(word: str) -> str:
    """Map a British spelling to the American one so both meet in the index."""
    for base in _OUR_WORDS:
        if word.startswith(base):
            return base[:-2] + "r" + word[len(base):]
    for british, american in _RE_WORDS.items():
        if word.startswith(british):
            return american + word[len(british):]
    for british, american in _INFIXES:
        if british in word:
            word = word.replace(british, american)
    return word


def split_compound(raw: str) -> list[str]:
    """Return the parts of a hyphenated word, then the joined form when a part is short or numbered."""
    parts = [p for p in raw.split("-") if p]
    # "IL-6" must not become just "il" (one-character parts are dropped) and should
    # meet "IL6"; "long-term" gains nothing from "longterm", so it is only split.
    if len(parts) > 1 and any(len(p) <= 2 or any(c.isdigit() for c in p) for p in parts):
        parts.append("".join(parts))
    return parts


# Remembered analyses, shared by every TermFilter with the same settings: each index writer
# unpickles its own copy of the schema, and a memo per copy would start cold at every commit.
_MEMOS: dict[tuple, dict[str, tuple[tuple[str, bool], ...]]] = {}


class TermFilter(Filter):
    """Split compounds, lowercase, drop possessives, fold spelling, drop stop words and stem, remembered per word.

    Gives token for token what a compound-splitting step, Whoosh's LowercaseFilter, a
    possessive/spelling step, StopFilter and StemFilter give in a row (a test holds them
    equal), but a word seen before costs one dict look-up instead of five generator
    steps: indexing a paper's text is most of the ingest parent's work.
    """

    MEMO_LIMIT = 200_000

    def __init__(self, stoplist=STOPLIST, minsize: int = 2, maxsize: int = 40, exact: bool = False):
        self.stoplist = frozenset(stoplist)
        self.minsize = minsize
        self.maxsize = maxsize
        # Exact: words as written (lowercased, possessive dropped), neither folded nor stemmed.
        self.exact = exact
        self._memo = self._shared_memo()

    def __getstate__(self):
        # The schema is pickled into the index: leave the memo out.
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def __setstate__(self, state):
        self.exact = False  # absent from schemas pickled before it existed
        self.__dict__.update(state)
        self._memo = self._shared_memo()

    def _shared_memo(self) -> dict[str, tuple[tuple[str, bool], ...]]:
        return _MEMOS.setdefault((self.stoplist, self.minsize, self.maxsize, self.exact), {})

    def __eq__(self, other):
        return type(other) is type(self) and self.__getstate__() == other.__getstate__()

    def _term(self, raw: str) -> tuple[str, bool]:
        text = raw.lower()
        if text.endswith(("'s", "’s")):
            text = text[:-2]
        text = text.replace("’", "'")
        if not self.exact:
            text = fold_spelling(text)
        if self.minsize <= len(text) <= self.maxsize and text not in self.stoplist:
            return (text if self.exact else porter_stem(text)), False
        return text, True

    def _terms(self, raw: str) -> tuple[tuple[str, bool], ...]:
        """Return (term, stopped) for every term one raw token gives."""
        if "-" not in raw:
            return (self._term(raw),)
        return tuple(self._term(part) for part in split_compound(raw))

    def _found(self, raw: str) -> tuple[tuple[str, bool], ...]:
        found = self._memo.get(raw)
        if found is None:
            if len(self._memo) >= self.MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[raw] = self._terms(raw)
        return found

    def term_positions(self, raw_tokens: Iterable[str]) -> dict[str, list[int]]:
        """Return term -> positions for raw tokens in order, as __call__ numbers them (no Token objects made)."""
        positions: dict[str, list[int]] = {}
        memo = self._memo
        pos = None
        for index, raw in enumerate(raw_tokens):
            found = memo.get(raw)  # inline: this loop runs once per word of every document
            if found is None:
                found = self._found(raw)
            for text, stopped in found:
                if stopped:
                    continue
                # The first kept word keeps the tokenizer's position; the rest close up over stop words.
                pos = index if pos is None else pos + 1
                found = positions.get(text)
                if found is None:
                    positions[text] = [pos]
                else:
                    found.append(pos)
        return positions

    def count_terms(self, raw_tokens: Iterable[str]) -> dict[str, int]:
        """Return term -> frequency for raw tokens, stop words left out (no Token objects made)."""
        counts: dict[str, int] = {}
        for raw, times in Counter(raw_tokens).items():
            for text, stopped in self._found(raw):
                if not stopped:
                    counts[text] = counts.get(text, 0) + times
        return counts

    def __call__(self, tokens):
        memo = self._memo
        pos = None
        for t in tokens:
            found = memo.get(t.text)
            if found is None:
                found = self._found(t.text)
            for text, stopped in found:
                t.text = text
                if stopped:
                    if not t.removestops:
                        t.stopped = True
                        yield t
                    continue
                # Positions close up over removed stop words, as StopFilter(renumber=True) does.
                if t.positions:
                    if pos is None:
                        pos = t.pos
                    else:
                        pos += 1
                        t.pos = pos
                t.stopped = False
                yield t


def text_analyzer():
    """Return the stemming analyzer used on title, abstract, summary and body."""
    return RegexTokenizer(TEXT_WORD_PATTERN) | TermFilter(STOPLIST, minsize=2, maxsize=40)


def exact_analyzer():
    """Return the analyzer for the exact-word field: as text_analyzer, words kept as written.

    The field adds weight to the form a person typed, and its vocabulary is what "did
    you mean" suggests from, so British spellings stay British there.
    """
    return RegexTokenizer(TEXT_WORD_PATTERN) | TermFilter(STOPLIST, minsize=2, maxsize=40, exact=True)


def name_analyzer():
    """Return the analyzer for person names: words, lowercased, never stemmed."""
    return RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | StopFilter(stoplist=STOPLIST, minsize=2, maxsize=40)


KEY_SEPARATOR = "\x1f"


def key_analyzer(lowercase: bool = True):
    """Return the analyzer for exact keys (slugs, names) joined by KEY_SEPARATOR."""
    tokenizer = RegexTokenizer(r"[^\x1f]+")
    if lowercase:
        return tokenizer | LowercaseFilter()
    return tokenizer


# --- snippets ---------------------------------------------------------------

_WORD_RE = re.compile(WORD_PATTERN)
_analyze_word = text_analyzer()


@lru_cache(maxsize=200_000)
def word_key(word: str) -> str | None:
    """Return the index term a surface word becomes (None for a stop word)."""
    for token in _analyze_word(word):
        return token.text
    return None


def _find_matches(text: str, terms: frozenset[str], limit: int) -> list[tuple[int, int, str]]:
    """Return (start, end, term) for words of text whose index term is in terms."""
    # A cheap prefix regex finds candidate words at C speed; only those get stemmed.
    prefixes = sorted({t[:3] if len(t) > 3 else t for t in terms}, key=len, reverse=True)
    if not prefixes:
        return []
    candidate = re.compile(r"\b(?:" + "|".join(re.escape(p) for p in prefixes) + r")[\w.'’]*", re.IGNORECASE)
    found: list[tuple[int, int, str]] = []
    for m in candidate.finditer(text):
        word = m.group(0).rstrip(".'’")
        key = word_key(word.lower())
        if key in terms:
            found.append((m.start(), m.start() + len(word), key))
            if len(found) >= limit:
                break
    return found


def make_snippets(text: str, terms: frozenset[str], *, count: int = 3, width: int = 220,
                  scan_chars: int = 200_000) -> list[str]:
    """Return up to count HTML-safe excerpts of text with query words in <mark> ([] if none match)."""
    text = text[:scan_chars]
    matches = _find_matches(text, terms, limit=400) if terms else []
    if not matches:
        return []
    # Score each window starting at a match by the distinct terms it holds.
    windows = []
    for i, (start, _end, _key) in enumerate(matches):
        stop = start + width
        inside = [m for m in matches[i:i + 40] if m[1] <= stop]
        windows.append((len({m[2] for m in inside}), len(inside), -start, inside))
    windows.sort(reverse=True)
    chosen: list[list[tuple[int, int, str]]] = []
    taken: list[tuple[int, int]] = []
    for _distinct, _n, neg_start, inside in windows:
        lo, hi = -neg_start, -neg_start + width
        if any(lo < b and a < hi for a, b in taken):
            continue
        chosen.append(inside)
        taken.append((lo, hi))
        if len(chosen) >= count:
            break
    chosen.sort(key=lambda ms: ms[0][0])
    return [_render(text, ms, width) for ms in chosen]


def _render(text: str, matches: list[tuple[int, int, str]], width: int) -> str:
    """Render one excerpt around matches, escaping text and marking matches."""
    first, last = matches[0][0], matches[-1][1]
    pad = max(0, (width - (last - first)) // 2)
    lo = max(0, first - min(pad, 80))
    hi = min(len(text), max(last, lo + width))
    # Cut on word boundaries so excerpts do not start or end mid-word.
    if lo > 0:
        space = text.find(" ", lo, first)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", last, hi)
        hi = space if space != -1 else hi
    parts = ["…" if lo > 0 else ""]
    pos = lo
    for start, end, _key in matches:
        if start < pos or end > hi:
            continue
        parts.append(html.escape(text[pos:start]))
        parts.append("<mark>" + html.escape(text[start:end]) + "</mark>")
        pos = end
    parts.append(html.escape(text[pos:hi]))
    parts.append("…" if hi < len(text) else "")
    return " ".join("".join(parts).split())


def lead_snippet(text: str, width: int = 220) -> str:
    """Return the escaped opening of text as an excerpt with no marks."""
    cut = text[:width]
    if len(text) > width and " " in cut:
        cut = cut[: cut.rfind(" ")] + "…"
    return html.escape(" ".join(cut.split()))
