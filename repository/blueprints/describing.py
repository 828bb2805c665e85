"""The item description form, shared by the depositor's pages and the editors' review page."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..context import db_session
from ..forms import options
from ..forms.deposit import ItemForm
from ..models import Event, Item
from ..services import deposits
from ..services.items import InvalidItem
from ..services.taxonomy import UnknownTheme, all_themes
from .common import show_error


def item_form(session: Session, item: Item | None, *, formdata: bool = True) -> ItemForm:
    """Return the description form with today's themes and events to choose from.

    With formdata, the form reads the request; without, it shows the item as stored.
    """
    form = ItemForm() if formdata else ItemForm(formdata=None)
    form.themes.choices = options((theme.slug, theme.name) for theme in all_themes(session))
    events = session.scalars(select(Event).order_by(Event.date.desc().nulls_last(), Event.name))
    form.event.choices = options([("", "None"), *((event.slug, event.name) for event in events)])
    if not formdata and item is not None:
        form.fill_from(item)
    return form


def save_item_form(form: ItemForm, item: Item, user) -> dict | None:
    """Apply a valid form to the item; return the changes, or None with the error set on its field."""
    session = db_session()
    try:
        return deposits.update_item(session, item, form.to_item_data(), user,
                                    readers=form.reader_emails() if form.access.data == "restricted" else [])
    except (InvalidItem, UnknownTheme) as error:
        session.rollback()
        show_error(form, error, default="title")
        return None
