"""What every page needs: who is looking, and the parsed search parameters."""

from __future__ import annotations

from flask import abort, current_app, g

from ..models import User
from ..services.access import PUBLIC, principals_for


def current_user_record() -> User | None:
    """Return the signed-in User, or None when anonymous or before accounts exist."""
    if not hasattr(current_app, "login_manager"):
        return None
    from flask_login import current_user

    user = current_user._get_current_object() if current_user else None
    if user is None or not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return None
    return user


def current_principals() -> list[str]:
    """Return the reader tokens of whoever makes this request (['public'] when anonymous)."""
    if "principals" not in g:
        user = current_user_record()
        g.principals = principals_for(user) if user is not None else [PUBLIC]
    return g.principals


def not_found() -> None:
    """Stop with a 404: the same answer for missing, hidden and unpublished things."""
    abort(404)
