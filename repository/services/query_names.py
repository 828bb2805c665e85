"""Names people see in a query's fields (theme:"domestic abuse", type:case-study) read as the slugs the index holds.

The engine knows only slugs; the names live in the database, so they are resolved here,
before the query reaches the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import ITEM_TYPES, Event, Place, Theme

# Typed field name -> (what a person calls it, the database model or None for item types).
NAMED_FIELDS: dict[str, tuple[str, type | None]] = {
    "theme": ("theme", Theme), "themes": ("theme", Theme),
    "place": ("place", Place), "places": ("place", Place),
    "event": ("event", Event),
    "type": ("type", None),
}
MAX_NAME_WORDS = 6  # an unquoted name (place:brighton and hove) is looked for over this many words
_FIELD = re.compile(r'(?<![\w:])(' + "|".join(NAMED_FIELDS) + r'):("[^"]*"|[^\s()"]+)', re.IGNORECASE)
_WORD_AFTER = re.compile(r'\s+([^\s()":]+)')


def _key(text: str) -> str:
    """Return what a name and its slug share: lower case letters and digits, single spaces."""
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


@dataclass
class ResolvedQuery:
    """The query with field values as slugs, and a sentence for each value that matched nothing."""

    q: str
    notes: list[str]


def _names(session: Session, model: type | None) -> dict[str, str]:
    """Return name-or-slug key -> slug for one field, singular and plural forms alike."""
    rows = ITEM_TYPES.items() if model is None else session.execute(select(model.slug, model.name))
    out: dict[str, str] = {}
    for slug, name in rows:
        for form in (slug, name):
            key = _key(form)
            out.setdefault(key, slug)
            out.setdefault(key + "s", slug)  # "case studies" is rarer than "case-studies"; both end here
            if key.endswith("y"):
                out.setdefault(key[:-1] + "ies", slug)
    return out


def _quoted(slug: str) -> str:
    return slug if re.fullmatch(r"[\w\-]+", slug) else f'"{slug}"'


def resolve_names(session: Session, q: str, shown: Callable[[str, str], bool] = lambda label, slug: True
                  ) -> ResolvedQuery:
    """Return q with theme, place, event and type values turned into slugs; unknown ones are left out and said.

    `shown(label, slug)` says whether the reader may know of a value: one that they may not
    (a place known only from items hidden from them) is answered as unknown, word for word.
    """
    if ":" not in q:
        return ResolvedQuery(q, [])
    cache: dict[str, dict[str, str]] = {}
    notes: list[str] = []
    out, last = [], 0
    for m in _FIELD.finditer(q):
        if m.start() < last:
            continue  # inside an unquoted name already taken
        field = m.group(1).lower()
        label, model = NAMED_FIELDS[field]
        names = cache.setdefault(label, _names(session, model))
        value, end = m.group(2), m.end()
        if value.startswith('"'):
            slug = names.get(_key(value.strip('"')))
        else:
            # The longest run of following words that is a name: place:brighton and hove.
            slug, words, at = names.get(_key(value)), [value], m.end()
            for _ in range(MAX_NAME_WORDS - 1):
                nxt = _WORD_AFTER.match(q, at)
                if nxt is None:
                    break
                words.append(nxt.group(1))
                at = nxt.end()
                longer = names.get(_key(" ".join(words)))
                if longer:
                    slug, end = longer, at
        if slug and not shown(label, slug):
            slug, end = None, m.end()
        out.append(q[last:m.start()])
        if slug:
            out.append(f"{field}:{_quoted(slug)}")
        else:
            shown = value.strip('"')
            notes.append(f"There is no {label} called \u2018{shown}\u2019, so it was left out of the search.")
        last = end
    out.append(q[last:])
    return ResolvedQuery(" ".join("".join(out).split()) if notes else "".join(out), notes)
