"""What every page needs: who is looking, and the parsed search parameters."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from ..models import User
from ..services.access import principals_for


def current_user_record() -> User | None:
    """Return the signed-in User, or None when anonymous."""
    user = current_user._get_current_object() if current_user else None
    if user is None or not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return None
    return user


def current_principals() -> list[str]:
    """Return the reader tokens of whoever makes this request (['public'] when anonymous)."""
    if "principals" not in g:
        g.principals = principals_for(current_user_record())
    return g.principals


def not_found() -> None:
    """Stop with a 404: the same answer for missing, hidden and unpublished things."""
    abort(404)
