"""Editors' pages: the review queue, one submission with its audit log, and the decisions."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from ..context import db_session, resources
from ..forms.deposit import ACCESS_HINTS
from ..forms.moderation import ActionForm, OrganisationForm, PersonForm, RejectVersionForm, ReturnForm, WithdrawForm
from ..models import CASE_STUDY_SECTIONS, Item, User
from ..notify import deliver
from ..services import accounts, audit, curation, deposits, moderation, notices
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


def _opening(stored, characters: int = 1500) -> str:
    """Return the first words of a stored file's text, for comparing two versions side by side."""
    text = "\n\n".join(page.text for page in stored.pages[:3]) if stored is not None else ""
    return text[:characters].rstrip() + ("…" if len(text) > characters else "")


def _review_page(item: Item, *, form=None, return_form=None, withdraw_form=None, reject_form=None,
                 status: int = 200):
    session = db_session()
    form = form or item_form(session, item, formdata=False)
    return render_template(
        "moderation/item.html", item=item, form=form, status=status,
        return_form=return_form or ReturnForm(formdata=None),
        withdraw_form=withdraw_form or WithdrawForm(formdata=None),
        reject_form=reject_form or RejectVersionForm(formdata=None),
        pending=item.pending_file, openings={"current": _opening(item.current_file),
                                             "pending": _opening(item.pending_file)},
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
    readers_before = notices.granted_reader_ids(item)
    if form.validate_on_submit() and save_item_form(form, item, editor) is not None:
        told = notices.readers_given_access(item, notices.granted_reader_ids(item) - readers_before)
        session.commit()
        deliver(told)
        flash("The description has been saved.", "success")
        return redirect(url_for("moderation.review", item_id=item.id))
    return _review_page(item, form=form, status=400)


def _decide(item: Item, decide, done: str, *, tell=None, form=None, field=None, form_name: str = ""):
    """Run `decide`, commit, then mail the notices `tell(session)` returns for the decided item."""
    session = db_session()
    try:
        decide(session)
        told = tell(session) if tell is not None else []
    except InvalidItem as error:
        session.rollback()
        if form is not None and field is not None:
            field.errors = [*field.errors, str(error)]
            return _review_page(item, status=400, **{form_name: form})
        flash(f"{error}.", "error")
        return _review_page(item, status=400)
    session.commit()
    deliver(told)
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
                   "The item has been published and can now be found.",
                   tell=lambda s: notices.published(item) + notices.readers_given_access(item))


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
                   tell=lambda s: notices.returned(item, form.message.data),
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
                   "The item has been withdrawn and removed from search.",
                   tell=lambda s: notices.withdrawn(item, form.reason.data), form=form, field=form.reason,
                   form_name="withdraw_form")


@bp.post("/items/<int:item_id>/version/accept")
@editors_only
def accept_version(item_id: int):
    """Make the new version of a published item's file the published one."""
    item = _item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    editor = current_user._get_current_object()
    return _decide(item, lambda s: moderation.accept_version(s, item, editor),
                   "The new version is now the published file; search will find its text within a second.",
                   tell=lambda s: notices.version_accepted(item))


@bp.post("/items/<int:item_id>/version/reject")
@editors_only
def reject_version(item_id: int):
    """Refuse the new version of a published item's file; the published one stays."""
    item = _item(item_id)
    form = RejectVersionForm()
    if not form.validate_on_submit():
        return _review_page(item, reject_form=form, status=400)
    editor = current_user._get_current_object()
    return _decide(item, lambda s: moderation.reject_version(s, item, editor, form.version_message.data),
                   "The new version was not accepted; the depositor has been told why.",
                   tell=lambda s: notices.version_rejected(item, form.version_message.data),
                   form=form, field=form.version_message, form_name="reject_form")


@bp.get("/items/<int:item_id>/version/waiting.<suffix>")
@editors_only
def waiting_file(item_id: int, suffix: str):
    """Send an editor the version waiting for review, to read before deciding."""
    item = _item(item_id)
    stored = item.pending_file
    if stored is None or suffix != stored.format:
        abort(404)
    path = resources().files.path_for(stored.sha256, stored.format)
    if not path.is_file():
        abort(404)
    return send_file(path, as_attachment=True, download_name=f"item-{item.id}-v{stored.version}.{stored.format}",
                     max_age=0)


def _person_form(user: User, *, formdata=None):
    """Return the form an administrator (role and organisation) or an editor (organisation) gets for `user`."""
    form_class = PersonForm if current_user.is_admin else OrganisationForm
    if formdata is None:
        form = form_class(formdata=None, prefix=f"u{user.id}")
        if current_user.is_admin:
            form.role.data = user.role
        form.organisation.data = user.organisation.name if user.organisation else user.organisation_claim
        return form
    return form_class(prefix=f"u{user.id}")


@bp.get("/people")
@editors_only
def people():
    """List accounts, unconfirmed organisation claims first; editors confirm organisations, admins also set roles."""
    users = accounts.people(db_session())
    return render_template("moderation/people.html", users=users,
                           forms={user.id: _person_form(user) for user in users})


@bp.post("/people/<int:user_id>")
@editors_only
def person(user_id: int):
    """Change one account's confirmed organisation (and, for an administrator, its role); re-index what that changes."""
    session = db_session()
    user = session.get(User, user_id)
    if user is None:
        abort(404)
    form = _person_form(user, formdata=True)
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
    actor = current_user._get_current_object()
    if current_user.is_admin and form.role.data != user.role:
        before = user.role
        accounts.set_role(session, user, form.role.data)
        curation.record(session, "person", user.id, user.email, actor, "role", changes={"role": [before, user.role]})
    if wanted.lower() != current.lower():
        accounts.set_organisation(session, user, wanted or None)
        after = user.organisation.name if user.organisation else ""
        curation.record(session, "person", user.id, user.email, actor, "organisation",
                        changes={"organisation": [current or None, after or None]})
    session.commit()
    organisation = user.organisation.name if user.organisation else "no organisation"
    flash(f"{user.email} is now {user.role_label.lower()}, {organisation}.", "success")
    return redirect(url_for("moderation.people"))
