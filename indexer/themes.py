"""Suggest themes for a document by counting each theme's key phrases in its text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?")
# Plurals that the suffix rules below would get wrong.
_IRREGULAR = {
    "children": "child",
    "people": "person",
    "women": "woman",
    "men": "man",
    "analyses": "analysis",
    "crises": "crisis",
    "data": "data",
}
# Below this many words a text counts as this long, so one mention in a title is not "dense".
_MIN_WORDS = 200


def suggest_themes(
    text: str,
    vocabulary: Mapping[str, Sequence[str]],
    *,
    limit: int = 4,
    min_per_thousand: float = 1.0,
) -> list[str]:
    """Return up to `limit` theme slugs whose key phrases are densest in `text`, best first.

    A theme's score is the number of times its phrases occur (whole words, case and plural
    insensitive; a phrase of n words counts n times, as it is n times as specific) per
    thousand words of text; themes scoring under `min_per_thousand` are left out.
    """
    if limit <= 0 or not text:
        return []
    words = stem_words(text)
    if not words:
        return []
    phrases = {
        slug: [p for p in (tuple(stem_words(phrase)) for phrase in key_phrases) if p]
        for slug, key_phrases in vocabulary.items()
    }
    lengths = {len(p) for found in phrases.values() for p in found}
    grams: Counter[tuple[str, ...]] = Counter()
    for n in lengths:
        grams.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    per_thousand = 1000.0 / max(len(words), _MIN_WORDS)
    scores = {}
    for slug, found in phrases.items():
        hits = sum(grams[p] * len(p) for p in set(found))
        score = hits * per_thousand
        if hits and score >= min_per_thousand:
            scores[slug] = score
    ranked = sorted(scores, key=lambda slug: (-scores[slug], slug))
    return ranked[:limit]


def stem_words(text: str) -> list[str]:
    """Split `text` into lowercase words with plural endings removed."""
    return [_singular(word) for word in _WORD.findall(text.lower())]


def _singular(word: str) -> str:
    """Map a plural to its singular well enough for matching ("families" -> "family")."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
