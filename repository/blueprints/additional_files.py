"""Pages for an item's additional files: upload one, relabel it or change its access, remove it."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..context import db_session, resources
from ..forms import options
from ..forms.deposit import FILE_ACCESS_HINTS, AdditionalFileDetailsForm, AdditionalFileForm
from ..models import ADDITIONAL_FILE_ACCESS, Item
from ..services import additional_files, deposits
from ..services.access import allowed_file_access, can_edit, is_depositor
from ..services.additional_files import InvalidFileDetails
from ..services.deposits import Busy, NotAllowed
from .deposit import _own_item, _receive

bp = Blueprint("additional_files", __name__, url_prefix="/deposit")


@bp.app_context_processor
def _file_access_labels() -> dict:
    return {"file_access_labels": ADDITIONAL_FILE_ACCESS}


def _editable(item_id: int) -> Item:
    """Return an item whose files the signed-in person may change: 404 if not theirs, 403 if not now."""
    item = _own_item(item_id)
    if not can_edit(current_user._get_current_object(), item):
        abort(403, description="This item is with the editors or published: only an editor can change its files.")
    return item


def _back(item: Item) -> str:
    """Return the page the person manages the item from: their draft, or the editors' review page."""
    user = current_user._get_current_object()
    if is_depositor(user, item) and item.status == "draft":
        return url_for("deposit.edit", item_id=item.id)
    return url_for("moderation.review", item_id=item.id)


def _offer_access(form: AdditionalFileDetailsForm, item: Item) -> None:
    """Offer only the settings the item allows: its own readers, or fewer."""
    form.access.choices = options((key, ADDITIONAL_FILE_ACCESS[key]) for key in allowed_file_access(item))


def _page(form, item: Item, attached=None, status: int = 200):
    return render_template("deposit/additional_file.html", form=form, item=item, attached=attached,
                           access_hints=FILE_ACCESS_HINTS, back=_back(item)), status


@bp.route("/<int:item_id>/files/new", methods=["GET", "POST"])
@login_required
def add(item_id: int):
    """Upload an additional file (slides, data, an easy-read version ...) with its label and access."""
    item = _editable(item_id)
    user = current_user._get_current_object()
    form = AdditionalFileForm()
    _offer_access(form, item)
    if not form.validate_on_submit():
        return _page(form, item, status=400 if form.errors else 200)
    try:
        attached = _receive(form, lambda extraction, name: additional_files.add_additional_file(
            db_session(), item, extraction, resources().files, user, label=form.label.data,
            description=form.description.data or "", access=form.access.data, file_name=name))
    except Busy:
        form.file.errors = [deposits.BUSY_MESSAGE]
        response = current_app.make_response(_page(form, item, status=503))
        response.headers["Retry-After"] = "60"
        return response
    except InvalidFileDetails as error:
        db_session().rollback()
        getattr(form, error.field or "label").errors = [str(error)]
        return _page(form, item, status=400)
    if attached is None:  # the file was refused: the form says why
        return _page(form, item, status=422)
    flash(f"{attached.label_text} has been added.", "success")
    return redirect(_back(item))


@bp.route("/<int:item_id>/files/<int:file_id>", methods=["GET", "POST"])
@login_required
def change(item_id: int, file_id: int):
    """Relabel an additional file or change who may read it."""
    item = _editable(item_id)
    attached = additional_files.find_additional_file(item, file_id)
    if attached is None:
        abort(404)
    form = AdditionalFileDetailsForm(obj=attached)
    _offer_access(form, item)
    if not form.validate_on_submit():
        return _page(form, item, attached, status=400 if form.errors else 200)
    session = db_session()
    try:
        additional_files.change_additional_file(session, item, attached, current_user._get_current_object(),
                                                label=form.label.data, description=form.description.data or "",
                                                access=form.access.data)
    except InvalidFileDetails as error:
        session.rollback()
        getattr(form, error.field or "label").errors = [str(error)]
        return _page(form, item, attached, status=400)
    session.commit()
    flash(f"{attached.label_text} has been saved.", "success")
    return redirect(_back(item))


@bp.post("/<int:item_id>/files/<int:file_id>/remove")
@login_required
def remove(item_id: int, file_id: int):
    """Remove an additional file; its stored copy goes once nothing else refers to it."""
    item = _editable(item_id)
    attached = additional_files.find_additional_file(item, file_id)
    if attached is None:
        abort(404)
    session = db_session()
    shown = attached.label_text
    try:
        sha256 = additional_files.remove_additional_file(session, item, attached, current_user._get_current_object())
    except NotAllowed as error:
        abort(403, description=str(error))
    session.commit()
    deposits.discard_unreferenced_file(session, resources().files, sha256)
    flash(f"{shown} has been removed.", "success")
    return redirect(_back(item))
