"""Saved searches and their alert digests: what newly matches, as its owner may see it at send time.

A saved search remembers the items it already knows (those matching when it was saved,
and those mailed since), so a digest holds exactly the items that newly match: a new
item, an old paper deposited late, or one edited or opened into the search. Every
digest is searched afresh with the owner's reader as it is when the mail is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from indexer.search import MAX_PER_PAGE, MAX_RESULTS_DEPTH, IndexStore

from ..models import FREQUENCIES, Item, SavedSearch, SavedSearchItem, User
from ..models.base import as_utc, utcnow
from ..search_params import SearchParams, parse_search_args
from .access import can_view, principals_for
from .errors import FieldError
from .search import reader_for, run_search

PERIODS = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A cron job that runs at about the same time each day must find yesterday's search due.
SLACK = timedelta(hours=1)
MAX_SAVED = 50  # saved searches one person may have
DIGEST_LISTED = 50  # items listed in one mail; the rest are counted, with a link to the search
_SALT = "alert-unsubscribe"


class AlertError(FieldError):
    """A saved search that cannot be made or found; the message is fit to show."""


def canonical_query(params: SearchParams) -> str:
    """Return the query string a saved search keeps: the query and filters, no sort or page."""
    return params.changed(sort="relevance", page=1).query_string()


def params_of(saved: SavedSearch) -> SearchParams:
    """Return the search parameters of a saved search."""
    return parse_search_args(MultiDict(parse_qsl(saved.query, keep_blank_values=False)), allow_per_page=False)


def matching_ids(session: Session, store: IndexStore, user: User, params: SearchParams) -> list[int]:
    """Return every item matching `params` that `user` may see now, newest first (up to the engine's depth)."""
    reader = reader_for(session, store, principals_for(user))
    ids: list[int] = []
    for page in range(1, MAX_RESULTS_DEPTH // MAX_PER_PAGE + 1):
        request = params.changed(sort="newest", page=page, per_page=MAX_PER_PAGE).to_request(
            reader, highlight=False, facets=False, suggest=False)
        outcome = run_search(session, store, request)
        ids += [row.item.id for row in outcome.rows if can_view(user, row.item)]
        if page * MAX_PER_PAGE >= outcome.total or not outcome.result.hits:
            break
    return ids


def save_search(session: Session, store: IndexStore, user: User, params: SearchParams, *, name: str,
                frequency: str) -> SavedSearch:
    """Save a search for `user`; what matches it now is known, so only later matches are mailed."""
    if frequency not in FREQUENCIES:
        raise AlertError("Choose how often to be told: daily or weekly", field="frequency")
    if not name.strip():
        raise AlertError("Enter a name for this search", field="name")
    count = len(saved_searches_of(session, user))
    if count >= MAX_SAVED:
        raise AlertError(f"You already have {MAX_SAVED} saved searches; remove one first")
    saved = SavedSearch(user_id=user.id, name=name.strip()[:200], query=canonical_query(params), frequency=frequency)
    session.add(saved)
    session.flush()
    _note(session, saved, matching_ids(session, store, user, params))
    return saved


def _note(session: Session, saved: SavedSearch, item_ids: list[int]) -> None:
    known = set(session.scalars(select(SavedSearchItem.item_id).where(SavedSearchItem.saved_search_id == saved.id)))
    session.add_all(SavedSearchItem(saved_search_id=saved.id, item_id=item_id)
                    for item_id in dict.fromkeys(item_ids) if item_id not in known)
    session.flush()


def saved_searches_of(session: Session, user: User) -> list[SavedSearch]:
    """Return a person's saved searches, oldest first."""
    return list(session.scalars(select(SavedSearch).where(SavedSearch.user_id == user.id)
                                .order_by(SavedSearch.created_at, SavedSearch.id)))


def find_saved_search(session: Session, saved_id: int) -> SavedSearch | None:
    """Return the saved search with this id, or None."""
    return session.get(SavedSearch, saved_id) if 0 < saved_id < 2**63 else None


def remove_saved_search(session: Session, saved: SavedSearch) -> None:
    """Delete a saved search and what it knew."""
    session.execute(delete(SavedSearchItem).where(SavedSearchItem.saved_search_id == saved.id))
    session.delete(saved)
    session.flush()


def unsubscribe_token(secret: str, saved: SavedSearch) -> str:
    """Return the signed token of the link that removes `saved` in one click."""
    return URLSafeTimedSerializer(secret, salt=_SALT).dumps({"s": saved.id, "u": saved.user_id})


def saved_search_for_token(session: Session, secret: str, token: str, max_age: timedelta) -> SavedSearch:
    """Return the saved search an unsubscribe token names; raise AlertError when it is bad, old or gone."""
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise AlertError("This link has expired") from None
    except BadSignature:
        raise AlertError("This link is not valid") from None
    saved = None
    if isinstance(data, dict) and isinstance(data.get("s"), int):
        saved = find_saved_search(session, data["s"])
    if saved is None or saved.user_id != data.get("u"):
        raise AlertError("This saved search has already been removed")
    return saved


def is_due(saved: SavedSearch, now: datetime) -> bool:
    """Return True when a saved search's period has passed since it was last checked."""
    return as_utc(saved.last_checked_at) <= now - PERIODS.get(saved.frequency, PERIODS["weekly"]) + SLACK


@dataclass
class Digest:
    """The items one saved search newly matches, for its owner."""

    saved: SavedSearch
    items: list[Item] = field(default_factory=list)  # listed in the mail, newest first
    new_ids: list[int] = field(default_factory=list)  # every newly matching item, listed or only counted

    @property
    def more(self) -> int:
        """Return how many newly matching items the mail counts without listing."""
        return max(0, len(self.new_ids) - len(self.items))


def digest(session: Session, store: IndexStore, saved: SavedSearch) -> Digest:
    """Return what `saved` newly matches, searched as its owner may see now."""
    ids = matching_ids(session, store, saved.user, params_of(saved))
    known = set(session.scalars(select(SavedSearchItem.item_id).where(SavedSearchItem.saved_search_id == saved.id)))
    new = [item_id for item_id in ids if item_id not in known]
    listed = {item.id: item for item in session.scalars(select(Item).where(Item.id.in_(new[:DIGEST_LISTED])))}
    items = [listed[item_id] for item_id in new[:DIGEST_LISTED] if item_id in listed]
    return Digest(saved, items, new)


def mark_sent(session: Session, result: Digest, now: datetime) -> None:
    """Record that a digest went out (or that there was nothing to send)."""
    # Items only counted in the mail are known too: the next digest holds what is new after this one.
    _note(session, result.saved, result.new_ids)
    result.saved.last_checked_at = now
    if result.items:
        result.saved.last_sent_at = now
    session.flush()


def recipients_ready(user: User) -> bool:
    """Return True when alerts may be mailed to this person: an active account with a confirmed address."""
    return bool(user.active) and user.email_confirmed_at is not None


def due_searches(session: Session, now: datetime | None = None) -> list[SavedSearch]:
    """Return the saved searches whose digest is due, oldest check first."""
    now = now or utcnow()
    searches = session.scalars(select(SavedSearch).order_by(SavedSearch.last_checked_at, SavedSearch.id))
    return [saved for saved in searches if is_due(saved, now)]
