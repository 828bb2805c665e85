"""Request a copy: the request form on an item, the decision from the emailed link, and the single-use download."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for

from ..context import db_session, resources
from ..forms.copies import CopyRequestForm, DecisionForm
from ..mail import send_mail_or_log
from ..models import Item
from ..services import copies
from ..services.citations import download_name
from ..services.items import find_item
from .common import current_user_record
from .templating import SERVICE_NAME, format_date

bp = Blueprint("copies", __name__)


def _mail(to: str, subject: str, body: str) -> bool:
    """Send one message; a mail server that is down is logged, never shown as an error page."""
    return send_mail_or_log(current_app.config, to, subject, body, what="a copy-request message")


def _days(name: str) -> int:
    return int(current_app.config[name])


def _requestable(item_id: int) -> Item:
    """Return the item if this person may ask for its file; 404 otherwise, as for a missing item."""
    item = find_item(db_session(), item_id)
    if item is None or not copies.may_request(current_user_record(), item):
        abort(404)
    return item


@bp.route("/items/<int:item_id>/request-copy", methods=["GET", "POST"])
def request_copy(item_id: int):
    """Ask the depositor for a copy of a file this person may not download."""
    item = _requestable(item_id)
    user = current_user_record()
    form = CopyRequestForm()
    if request.method == "GET" and user is not None:
        form.name.data, form.email.data = user.name, user.email
    if form.validate_on_submit():
        session = db_session()
        try:
            copy = copies.request_copy(session, item, user, name=form.name.data, email=form.email.data,
                                       reason=form.reason.data, per_day=_days("COPY_REQUESTS_PER_DAY"))
        except copies.CopyError as error:
            session.rollback()
            form.email.errors = [*form.email.errors, str(error)]
        else:
            deciders = copies.deciders(session, item)
            session.commit()
            for decider in deciders:
                link = url_for("copies.decide", token=copies.decision_token(current_app.config["SECRET_KEY"], copy,
                                                                            decider), _external=True)
                _mail(decider.email, f"Request for a copy of ‘{item.title}’",
                      f"Hello {decider.name},\n\n{copy.name} <{copy.email}> asks for a copy of the file of "
                      f"‘{item.title}’ ({url_for('items.show', item_id=item.id, _external=True)}).\n\n"
                      f"Their reason:\n{copy.reason}\n\n"
                      f"To approve or refuse, open this link within {_days('COPY_DECISION_DAYS')} days:\n{link}\n\n"
                      f"If you approve, they get a link that downloads the file once within "
                      f"{_days('COPY_LINK_DAYS')} days.\n\n{SERVICE_NAME}\n")
            return render_template("copies/requested.html", item=item)
    return render_template("copies/request.html", item=item, form=form), 400 if form.errors else 200


@bp.route("/copies/decide/<token>", methods=["GET", "POST"])
def decide(token: str):
    """Show a request to the person it was mailed to, and take their decision."""
    session = db_session()
    try:
        copy, decider = copies.request_for_decision(session, current_app.config["SECRET_KEY"], token,
                                                    timedelta(days=_days("COPY_DECISION_DAYS")))
    except copies.CopyError as error:
        return render_template("copies/link_invalid.html", reason=str(error)), 404
    form = DecisionForm()
    problem = None
    if form.validate_on_submit():
        decision = request.form.get("decision")
        if decision not in ("approve", "refuse"):
            abort(400, description="Choose approve or refuse.")
        try:
            copies.decide(session, copy, decider, approve=decision == "approve", link_days=_days("COPY_LINK_DAYS"))
        except copies.CopyError as error:
            session.rollback()
            problem = str(error)
        else:
            session.commit()
            _tell_requester(copy)
            return render_template("copies/decided.html", copy=copy)
    status = 400 if (form.errors or problem) else 200
    return render_template("copies/decide.html", copy=copy, form=form, problem=problem), status


def _tell_requester(copy) -> None:
    item = copy.item
    if copy.status == "approved":
        link = url_for("copies.download", token=copies.download_token(current_app.config["SECRET_KEY"], copy),
                       _external=True)
        body = (f"Hello {copy.name},\n\nYour request for a copy of ‘{item.title}’ has been approved.\n\n"
                f"Download the file with this link. It works once, until {format_date(copy.link_expires_at)}:\n"
                f"{link}\n\n{SERVICE_NAME}\n")
        _mail(copy.email, f"Your copy of ‘{item.title}’", body)
    else:
        _mail(copy.email, f"Your request for a copy of ‘{item.title}’",
              f"Hello {copy.name},\n\nYour request for a copy of ‘{item.title}’ was not approved.\n\n{SERVICE_NAME}\n")


@bp.get("/copies/<token>")
def download(token: str):
    """Send the approved file, once, while the link lasts."""
    session = db_session()
    try:
        copy = copies.claim_download(session, current_app.config["SECRET_KEY"], token,
                                     timedelta(days=_days("COPY_LINK_DAYS")))
    except copies.CopyError as error:
        session.rollback()
        return render_template("copies/link_invalid.html", reason=str(error)), 404
    path = resources().files.path_for(copy.file.sha256)
    if not path.is_file():
        session.rollback()
        return render_template("copies/link_invalid.html",
                               reason="The file is missing; ask the repository's editors"), 404
    session.commit()
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=download_name(copy.item, "pdf"), max_age=0)


@bp.app_template_global()
def copy_request_url(item: Item) -> str | None:
    """Return the request-a-copy address of an item for the person looking, when they may ask."""
    if copies.may_request(current_user_record(), item):
        return url_for("copies.request_copy", item_id=item.id)
    return None
