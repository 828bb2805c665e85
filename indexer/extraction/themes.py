"""Suggest themes for a document by counting each theme's key phrases in its text."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

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
    insensitive, longest phrase first; a phrase of n words counts n times, as it is n times as
    specific) per thousand words of text; themes scoring under `min_per_thousand` are left out.
    """
    if limit <= 0 or not text:
        return []
    words = stem_words(text)
    if not words:
        return []
    owners: dict[tuple[str, ...], set[str]] = {}
    for slug, key_phrases in vocabulary.items():
        for phrase in key_phrases:
            stemmed = tuple(stem_words(phrase))
            if stemmed:
                owners.setdefault(stemmed, set()).add(slug)
    if not owners:
        return []
    longest = max(len(p) for p in owners)
    starts = {phrase[0] for phrase in owners}
    hits: Counter[str] = Counter()
    index = 0
    # Longest match first, so "family" is not counted again inside "whole family".
    while index < len(words):
        if words[index] not in starts:  # most words start no phrase: skip the slicing
            index += 1
            continue
        for n in range(min(longest, len(words) - index), 0, -1):
            slugs = owners.get(tuple(words[index : index + n]))
            if slugs:
                for slug in slugs:
                    hits[slug] += n
                index += n
                break
        else:
            index += 1
    per_thousand = 1000.0 / max(len(words), _MIN_WORDS)
    scores = {slug: count * per_thousand for slug, count in hits.items()}
    scores = {slug: score for slug, score in scores.items() if score >= min_per_thousand}
    ranked = sorted(scores, key=lambda slug: (-scores[slug], slug))
    return ranked[:limit]


def stem_words(text: str) -> list[str]:
    """Split `text` into lowercase words with plural endings removed."""
    words = _WORD.findall(text.lower())
    # A paper repeats its words: map each distinct one once (a dict look-up per word after that).
    singular = {word: _singular(word) for word in set(words)}
    return [singular[word] for word in words]


@lru_cache(maxsize=65536)
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
