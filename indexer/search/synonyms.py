"""Words and phrases of the field that mean the same (GDPR, General Data Protection Regulation):
a query naming one also finds the others.

The groups come with each SearchRequest (the repository keeps them in its database); here
they only rewrite the typed query before it is parsed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Quoted phrases and field:value parts are left as typed: a phrase asks for exactly those words.
_LEFT_ALONE = re.compile(r'"[^"]*"|\b[A-Za-z_]+:(?:"[^"]*"|[^\s()]+)')


def _spaced(term: str) -> str:
    """Return a term in lower case with single spaces."""
    return " ".join(term.lower().split())


def _key(term: str) -> str:
    """Return what two spellings of a term share: "multi-agency" and "multi agency" are one."""
    return " ".join(re.split(r"[\s\-]+", term.lower().strip()))


# An equivalent counts for less than the words typed: the item using the reader's own words comes first.
EQUIVALENT_WEIGHT = 0.5


def _as_query(term: str) -> str:
    """Return the query text that finds an equivalent term, weighed: a word as it is, several words as a phrase."""
    return (f'"{term}"' if re.search(r"[^\w]", term) else term) + f"^{EQUIVALENT_WEIGHT}"


def _group_pattern(groups: tuple[tuple[str, ...], ...]) -> tuple[re.Pattern | None, dict[str, tuple[str, ...]]]:
    """Return one pattern matching any term of any group (longest first) and term -> its group."""
    group_of: dict[str, tuple[str, ...]] = {}
    for group in groups:
        terms = tuple(dict.fromkeys(_spaced(t) for t in group if t.strip()))
        if len(terms) > 1:
            for term in terms:
                group_of.setdefault(_key(term), terms)
    if not group_of:
        return None, {}
    longest_first = sorted(group_of, key=len, reverse=True)
    alternatives = "|".join(r"[\s\-]+".join(map(re.escape, key.split())) for key in longest_first)
    # Not inside a longer word, and not right after a minus (an excluded word stays one word).
    return re.compile(rf"(?<![\w\-+])(?:{alternatives})(?![\w\-])", re.IGNORECASE), group_of


def expand_synonyms(text: str, groups: Iterable[Iterable[str]]) -> str:
    """Return the query with each term of a group replaced by (term OR its equivalents)."""
    pattern, group_of = _group_pattern(tuple(tuple(g) for g in groups))
    if pattern is None:
        return text

    def expand(m: re.Match) -> str:
        # The typed words stay plain words (ranked as they were); the equivalents join them as phrases.
        typed = m.group(0)
        others = [t for t in group_of[_key(typed)] if _key(t) != _key(typed)]
        return "(" + " OR ".join([typed, *map(_as_query, others)]) + ")"

    out, last = [], 0
    for kept in _LEFT_ALONE.finditer(text):
        out += [pattern.sub(expand, text[last:kept.start()]), kept.group(0)]
        last = kept.end()
    out.append(pattern.sub(expand, text[last:]))
    return "".join(out)
