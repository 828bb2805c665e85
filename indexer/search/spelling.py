"""Spelling: "did you mean", and whether a correction is sure enough to be searched instead.

Corrections come only from words of documents the reader may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from whoosh.qparser import QueryParser

from indexer.search.analysis import word_key
from indexer.search.whoosh_internals import SuggestionSource

MAX_CORRECTIONS = 3     # misspelt words corrected per query
MIN_CORRECT_LENGTH = 4  # shorter words are too ambiguous to correct
# Each correction walks the vocabulary, so a pasted paragraph gets none; a sentence
# (SciFact's claims have about 12 words) does, at most MAX_CORRECTIONS words of it.
MAX_SUGGEST_WORDS = 30
# A correction is searched in place of what was typed (not only offered) when each
# corrected word is one typing error away (a letter dropped, added, changed or two
# swapped) and occurs in at least this many documents the reader may see.
MIN_CONFIDENT_DOCUMENTS = 2
# "Did you mean" draws on the exact-word field: every word of the visible text, as written.
SPELL_FIELD = "exact"


_FIELD_PART = re.compile(r'\b[A-Za-z_]+:(?:"[^"]*"|\S+)')


class VisibleCorrector(SuggestionSource):
    """Suggest index words that occur in at least one document the reader may see."""

    def __init__(self, view, visible):
        self.view = view
        self.visible = visible

    def visible_count(self, field: str, word: str, cap: int = 50) -> int:
        """Count visible documents holding word, stopping at cap."""
        return self.view.count_in(field, word, self.visible, cap)

    def suggest(self, text, limit=5, maxdist=2, prefix=0):
        # The same misspelling tends to come back: remember it for this index version.
        # Keyed on what the reader may see (the set's bits), never on an object's identity.
        key = ("suggest", text, self.visible.bits, limit, maxdist, prefix)
        return self.view.memo(key, lambda: SuggestionSource.suggest(self, text, limit, maxdist, prefix))

    def candidates(self, text, maxdist, prefix):
        # Whoosh's ReaderCorrector scores every candidate with maxdist and the
        # stemmed field's frequency, so a frequent 2-edit word can beat a
        # 1-edit one; here nearer words win, then words in more visible documents.
        seen = {text}
        # Each segment walks its term index with a Levenshtein automaton; the
        # multi-segment reader would instead compute a distance for every word.
        readers = [sub.reader() for sub, _ in self.view.searcher.leaf_searchers()]
        # Two edits reach too many unrelated words in a short word, and the
        # automaton for two edits grows steeply with length: one edit outside 6-14.
        if not 6 <= len(text) <= 14:
            maxdist = min(maxdist, 1)
        for dist in range(1, maxdist + 1):
            found = False
            candidates = [w for r in readers for w in r.terms_within(SPELL_FIELD, text, dist, prefix=prefix)]
            if dist == 1:
                # Two letters typed the wrong way round are one slip, not the automaton's two edits.
                candidates += [w for w in _transpositions(text, prefix) if any((SPELL_FIELD, w) in r for r in readers)]
            for word in candidates:
                if word in seen or not _is_suggestable(word):
                    continue
                seen.add(word)
                count = self.visible_count(SPELL_FIELD, word)
                if count:
                    found = True
                    yield (-dist + count / 100, word)
            if found:
                return


def _transpositions(word: str, prefix: int) -> list[str]:
    """Return word with each pair of neighbouring letters swapped (the first `prefix` letters kept)."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2:]
            for i in range(prefix, len(word) - 1) if word[i] != word[i + 1]]


def typing_distance(a: str, b: str) -> int:
    """Return the number of typing slips between two words: letters dropped, added, changed or swapped."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        row = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            row.append(cost)
        previous2, previous = previous, row
    return previous[-1]


@dataclass(frozen=True)
class Correction:
    """A query with its misspelt words corrected, and whether the evidence is strong enough to search it."""

    text: str
    confident: bool


def _has_span(token) -> bool:
    """Tell whether the parser recorded where in the query a token came from."""
    return getattr(token, "startchar", None) is not None and getattr(token, "endchar", None) is not None


def _is_suggestable(word: str) -> bool:
    """Tell whether a vocabulary word may be offered or corrected: letters only, three or more."""
    return len(word) >= 3 and word.isalpha()


def _is_plain_word(qtext: str, token) -> bool:
    """Tell whether a token is a whole lowercase-able word, not a piece of a code or acronym."""
    start, end = token.startchar, token.endchar
    word = qtext[start:end]
    before = qtext[start - 1] if start > 0 else " "
    after = qtext[end] if end < len(qtext) else " "
    # "TNFAIP3", "hTRPML1", "DdrB": gene names and codes, not misspellings.
    if before.isalnum() or after.isalnum() or any(c.isupper() for c in word[1:]):
        return False
    return True


def suggest_correction(view, qtext: str, visible) -> Correction | None:
    """Return qtext with misspelt words corrected, or None when no word is misspelt.

    A word is misspelt when no visible document holds it; a correction must
    itself occur in a visible document, so hidden items' words never leak.
    """
    if not qtext.strip():
        return None
    # Field-qualified parts (year:2014..2016, theme:x) are never corrected; they
    # are blanked, not removed, so token offsets still point into qtext.
    words_only = _FIELD_PART.sub(lambda m: " " * len(m.group(0)), qtext)
    try:
        spell_q = QueryParser(SPELL_FIELD, view.searcher.schema).parse(words_only)
    except Exception:  # an odd query gets no suggestion rather than an error
        return None
    words = [t for t in spell_q.all_tokens() if t.fieldname == SPELL_FIELD and _is_suggestable(t.text)]
    if len(words) > MAX_SUGGEST_WORDS:
        return None
    # A part of a hyphenated word has no place of its own in the query: it is left alone.
    tokens = [t for t in words if _has_span(t) and _is_plain_word(qtext, t)]
    corrector = VisibleCorrector(view, visible)
    misspelt = []
    for token in tokens:
        if len(token.text) < MIN_CORRECT_LENGTH:
            continue
        key = word_key(token.text)
        if key and not corrector.visible_count("text", key, cap=1):
            misspelt.append((SPELL_FIELD, token.text))
    if not misspelt:
        return None
    correction = view.searcher.correct_query(
        spell_q, qtext, correctors={SPELL_FIELD: corrector}, terms=misspelt[:MAX_CORRECTIONS], maxdist=2, prefix=1,
    )
    text = _apply_corrections(qtext, correction.tokens)
    if text is None:
        return None
    changed = [t for t in correction.tokens if _has_span(t) and t.text != t.original]
    confident = len(misspelt) <= MAX_CORRECTIONS and all(
        typing_distance(t.original, t.text) == 1
        and corrector.visible_count(SPELL_FIELD, t.text, cap=MIN_CONFIDENT_DOCUMENTS) >= MIN_CONFIDENT_DOCUMENTS
        for t in changed
    )
    return Correction(text, confident)


def _apply_corrections(qtext: str, tokens) -> str | None:
    """Replace each corrected word inside its span, keeping punctuation around it."""
    out, last = [], 0
    for token in sorted(filter(_has_span, tokens), key=lambda t: t.startchar):
        span = qtext[token.startchar:token.endchar]
        at = span.lower().find(token.original)
        if at < 0:
            continue
        start = token.startchar + at
        out += [qtext[last:start], token.text]
        last = start + len(token.original)
    if not out:
        return None
    corrected = "".join(out) + qtext[last:]
    return corrected if corrected != qtext else None
