"""Editors' changes to the theme taxonomy: add, rename, describe, move and merge themes.

Every change is in the curation log. A theme's address is its slug: a rename or a merge
keeps the old slug as an alias that redirects, and the items under the theme (and under
its sub-themes, whose index entries carry their ancestors' slugs) go to the change log, so
search and its facets follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ..models import Item, Theme, ThemeAlias, User
from ..models.items import item_themes
from ..slugs import slugify
from . import curation
from .access import is_editor
from .changes import record_change
from .deposits import NotAllowed
from .items import move_item_links


class InvalidTheme(ValueError):
    """A theme change that cannot be made; the message is fit to show, `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class ThemeData:
    """What an editor fills in for a theme."""

    name: str
    description: str = ""
    keywords: str = ""  # key phrases, one per line
    parent: str = ""  # the parent's slug; "" for a top-level theme


def _require_editor(actor: User) -> None:
    if not is_editor(actor):
        raise NotAllowed("Only editors can change themes")


def theme_for_address(session: Session, slug: str) -> tuple[Theme | None, bool]:
    """Return (theme, moved) for `/themes/SLUG`: moved is True when SLUG is an old address of the theme."""
    theme = session.scalar(select(Theme).where(Theme.slug == slug))
    if theme is not None:
        return theme, False
    alias = session.get(ThemeAlias, slug)
    return (alias.theme, True) if alias is not None else (None, False)


def _phrases(text: str) -> str:
    """Return key phrases one per line, trimmed, lower-cased and without repeats."""
    return "\n".join(dict.fromkeys(line.strip().lower() for line in text.splitlines() if line.strip()))


def _descendant_ids(session: Session, theme: Theme) -> set[int]:
    """Return the ids of `theme` and every theme below it."""
    below: dict[int | None, list[int]] = {}
    for theme_id, parent_id in session.execute(select(Theme.id, Theme.parent_id)):
        below.setdefault(parent_id, []).append(theme_id)
    found, queue = set(), [theme.id]
    while queue:
        current = queue.pop()
        if current not in found:
            found.add(current)
            queue.extend(below.get(current, []))
    return found


def _reindex_items_under(session: Session, theme_ids: set[int], reason: str) -> list[int]:
    """Send the published items under these themes to the change log; return their ids."""
    ids = sorted(set(session.scalars(
        select(Item.id).join(item_themes, item_themes.c.item_id == Item.id)
        .where(item_themes.c.theme_id.in_(theme_ids), Item.status == "published"))))
    record_change(session, ids, reason)
    return ids


def _check(session: Session, data: ThemeData, theme: Theme | None) -> tuple[str, Theme | None]:
    """Return (slug, parent) for `data`, or raise InvalidTheme."""
    name = data.name.strip()
    if not name:
        raise InvalidTheme("Enter the theme's name", field="name")
    if len(name) > 200:
        raise InvalidTheme("The name must be 200 characters or fewer", field="name")
    # The address follows the name only when the name changes: seeded themes have short slugs of their own.
    slug = theme.slug if theme is not None and name == theme.name else slugify(name)
    other = session.scalar(select(Theme).where(Theme.slug == slug))
    if other is not None and other is not theme:
        raise InvalidTheme(f"There is already a theme called ‘{other.name}’; choose another name, "
                           "or merge the two", field="name")
    parent = None
    if data.parent:
        parent = session.scalar(select(Theme).where(Theme.slug == data.parent))
        if parent is None:
            raise InvalidTheme("Choose a parent theme from the list", field="parent")
        if theme is not None and parent.id in _descendant_ids(session, theme):
            raise InvalidTheme("A theme cannot be moved under itself or one of its own sub-themes", field="parent")
    return slug, parent


def _next_position(session: Session, parent: Theme | None) -> int:
    """Return the position after the last of `parent`'s sub-themes (or of the top-level themes)."""
    condition = Theme.parent_id == parent.id if parent is not None else Theme.parent_id.is_(None)
    return max(session.scalars(select(Theme.position).where(condition)), default=-1) + 1


def _state(theme: Theme) -> dict:
    return {"name": theme.name, "slug": theme.slug, "description": theme.description,
            "keywords": theme.keywords.splitlines(), "parent": theme.parent.slug if theme.parent else None}


def _diff(before: dict, after: dict) -> dict[str, list]:
    return {key: [before[key], after[key]] for key in before if before[key] != after[key]}


def add_theme(session: Session, data: ThemeData, editor: User) -> Theme:
    """Add a theme (under `data.parent`, or at the top), last among its siblings."""
    _require_editor(editor)
    slug, parent = _check(session, data, None)
    # The new theme takes its address back from any theme that had it before.
    session.execute(delete(ThemeAlias).where(ThemeAlias.slug == slug))
    theme = Theme(slug=slug, name=data.name.strip(), description=data.description.strip(),
                  keywords=_phrases(data.keywords), parent=parent, position=_next_position(session, parent))
    session.add(theme)
    session.flush()
    curation.record(session, "theme", theme.id, theme.name, editor, "created", changes={
        key: [None, value] for key, value in _state(theme).items() if value})
    return theme


def update_theme(session: Session, theme: Theme, data: ThemeData, editor: User) -> dict[str, list]:
    """Rename, describe or move a theme, or change its key phrases; return what changed.

    A new name gives a new address; the old one is kept as an alias that redirects.
    """
    _require_editor(editor)
    slug, parent = _check(session, data, theme)
    before = _state(theme)
    old_slug = theme.slug
    if slug != old_slug:
        session.execute(delete(ThemeAlias).where(ThemeAlias.slug == slug))
        session.add(ThemeAlias(slug=old_slug, theme_id=theme.id))
    if (parent.id if parent else None) != theme.parent_id:
        theme.position = _next_position(session, parent)
    theme.slug = slug
    theme.name = data.name.strip()
    theme.description = data.description.strip()
    theme.keywords = _phrases(data.keywords)
    theme.parent = parent
    session.flush()
    changes = _diff(before, _state(theme))
    if not changes:
        return changes
    action = "moved" if set(changes) == {"parent"} else "updated"
    curation.record(session, "theme", theme.id, theme.name, editor, action, changes=changes)
    if "slug" in changes or "parent" in changes:  # index entries carry each theme's slug and its ancestors'
        _reindex_items_under(session, _descendant_ids(session, theme), "theme changed")
    return changes


def merge_theme(session: Session, source: Theme, target: Theme, editor: User) -> list[int]:
    """Merge `source` into `target`: its items, sub-themes, key phrases and addresses go to `target`.

    Returns the ids of the published items whose index entries change.
    """
    _require_editor(editor)
    if source.id == target.id:
        raise InvalidTheme("Choose another theme to merge into", field="into")
    if target.id in _descendant_ids(session, source):
        raise InvalidTheme("A theme cannot be merged into one of its own sub-themes; move that one first",
                           field="into")
    affected_themes = _descendant_ids(session, source)
    changed = _reindex_items_under(session, affected_themes, "theme merged")
    moved_items = move_item_links(session, item_themes, "theme_id", source.id, target.id)
    children = list(source.children)
    for child in children:
        child.parent = target
    phrases_before = target.keywords
    target.keywords = _phrases(target.keywords + "\n" + source.keywords)
    for alias in session.scalars(select(ThemeAlias).where(ThemeAlias.theme_id == source.id)):
        alias.theme_id = target.id
    session.flush()
    old = {"slug": source.slug, "name": source.name, "id": source.id}
    session.delete(source)
    session.flush()
    session.add(ThemeAlias(slug=old["slug"], theme_id=target.id))
    session.flush()
    details = {"into": [old["slug"], target.slug], "items": [moved_items, 0],
               "sub-themes": [[child.slug for child in children], []]}
    curation.record(session, "theme", old["id"], old["name"], editor, "merged", changes=details)
    curation.record(session, "theme", target.id, target.name, editor, "merged_in", changes={
        "merged": [None, old["slug"]], "keywords": [phrases_before.splitlines(), target.keywords.splitlines()]})
    return changed
