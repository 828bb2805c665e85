"""What every page needs: who is looking, and the parsed search parameters."""

from __future__ import annotations

from flask import g
from flask_login import current_user
from werkzeug.routing import IntegerConverter

from ..context import db_session, resources
from ..models import User
from ..services.access import principals_for
from ..services.search import Reader, reader_for


class DatabaseId(IntegerConverter):
    """A route's <int:...>, read as 0 when larger than an INTEGER column holds (2^31 - 1 on PostgreSQL).

    SQLite's driver raises OverflowError from 2^63 and PostgreSQL "integer out of range" from
    2^31. No id is 0, so the page answers exactly as for any id that does not exist (its own
    404, the API's JSON one), as it must for /items/0 already.
    """

    LARGEST = 2**31 - 1

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        return number if number <= self.LARGEST else 0


def current_user_record() -> User | None:
    """Return the signed-in User, or None when anonymous."""
    user = current_user._get_current_object() if current_user else None
    if user is None or not getattr(user, "is_authenticated", False) or not isinstance(user, User):
        return None
    return user


def current_reader() -> Reader:
    """Return who makes this request, for search (reader tokens ['public'] when anonymous)."""
    if "reader" not in g:
        g.reader = reader_for(db_session(), resources().index, principals_for(current_user_record()))
    return g.reader


def show_error(form, error: Exception, *, default: str) -> None:
    """Show a service's error on the form field it names (services.errors.FieldError), else on `default`."""
    name = getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    if field is None:
        field = getattr(form, default)
    field.errors = [*field.errors, str(error)]
