"""Who may see what: reader tokens on items, principals of users.

An item carries reader tokens; a person carries principals. The search index filters
on their intersection inside the query, so an item someone may not see is never
counted, highlighted or suggested to them.
"""

from __future__ import annotations

from datetime import date

from ..models import Item, User

PUBLIC = "public"
REGISTERED = "registered"
EDITORS = "editors"


def readers_for(item: Item) -> list[str]:
    """Return the reader tokens of a published item's record."""
    if item.access in ("open", "embargoed"):
        return [PUBLIC]
    if item.access == "registered":
        return [REGISTERED]
    tokens = [EDITORS]
    if item.depositor_id is not None:
        tokens.append(f"user:{item.depositor_id}")
        if item.depositor is not None and item.depositor.organisation_id is not None:
            tokens.append(f"org:{item.depositor.organisation_id}")
    return tokens


def principals_for(user: User | None) -> list[str]:
    """Return the tokens that `user` (None for anonymous) may read."""
    if user is None or not user.active:
        return [PUBLIC]
    principals = [PUBLIC, REGISTERED, f"user:{user.id}"]
    if user.organisation_id is not None:
        principals.append(f"org:{user.organisation_id}")
    if user.is_editor:
        principals.append(EDITORS)
    return principals


def text_is_open(item: Item, today: date | None = None) -> bool:
    """Return False while an embargo keeps the item's file and text closed."""
    if item.access != "embargoed" or item.embargo_until is None:
        return True
    return (today or date.today()) >= item.embargo_until
