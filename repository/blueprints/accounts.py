"""Account pages: register, sign in and out, change and reset the password."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..context import db_session, resources
from ..forms.accounts import ChangePasswordForm, RegisterForm, ResetForm, ResetRequestForm, SignInForm
from ..mail import send_mail_or_log
from ..models.base import utcnow
from ..notify import deliver
from ..services import accounts, notices
from ..services.accounts import AccountError, AlreadyRegistered, ThrottlePolicy
from .common import show_error

bp = Blueprint("accounts", __name__, url_prefix="/account")
log = logging.getLogger("repository.accounts")


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(pair_failures=int(config["SIGNIN_MAX_FAILURES_PAIR"]),
                          account_failures=int(config["SIGNIN_MAX_FAILURES_ACCOUNT"]),
                          address_failures=int(config["SIGNIN_MAX_FAILURES_ADDRESS"]),
                          window=timedelta(minutes=float(config["SIGNIN_WINDOW_MINUTES"])))


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the account page (no open redirect)."""
    # Control characters (CR and LF above all) would split the Location header: ignore such a target.
    if target and not any(ord(char) < 32 or ord(char) == 127 for char in target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("accounts.overview")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account; it can sign in once the link mailed to its address has been followed.

    The answer is the same page whether or not the address already has an account (its
    owner is told by mail instead), so registering never tells anyone who is registered.
    """
    if current_user.is_authenticated:
        return redirect(url_for("accounts.overview"))
    form = RegisterForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            user = accounts.register_user(session, form.email.data, form.name.data, form.password.data,
                                          organisation=form.organisation.data or "",
                                          wants_to_deposit=form.wants_to_deposit.data)
            session.commit()
        except AlreadyRegistered as taken:
            session.rollback()
            _send_already_registered(taken.user)
            return render_template("accounts/registered.html", email=accounts.normalise_email(form.email.data))
        except AccountError as error:
            session.rollback()
            show_error(form, error, default="email")
        else:
            _send_confirmation(user)
            return render_template("accounts/registered.html", email=accounts.normalise_email(form.email.data))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


def _send_already_registered(user) -> None:
    """Tell the owner of an address that someone tried to register it again (failures are logged)."""
    send_mail_or_log(current_app.config, user.email, "You already have an account",
                     f"Hello {user.name},\n\nSomeone, perhaps you, tried to create an account with this email "
                     "address, which already has one. Sign in with it, or ask for a link to set a new password:"
                     f"\n\n{url_for('accounts.request_reset', _external=True)}\n\n"
                     "If it was not you, you can ignore this message: nothing has changed.\n",
                     what="an already-registered message")


def _send_confirmation(user) -> None:
    """Mail the link that confirms the person owns their address (failures are logged)."""
    link = url_for("accounts.confirm", token=accounts.confirmation_token(user, current_app.config["SECRET_KEY"]),
                   _external=True)
    days = int(current_app.config["EMAIL_CONFIRM_DAYS"])
    send_mail_or_log(current_app.config, user.email, "Confirm your email address",
                     f"Hello {user.name},\n\nTo confirm that this is your email address, open this link within "
                     f"{days} days:\n\n{link}\n\nIf you did not create an account, you can ignore this message.\n",
                     what="an email-confirmation message")


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Confirm an email address with the link mailed at registration."""
    session = db_session()
    days = int(current_app.config["EMAIL_CONFIRM_DAYS"])
    since = utcnow()
    try:
        user = accounts.confirm_email(session, token, current_app.config["SECRET_KEY"], timedelta(days=days))
    except AccountError as error:
        return render_template("accounts/confirm_invalid.html", reason=str(error)), 404
    # Named as a reader before the account existed: now let in, and told so.
    told = notices.readers_granted_since(session, user, since)
    session.commit()
    deliver(told)
    flash(f"Thank you: {user.email} is confirmed.", "success")
    return redirect(url_for("accounts.overview") if current_user.is_authenticated else url_for("accounts.sign_in"))


@bp.post("/confirm")
@login_required
def resend_confirmation():
    """Send the confirmation link again."""
    user = current_user._get_current_object()
    if user.email_confirmed_at is None:
        _send_confirmation(user)
        flash(f"We have sent a new link to {user.email}.", "success")
    return redirect(url_for("accounts.overview"))


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with email and password; failures are throttled per account and per address."""
    form = SignInForm()
    status = 200
    throttled = None
    if form.validate_on_submit():
        session = db_session()
        # Counted and committed first (which ends the count's locks), then the password is checked.
        pending = accounts.begin_attempt(session, form.email.data, request.remote_addr or "unknown", _policy())
        session.commit()
        result = accounts.finish_attempt(session, pending, form.password.data)
        session.commit()
        if result.user is not None:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
        if result.unconfirmed is not None:
            _send_confirmation(result.unconfirmed)  # the same answer as a wrong password, and a new link
        if result.throttled:
            throttled, status = result.error, 429
        else:
            form.password.errors = [*form.password.errors, result.error]
            status = 400
    elif form.errors:
        status = 400
    return render_template("accounts/sign_in.html", form=form, throttled=throttled), status


@bp.post("/sign-out")
def sign_out():
    """Sign out (a POST with a CSRF token, so another site cannot sign people out).

    The account's session token changes, so a copy of this browser's session cookie stops
    working too: signing out ends the session on the server, not only in this browser.
    """
    if current_user.is_authenticated:
        session = db_session()
        accounts.end_sessions(session, session.merge(current_user._get_current_object()))
        session.commit()
    logout_user()
    flash("You have signed out.", "success")
    return redirect(url_for("accounts.sign_in"))


@bp.get("/")
@login_required
def overview():
    """Show the signed-in person's account."""
    return render_template("accounts/overview.html", user=current_user)


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change the password; other browsers signed in to the account are signed out."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        session = db_session()
        user = session.merge(current_user._get_current_object())
        try:
            accounts.change_password(session, user, form.current.data, form.password.data)
            session.commit()
        except AccountError as error:
            session.rollback()
            show_error(form, error, default="password")
        else:
            login_user(user)  # the session id carries the new token
            flash("Your password has been changed.", "success")
            return redirect(url_for("accounts.overview"))
    return render_template("accounts/change_password.html", form=form), 400 if form.errors else 200


@bp.route("/reset", methods=["GET", "POST"])
def request_reset():
    """Send a single-use link to set a new password (the answer never says if the address exists).

    The request itself does the same work for every address: it hands the address to a
    background job, which looks the account up and mails the link. So neither the page nor
    the time it takes tells whether an account has the address.
    """
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            resources().jobs.defer("send_reset_link", email=accounts.normalise_email(form.email.data),
                                   base_url=request.host_url)
        except Exception:
            log.exception("could not queue a password-reset message")
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


def send_reset_link(email: str) -> None:
    """Mail a reset link to the account with `email`, if there is an active one (run by a job)."""
    session = db_session()
    user = accounts.find_user_by_email(session, email)
    if user is None or not user.active or not accounts.reset_allowed(session, user):
        return
    minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
    token = accounts.issue_reset_token(session, user, timedelta(minutes=minutes))
    session.commit()
    link = url_for("accounts.reset", token=token, _external=True)
    # Same page either way (it must not reveal accounts); the operator sees the log.
    send_mail_or_log(current_app.config, user.email, "Reset your password",
                     f"Hello {user.name},\n\nTo set a new password, open this link within {minutes} minutes:"
                     f"\n\n{link}\n\nThe link works once. If you did not ask for it, you can ignore this "
                     "message.\n", what="a password-reset message")


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    """Set a new password with a reset link."""
    session = db_session()
    if accounts.find_reset_token(session, token) is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(session, token, form.password.data)
            session.commit()
        except AccountError as error:
            session.rollback()
            show_error(form, error, default="password")
        else:
            logout_user()
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.sign_in"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200
