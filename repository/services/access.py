"""Who may see what: reader tokens on items, principals of users, and record-level checks.

An item carries reader tokens; a person carries principals. The search index filters
on their intersection inside the query, so an item someone may not see is never
counted, highlighted or suggested to them. Items that are not published are never
indexed: who may see a draft or a submission is decided here, from the database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..models import AdditionalFile, Item, User

PUBLIC = "public"
REGISTERED = "registered"
EDITORS = "editors"


def _person(user: Any) -> User | None:
    """Return `user` if it is a signed-in, active User; None for anonymous or switched-off."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if not isinstance(user, User) or not user.active:
        return None
    return user


def readers_for(item: Item) -> list[str]:
    """Return the reader tokens of a published item's record."""
    if item.access in ("open", "embargoed"):
        return [PUBLIC]
    if item.access == "registered":
        return [REGISTERED]
    return _restricted_readers(item)


def _restricted_readers(item: Item) -> list[str]:
    """Return the reader tokens of a restricted item: editors, its depositor and their organisation, named readers."""
    # Also any level this code does not know: closed is the safe default.
    tokens = [EDITORS]
    if item.depositor_id is not None:
        tokens.append(f"user:{item.depositor_id}")
        if item.depositor is not None and item.depositor.organisation_id is not None:
            tokens.append(f"org:{item.depositor.organisation_id}")
    for grant in getattr(item, "grants", []):
        token = f"user:{grant.user_id}"
        if token not in tokens:
            tokens.append(token)
    return tokens


def principals_for(user: Any) -> list[str]:
    """Return the tokens that `user` (None or an anonymous user for a visitor) may read."""
    person = _person(user)
    if person is None:
        return [PUBLIC]
    principals = [PUBLIC, REGISTERED, f"user:{person.id}"]
    if person.organisation_id is not None:
        principals.append(f"org:{person.organisation_id}")
    if person.is_editor:
        principals.append(EDITORS)
    return principals


def text_is_open(item: Item, today: date | None = None) -> bool:
    """Return False while an embargo keeps the item's file and text closed."""
    if item.access != "embargoed" or item.embargo_until is None:
        return True
    return (today or date.today()) >= item.embargo_until


def is_depositor(user: Any, item: Item) -> bool:
    """Return True when `user` deposited `item`."""
    person = _person(user)
    return person is not None and item.depositor_id is not None and item.depositor_id == person.id


def is_editor(user: Any) -> bool:
    """Return True for a signed-in editor or administrator."""
    person = _person(user)
    return person is not None and person.is_editor


def _record_open_to(user: Any, item: Item) -> bool:
    """Return True when the access level alone lets `user` see the record of a published item."""
    return bool(set(readers_for(item)) & set(principals_for(user)))


def can_view(user: Any, item: Item) -> bool:
    """Return True when `user` may see the item's page (its metadata).

    Drafts and submissions: only the depositor and editors. Published items: as the
    access level says, the same rule the search index applies. Withdrawn items: only
    editors see the record; others may get the tombstone (see `can_see_tombstone`).
    """
    if is_editor(user):
        return True
    if item.status == "published":
        return _record_open_to(user, item)
    if item.status in ("draft", "submitted"):
        return is_depositor(user, item)
    return False


def can_see_tombstone(user: Any, item: Item) -> bool:
    """Return True when `user` may see that a withdrawn item existed (title, reason, date)."""
    return item.status == "withdrawn" and (is_editor(user) or _record_open_to(user, item))


def can_read_text(user: Any, item: Item, today: date | None = None) -> bool:
    """Return True when `user` may download the file and read the text of `item`."""
    if not can_view(user, item):
        return False
    if is_editor(user) or is_depositor(user, item):
        return True
    return text_is_open(item, today)


def can_edit(user: Any, item: Item) -> bool:
    """Return True when `user` may change the item's metadata.

    Editors always may; a depositor only while the item is a draft (a submission is
    with the editors, a published item changes only by a new version of its file).
    """
    if is_editor(user):
        return True
    return is_depositor(user, item) and item.status == "draft"


def can_add_version(user: Any, item: Item) -> bool:
    """Return True when `user` may upload a new version of the item's file."""
    if is_editor(user):
        return item.status in ("draft", "submitted", "published")
    return is_depositor(user, item) and item.status in ("draft", "published")


# Additional files' access, from the least strict: "item" follows the item, the others narrow it.
_NARROWING = ("item", "registered", "restricted")


def additional_file_access(item: Item, attached: AdditionalFile) -> str:
    """Return who may read an additional file: "item" (the item's readers), "registered" or "restricted".

    A file's setting can only narrow the item's: when the item itself is stricter (a
    registered file on an item made restricted later), the item's level wins.
    """
    wanted = attached.access if attached.access in _NARROWING else "restricted"
    if wanted == "registered" and item.access in ("open", "embargoed"):
        return "registered"
    if wanted == "restricted" and item.access != "restricted":
        return "restricted"
    return "item"


def allowed_file_access(item: Item) -> list[str]:
    """Return the settings an additional file of `item` may have: the item's level, or stricter ones."""
    if item.access == "restricted":
        return ["item"]
    if item.access == "registered":
        return ["item", "restricted"]
    return list(_NARROWING)


def readers_for_file(item: Item, attached: AdditionalFile) -> list[str]:
    """Return the reader tokens of an additional file of a published item."""
    level = additional_file_access(item, attached)
    if level == "registered":
        return [REGISTERED]
    if level == "restricted":
        return _restricted_readers(item)
    return readers_for(item)


def can_read_file(user: Any, item: Item, attached: AdditionalFile, today: date | None = None) -> bool:
    """Return True when `user` may download an additional file of `item` and find its text."""
    if attached.item_id != item.id or not can_read_text(user, item, today):
        return False
    if is_editor(user) or is_depositor(user, item):
        return True
    return bool(set(readers_for_file(item, attached)) & set(principals_for(user)))
