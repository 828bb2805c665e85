"""Deposit pages: upload a file, correct the suggested description, submit; my deposits."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, TypeVar

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.exceptions import RequestEntityTooLarge

from indexer.extraction import Extraction

from ..context import db_session, resources
from ..forms.deposit import ACCESS_HINTS, UploadForm
from ..forms.moderation import ActionForm
from ..models import CASE_STUDY_SECTIONS, Item, Upload
from ..notify import deliver
from ..services import deposits, notices, uploads
from ..services.access import can_add_version, can_edit, is_depositor
from ..services.deposits import Busy, NotAllowed, UploadRejected
from ..services.items import InvalidItem, find_item
from ..services.moderation import return_message
from ..services.readability import readability
from .describing import item_form, save_item_form

T = TypeVar("T")

bp = Blueprint("deposit", __name__, url_prefix="/deposit")

def _max_bytes() -> int:
    return resources().limits.max_bytes


def _upload_folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _depositor():
    """Return the signed-in user if they may deposit; otherwise stop with 403."""
    user = current_user._get_current_object()
    if not user.can_deposit:
        abort(403, description="Your account can find and read items but not deposit them. "
                               "Ask an editor to make you a depositor.")
    return user


def _own_item(item_id: int) -> Item:
    """Return an item the signed-in person deposited (editors: any); 404 otherwise."""
    item = find_item(db_session(), item_id)
    user = current_user._get_current_object()
    if item is None or not (is_depositor(user, item) or user.is_editor):
        abort(404)
    return item


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    form = UploadForm(formdata=None)
    form.file.errors = [f"The selected file is too large. It must be smaller than {_max_bytes() // 2**20} MB"]
    return render_template("deposit/upload.html", form=form, item=None), 413


def _uploaded_name(form: UploadForm) -> str:
    """Return the last part of the file's name, with a browser's Windows path cut off too."""
    return (form.file.data.filename or "upload").replace("\\", "/").rsplit("/", 1)[-1][:300]


def _busy(form: UploadForm, item: Item | None = None):
    """Answer "busy, try again in a minute": 503 with Retry-After, the form ready to send again."""
    form.file.errors = [deposits.BUSY_MESSAGE]
    response = current_app.make_response((render_template("deposit/upload.html", form=form, item=item), 503))
    response.headers["Retry-After"] = "60"
    return response


def _take_upload(form: UploadForm, name: str):
    """Receive, check and extract the uploaded file; return (extraction, temp path) or raise UploadRejected."""
    limits = resources().limits
    source = deposits.receive_upload(form.file.data.stream, limits, file_name=name, folder=_upload_folder())
    path = Path(source.path)
    try:
        extraction = deposits.read_upload(source, limits, in_request=True)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return extraction, path


@bp.get("/")
@login_required
def mine():
    """List the signed-in person's deposits with their status."""
    user = _depositor()
    session = db_session()
    items = deposits.deposits_of(session, user)
    messages = {item.id: return_message(session, item) for item in items}
    return render_template("deposit/mine.html", items=items, messages=messages)


def _receive(form: UploadForm, keep: Callable[[Extraction, str], T]) -> T | None:
    """Run `keep(extraction, file_name)` on the upload and commit; None, with the form's error set, if refused.

    Whatever happens, the temporary upload is removed, and a file stored for an attempt
    that failed is discarded: nothing half-made is left behind.
    """
    session = db_session()
    files = resources().files
    name = _uploaded_name(form)
    extraction, path = None, None
    try:
        extraction, path = _take_upload(form, name)
        kept = keep(extraction, name)
        session.commit()
        return kept
    except UploadRejected as error:
        session.rollback()
        form.file.errors = [str(error)]
    except BaseException:  # Busy among them: nothing was stored yet
        session.rollback()
        if extraction is not None:
            deposits.discard_unreferenced_file(session, files, extraction.sha256)
        raise
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
    return None


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Upload a document; it is read in the background, and a good one becomes a draft prefilled from it."""
    user = _depositor()
    form = UploadForm()
    if form.validate_on_submit():
        session = db_session()
        if uploads.waiting_uploads(session, resources().limits) >= int(current_app.config["UPLOADS_WAITING_MAX"]):
            return _busy(form)
        name = _uploaded_name(form)
        try:
            source = deposits.receive_upload(form.file.data.stream, resources().limits, file_name=name,
                                             folder=_upload_folder())
        except UploadRejected as error:
            form.file.errors = [str(error)]
        else:
            received = Path(source.path)
            try:
                upload = uploads.queue_upload(session, user, received, resources().files, file_name=name)
                session.commit()
            finally:
                received.unlink(missing_ok=True)  # already moved into the spool unless something failed
            try:
                resources().jobs.defer("read_upload", upload_id=upload.id)
            except Exception:
                current_app.logger.exception("could not queue upload %s for reading", upload.id)
                uploads.finish(upload, "failed", uploads.BROKEN)
                session.commit()
                uploads.discard_spooled(resources().files, upload)
            return redirect(url_for("deposit.reading", upload_id=upload.id))
    return render_template("deposit/upload.html", form=form, item=None), 400 if form.errors else 200


def _own_upload(upload_id: int) -> Upload:
    """Return the signed-in person's upload, settled as failed if its job was lost; 404 otherwise."""
    session = db_session()
    upload = session.get(Upload, upload_id)
    if upload is None or upload.user_id != current_user.id:
        abort(404)
    if uploads.is_stale(upload, resources().limits):  # its job was lost (a restart of the embedded server)
        uploads.finish(upload, "failed", uploads.INTERRUPTED)
        session.commit()
        uploads.discard_spooled(resources().files, upload)
    return upload


@bp.get("/uploads/<int:upload_id>.json")
@login_required
def upload_state(upload_id: int):
    """Say whether the upload is still being read (the reading page asks, with JavaScript)."""
    return {"state": _own_upload(upload_id).state}


@bp.get("/uploads/<int:upload_id>")
@login_required
def reading(upload_id: int):
    """Follow an upload being read: a page that says so, then the draft (or why it was refused)."""
    upload = _own_upload(upload_id)
    if upload.state == "done" and upload.item_id is not None:
        item = find_item(db_session(), upload.item_id)
        flash("We have filled in the title, authors, abstract and themes from your file. "
              "Check them, correct anything that is wrong and complete the rest"
              + ("; we have marked the ones we are least sure of." if item and item.unsure_fields else "."),
              "success")
        return redirect(url_for("deposit.edit", item_id=upload.item_id))
    if upload.state == "reading":
        return render_template("deposit/reading.html", upload=upload)
    form = UploadForm(formdata=None)
    form.file.errors = [upload.message or uploads.BROKEN]
    return render_template("deposit/upload.html", form=form, item=None), 422


@bp.route("/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit(item_id: int):
    """Correct and complete a draft's description; save it or submit it for review."""
    user = current_user._get_current_object()
    item = _own_item(item_id)
    if not can_edit(user, item):
        flash("This item is with the editors or published, so its description cannot be changed here.", "info")
        return redirect(url_for("deposit.mine"))
    session = db_session()
    form = item_form(session, item, formdata=request.method == "POST")
    status = 200
    if request.method == "POST":
        if form.validate_on_submit() and save_item_form(form, item, user) is not None:
            if form.submit_for_review.data:
                try:
                    deposits.submit_deposit(session, item, user)
                except InvalidItem as error:
                    session.commit()  # the edits are kept as a draft
                    flash(f"Your changes are saved, but the item cannot be submitted yet: {error}.", "error")
                    return redirect(url_for("deposit.edit", item_id=item.id))
                told = notices.submitted(session, item)
                session.commit()
                deliver(told)
                flash("Your deposit has been submitted. An editor will review it.", "success")
                return redirect(url_for("deposit.mine"))
            session.commit()
            flash("Your draft has been saved.", "success")
            return redirect(url_for("deposit.edit", item_id=item.id))
        status = 400
    return render_template("deposit/edit.html", form=form, item=item, status=status,
                           reading=readability(item.summary) if item.summary else None,
                           returned=return_message(session, item), access_hints=ACCESS_HINTS,
                           case_study_fields=list(CASE_STUDY_SECTIONS),
                           action=url_for("deposit.edit", item_id=item.id)), status


@bp.route("/<int:item_id>/delete", methods=["GET", "POST"])
@login_required
def delete(item_id: int):
    """Ask whether to delete a draft that was never published, and delete it once the person confirms."""
    user = current_user._get_current_object()
    item = _own_item(item_id)
    if item.status != "draft" or item.published_at is not None or not can_edit(user, item):
        flash("Only a draft that was never published can be deleted.", "error")
        return redirect(url_for("deposit.mine"))
    form = ActionForm()
    if request.method == "GET" or request.form.get("confirm") != "yes":
        # A POST that did not come from the question (an old form, a stray request) asks it first.
        return render_template("deposit/delete.html", item=item, form=form), 200 if request.method == "GET" else 400
    if not form.validate_on_submit():
        abort(400)
    session = db_session()
    try:
        hashes = deposits.delete_draft(session, item, user)
    except NotAllowed as error:
        flash(str(error), "error")
        return redirect(url_for("deposit.mine"))
    session.commit()
    for sha in hashes:
        deposits.discard_unreferenced_file(session, resources().files, sha)
    flash("The draft has been deleted.", "success")
    return redirect(url_for("deposit.mine"))


@bp.post("/<int:item_id>/take-back")
@login_required
def take_back(item_id: int):
    """Take a submission back from the review queue before an editor has decided: it is a draft again."""
    user = current_user._get_current_object()
    item = _own_item(item_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    session = db_session()
    try:
        deposits.take_back(session, item, user)
    except NotAllowed as error:
        flash(f"{error}.", "error")
        return redirect(url_for("deposit.mine"))
    session.commit()
    flash("Your submission is a draft again. Change it and submit it when it is ready.", "success")
    return redirect(url_for("deposit.edit", item_id=item.id))


@bp.route("/<int:item_id>/version", methods=["GET", "POST"])
@login_required
def new_version(item_id: int):
    """Upload a new version of an item's file; earlier versions are kept."""
    user = current_user._get_current_object()
    item = _own_item(item_id)
    if not can_add_version(user, item):
        abort(403, description="A new version can be uploaded to a draft or a published item.")
    form = UploadForm()
    if form.validate_on_submit():
        try:
            stored = _receive(form, lambda extraction, name: deposits.add_version(
                db_session(), item, extraction, resources().files, user, file_name=name))
        except Busy:
            return _busy(form, item)
        if stored is not None:
            if stored.review == "pending":
                deliver(notices.submitted(db_session(), item, new_version=True))
                flash(f"Version {stored.version} of the file is with the editors. The published version stays "
                      "until an editor accepts the new one.", "success")
            else:
                flash(f"Version {stored.version} of the file has been added; earlier versions are kept.", "success")
            return redirect(url_for("deposit.mine"))
    return render_template("deposit/upload.html", form=form, item=item), 400 if form.errors else 200
