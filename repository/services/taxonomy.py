"""Theme taxonomy: seeding, look-ups and the vocabulary for theme suggestion."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Theme, ThemeAlias
from ..taxonomy_seed import SEED_THEMES


class UnknownTheme(LookupError):
    """Raised when a theme slug does not exist."""


def seed_themes(session: Session) -> int:
    """Add the seminar series' themes that are missing; return how many were added.

    A seed theme that editors renamed or merged away is not missing: its slug lives on as
    an alias, and the theme it names now stands in for it.
    """
    existing = {theme.slug for theme in session.scalars(select(Theme))}
    renamed = {alias.slug: alias.theme for alias in session.scalars(select(ThemeAlias))}
    existing |= set(renamed)
    added = 0

    def add(entries: list[dict], parent: Theme | None) -> None:
        nonlocal added
        for position, entry in enumerate(entries):
            theme = session.scalar(select(Theme).where(Theme.slug == entry["slug"])) or renamed.get(entry["slug"])
            if entry["slug"] not in existing:
                theme = Theme(
                    slug=entry["slug"],
                    name=entry["name"],
                    description=entry["description"],
                    keywords="\n".join(entry["keywords"]),
                    position=position,
                    parent=parent,
                )
                session.add(theme)
                added += 1
            add(entry.get("children", []), theme)

    add(SEED_THEMES, None)
    session.flush()
    return added


def find_theme(session: Session, slug: str) -> Theme | None:
    """Return the theme with `slug`, or None."""
    return session.scalar(select(Theme).where(Theme.slug == slug))


def get_themes(session: Session, slugs: list[str]) -> list[Theme]:
    """Return the themes named by `slugs`; raise UnknownTheme for any that is missing."""
    if not slugs:
        return []
    found = {t.slug: t for t in session.scalars(select(Theme).where(Theme.slug.in_(set(slugs))))}
    for slug in slugs:
        if slug not in found:
            raise UnknownTheme(f"no theme with the slug {slug!r}")
    return [found[slug] for slug in slugs]


def children_of(session: Session) -> dict[int | None, list[Theme]]:
    """Return parent id (None: the top) -> its themes in taxonomy order, from one query."""
    children: dict[int | None, list[Theme]] = {}
    for theme in session.scalars(select(Theme).order_by(Theme.position, Theme.id)):
        children.setdefault(theme.parent_id, []).append(theme)
    return children


def all_themes(session: Session) -> list[Theme]:
    """Return every theme, top-level themes first, in taxonomy order."""
    themes = list(session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    return sorted(themes, key=lambda t: (len(t.lineage()), t.position, t.id))


def theme_vocabulary(session: Session) -> dict[str, list[str]]:
    """Return slug -> key phrases for suggesting themes from text."""
    vocabulary = {}
    for theme in session.scalars(select(Theme)):
        phrases = [line.strip() for line in theme.keywords.splitlines() if line.strip()]
        vocabulary[theme.slug] = phrases or [theme.name.lower()]
    return vocabulary
