"""Request a copy: a visitor asks for a file they may not download; its depositor (or an editor) decides.

Only someone who may see an item's record but not its file may ask (today: an embargoed
item's file), so a request page never shows more than the record they may already see.
The decision link names the request and the person it was mailed to; approval sends the
requester a download link that works once, until it expires. Every step is in the item's
audit log.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import CopyRequest, Item, User
from ..models.base import as_utc, utcnow
from . import audit
from .access import can_read_text, can_view, is_depositor, is_editor

_DECISION_SALT = "copy-decision"
_DOWNLOAD_SALT = "copy-download"


class CopyError(ValueError):
    """A request or decision that cannot go ahead; the message is fit to show."""


def may_request(user: Any, item: Item) -> bool:
    """Return True when `user` may see the item's record but not download its file."""
    return (item.status == "published" and item.current_file is not None and can_view(user, item)
            and not can_read_text(user, item))


def may_decide(user: User | None, item: Item) -> bool:
    """Return True when `user` may answer requests for the item: its depositor or an editor, able to read it."""
    return user is not None and user.active and (is_depositor(user, item) or is_editor(user)) \
        and can_read_text(user, item)


def deciders(session: Session, item: Item) -> list[User]:
    """Return who is asked: the depositor when they can still answer, else every active editor."""
    if item.depositor is not None and may_decide(item.depositor, item):
        return [item.depositor]
    editors = session.scalars(select(User).where(User.role.in_(("editor", "admin")), User.active).order_by(User.id))
    return [editor for editor in editors if may_decide(editor, item)]


def request_copy(session: Session, item: Item, requester: User | None, *, name: str, email: str, reason: str,
                 per_day: int, now: datetime | None = None) -> CopyRequest:
    """Record a request for the item's file (the caller has checked `may_request`)."""
    now = now or utcnow()
    email = email.strip().lower()
    pending = session.scalar(select(CopyRequest.id).where(
        CopyRequest.item_id == item.id, func.lower(CopyRequest.email) == email, CopyRequest.status == "pending"))
    if pending is not None:
        raise CopyError("You have already asked for a copy of this item. You will get an email when it is answered.")
    today = session.scalar(select(func.count()).select_from(CopyRequest).where(
        CopyRequest.item_id == item.id, CopyRequest.created_at > now - timedelta(days=1))) or 0
    if today >= per_day:
        raise CopyError("This item has had too many requests today. Try again tomorrow.")
    copy = CopyRequest(item_id=item.id, name=name.strip()[:200], email=email[:254], reason=reason.strip()[:2000],
                       created_at=now)
    session.add(copy)
    session.flush()
    # The log names the request, not the requester's address: the request row holds that.
    audit.record(session, item, requester, "copy_requested", message=f"Request {copy.id} from {copy.name}")
    return copy


def decision_token(secret: str, copy: CopyRequest, decider: User) -> str:
    """Return the signed token of the link that lets `decider` answer the request."""
    return URLSafeTimedSerializer(secret, salt=_DECISION_SALT).dumps({"r": copy.id, "u": decider.id})


def _load(secret: str, salt: str, token: str, max_age: timedelta) -> dict:
    try:
        data = URLSafeTimedSerializer(secret, salt=salt).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired:
        raise CopyError("This link has expired") from None
    except BadSignature:
        raise CopyError("This link is not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int) or not 0 < data["r"] < 2**63:
        raise CopyError("This link is not valid")
    return data


def request_for_decision(session: Session, secret: str, token: str, max_age: timedelta) -> tuple[CopyRequest, User]:
    """Return the request and the person a decision link was mailed to; raise CopyError if it no longer works."""
    data = _load(secret, _DECISION_SALT, token, max_age)
    copy = session.get(CopyRequest, data["r"])
    decider = session.get(User, data.get("u")) if isinstance(data.get("u"), int) and 0 < data["u"] < 2**63 else None
    if copy is None or decider is None or not may_decide(decider, copy.item):
        raise CopyError("This link no longer works")
    return copy, decider


def decide(session: Session, copy: CopyRequest, decider: User, *, approve: bool, link_days: int,
           now: datetime | None = None) -> None:
    """Approve or refuse a pending request; approval opens a single-use link for link_days."""
    now = now or utcnow()
    if copy.status != "pending":
        raise CopyError(f"This request has already been {copy.status}.")
    if copy.item.status != "published" or copy.item.current_file is None:
        raise CopyError("This item's file can no longer be sent.")
    copy.status = "approved" if approve else "refused"
    copy.decided_at, copy.decided_by_id = now, decider.id
    if approve:
        copy.file_id = copy.item.current_file.id
        copy.link_nonce = secrets.token_hex(16)
        copy.link_expires_at = now + timedelta(days=link_days)
    session.flush()
    audit.record(session, copy.item, decider, "copy_approved" if approve else "copy_refused",
                 message=f"Request {copy.id} from {copy.name}")


def download_token(secret: str, copy: CopyRequest) -> str:
    """Return the signed token of an approved request's download link."""
    return URLSafeTimedSerializer(secret, salt=_DOWNLOAD_SALT).dumps({"r": copy.id, "n": copy.link_nonce})


def claim_download(session: Session, secret: str, token: str, max_age: timedelta,
                   now: datetime | None = None) -> CopyRequest:
    """Use up an approved request's download link and return the request; raise CopyError if it does not work."""
    now = now or utcnow()
    data = _load(secret, _DOWNLOAD_SALT, token, max_age)
    copy = session.get(CopyRequest, data["r"])
    if copy is None or copy.status != "approved" or not copy.link_nonce or data.get("n") != copy.link_nonce:
        raise CopyError("This link is not valid")
    if copy.used_at is not None:
        raise CopyError("This link has already been used")
    if as_utc(copy.link_expires_at) is None or as_utc(copy.link_expires_at) <= now:
        raise CopyError("This link has expired")
    if copy.item.status != "published" or copy.file is None:
        raise CopyError("This item's file can no longer be sent")
    # Claimed by a conditional update, so two clicks at once cannot both download.
    claimed = session.execute(update(CopyRequest).where(CopyRequest.id == copy.id, CopyRequest.used_at.is_(None))
                              .values(used_at=now)).rowcount
    if claimed != 1:
        raise CopyError("This link has already been used")
    session.refresh(copy)
    audit.record(session, copy.item, None, "copy_sent", message=f"Request {copy.id}: the approved copy was downloaded")
    return copy


def requests_for(session: Session, item: Item) -> list[CopyRequest]:
    """Return the item's copy requests, newest first."""
    return list(session.scalars(select(CopyRequest).where(CopyRequest.item_id == item.id)
                                .order_by(CopyRequest.created_at.desc(), CopyRequest.id.desc())))
