"""Saved searches: save the current search for alerts, list and remove them, unsubscribe by link."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..context import db_session, resources
from ..forms.alerts import ConfirmForm, SaveSearchForm
from ..search_params import SearchParamError, parse_search_args
from ..security import csrf
from ..services import alerts
from ..services.feeds import describe
from .common import show_error
from .finder import bad_request_page

bp = Blueprint("alerts", __name__, url_prefix="/alerts")


def _max_age() -> timedelta:
    return timedelta(days=int(current_app.config["ALERT_LINK_DAYS"]))


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    """Save the search in the query string, with a name and daily or weekly emails."""
    try:
        params = parse_search_args(request.args, allow_per_page=False)
    except SearchParamError as error:
        return bad_request_page(str(error))
    session = db_session()
    description = describe(session, params)
    form = SaveSearchForm()
    if request.method == "GET" and not form.name.data:
        form.name.data = description.replace("‘", "").replace("’", "")[:200]
    user = current_user._get_current_object()
    if form.validate_on_submit():
        try:
            saved = alerts.save_search(session, resources().index, session.merge(user), params,
                                       name=form.name.data, frequency=form.frequency.data)
            session.commit()
        except alerts.AlertError as error:
            session.rollback()
            show_error(form, error, default="name")
        else:
            note = "" if user.email_confirmed_at else " Emails start once you have confirmed your email address."
            flash(f"Search saved. We will email you {saved.frequency_label.lower()} when new items match it.{note}",
                  "success")
            return redirect(url_for("accounts.overview"))
    query = alerts.canonical_query(params)
    return render_template("alerts/new.html", form=form, description=description, query=query,
                           search_url=url_for("main.search") + (f"?{query}" if query else "")), \
        400 if form.errors else 200


@bp.post("/<int:saved_id>/remove")
@login_required
def remove(saved_id: int):
    """Remove one of the signed-in person's saved searches."""
    session = db_session()
    saved = alerts.find_saved_search(session, saved_id)
    if saved is None or saved.user_id != current_user.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400, description="The form had expired. Try again.")
    name = saved.name
    alerts.remove_saved_search(session, saved)
    session.commit()
    flash(f"Saved search ‘{name}’ removed: you will get no more emails for it.", "success")
    return redirect(url_for("accounts.overview"))


def _from_token(token: str):
    session = db_session()
    try:
        return alerts.saved_search_for_token(session, current_app.config["SECRET_KEY"], token, _max_age()), None
    except alerts.AlertError as error:
        return None, str(error)


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """Stop the emails of one saved search from the link in one of them (no sign-in needed)."""
    saved, problem = _from_token(token)
    if saved is None:
        return render_template("alerts/link_invalid.html", reason=problem), 404
    form = ConfirmForm()
    if form.validate_on_submit():
        name = saved.name
        alerts.remove_saved_search(db_session(), saved)
        db_session().commit()
        return render_template("alerts/unsubscribed.html", name=name)
    return render_template("alerts/unsubscribe.html", saved=saved, form=form), 400 if form.errors else 200


@bp.post("/unsubscribe/<token>/one-click")
@csrf.exempt  # RFC 8058: the mail program posts here without a page; the signed token is the permission
def one_click_unsubscribe(token: str):
    """Remove a saved search when a mail program's one-click unsubscribe posts to the List-Unsubscribe address."""
    saved, problem = _from_token(token)
    if saved is None:
        return {"error": problem}, 404
    alerts.remove_saved_search(db_session(), saved)
    db_session().commit()
    return {"unsubscribed": True}


@bp.app_template_global()
def saved_searches_of_current_user() -> list:
    """Return the signed-in person's saved searches (for the account page)."""
    if not current_user.is_authenticated:
        return []
    return [(saved, url_for("main.search") + (f"?{saved.query}" if saved.query else ""))
            for saved in alerts.saved_searches_of(db_session(), current_user)]
