"""Editors' pages: the review queue, one submission with its audit log, and the decisions."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..context import db_session
from ..forms.deposit import ACCESS_HINTS
from ..forms.moderation import ActionForm, PersonForm, ReturnForm, WithdrawForm
from ..models import CASE_STUDY_SECTIONS, Item, User
from ..services import accounts, audit, deposits, moderation
from ..services.access import is_editor
from ..services.items import InvalidItem, find_item
from ..services.readability import readability
from .describing import item_form, save_item_form

bp = Blueprint("moderation", __name__, url_prefix="/moderation")


def editors_only(view):
    """Let editors and admins in; others get 403 (anonymous visitors are asked to sign in)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not is_editor(current_user._get_current_object()):
            abort(403, description="Only editors can see this page.")
        return view(*args, **kwargs)

    return wrapped


def _item(item_id: int) -> Item:
    item = find_item(db_session(), item_id)
    if item is None:
        abort(404)
    return item


@bp.get("/")
@editors_only
def queue():
    """List the submissions waiting for review."""
    return render_template("moderation/queue.html", items=moderation.review_queue(db_session()))


def _review_page(item: Item, *, form=None, return_form=None, withdraw_form=None, status: int = 200):
    session = db_session()
    form = form or item_form(session, item, formdata=False)
    return render_template(
        "moderation/item.html", item=item, form=form, status=status,
        return_form=return_form or ReturnForm(formdata=None),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
        action_form=ActionForm(formdata=None), entries=audit.entries_for(session, item),
        reading=readability(item.summary) if item.summary else None, access_hints=ACCESS_HINTS,
        case_study_fields=list(CASE_STUDY_SECTIONS), action=url_for("moderation.edit", item_id=item.id),
        same_file=deposits.items_with_same_files(session, item),
    ), status


@bp.get("/items/<int:item_id>")
@editors_only
def review(item_id: int):
    """Show a submission (or any item) to an editor: description form, decisions, audit log."""
    return _review_page(_item(item_id))


@bp.post("/items/<int:item_id>/edit")
@editors_only
def edit(item_id: int):
    """Save an editor's changes to the description; search follows through the change log."""
    item = _item(item_id)
    session = db_session()
    form = item_form(session, item)
    editor = current_user._get_current_object()
    if form.validate_on_submit() and save_item_form(form, item, editor) is not None:
        session.commit()
        flash("The description has been saved.", "success")
        return redirect(url_for("moderation.review", item_id=item.id))
    return _review_page(item, form=form, status=400)


def _decide(item: Item, decide, done: str, *, form=None, field=None, form_name: str = ""):
    session = db_session()
    try:
        decide(session)
    except InvalidItem as error:
        session.rollback()
        if form is not None and field is not None:
            field.errors = [*field.errors, str(error)]
            return _review_page(item, status=400, **{form_name: form})
        flash(f"{error}.", "error")
        return _review_page(item, status=400)
    session.commit()
    flash(done, "success")
    return redirect(url_for("moderation.review", item_id=item.id))


@bp.post("/items/<int:item_id>/publish")
@editors_only
def publish(item_id: int):
    """Publish a submission: it becomes searchable at once."""
    item = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    editor = current_user._get_current_object()
    return _decide(item, lambda s: moderation.publish(s, item, editor),
                   "The item has been published and can now be found.")


@bp.post("/items/<int:item_id>/return")
@editors_only
def send_back(item_id: int):
    """Return a submission to its depositor with a message."""
    item = _item(item_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _review_page(item, return_form=form, status=400)
    editor = current_user._get_current_object()
    return _decide(item, lambda s: moderation.return_to_depositor(s, item, editor, form.message.data),
                   "The item has been returned to its depositor with your message.",
                   form=form, field=form.message, form_name="return_form")


@bp.post("/items/<int:item_id>/withdraw")
@editors_only
def withdraw(item_id: int):
    """Withdraw a published item; its address shows a tombstone."""
    item = _item(item_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _review_page(item, withdraw_form=form, status=400)
    editor = current_user._get_current_object()
    return _decide(item, lambda s: moderation.withdraw(s, item, editor, form.reason.data),
                   "The item has been withdrawn and removed from search.", form=form, field=form.reason,
                   form_name="withdraw_form")


def admins_only(view):
    """Let administrators in; others get 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, description="Only administrators can see this page.")
        return view(*args, **kwargs)

    return wrapped


@bp.get("/people")
@admins_only
def people():
    """List accounts, unconfirmed organisation claims first, with their role and organisation."""
    users = accounts.people(db_session())
    forms = {}
    for user in users:
        form = PersonForm(formdata=None, prefix=f"u{user.id}")
        form.role.data = user.role
        form.organisation.data = user.organisation.name if user.organisation else user.organisation_claim
        forms[user.id] = form
    return render_template("moderation/people.html", users=users, forms=forms)


@bp.post("/people/<int:user_id>")
@admins_only
def person(user_id: int):
    """Change one account's role and confirmed organisation; re-index what that changes."""
    session = db_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = PersonForm(prefix=f"u{user.id}")
    if not form.validate_on_submit():
        flash("; ".join(error for errors in form.errors.values() for error in errors) + ".", "error")
        return redirect(url_for("moderation.people"))
    wanted = (form.organisation.data or "").strip()
    current = user.organisation.name if user.organisation else ""
    if wanted and wanted.lower() != current.lower() and user.email_confirmed_at is None:
        # Membership opens restricted items: only for someone who has shown they own the address.
        flash(f"{user.email} has not confirmed their email address, so their organisation cannot be confirmed yet.",
              "error")
        return redirect(url_for("moderation.people"))
    accounts.set_role(session, user, form.role.data)
    accounts.set_organisation(session, user, form.organisation.data or None)
    session.commit()
    organisation = user.organisation.name if user.organisation else "no organisation"
    flash(f"{user.email} is now {user.role_label.lower()}, {organisation}.", "success")
    return redirect(url_for("moderation.people"))
