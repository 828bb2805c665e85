"""Account pages: register, sign in and out, change and reset the password."""

from __future__ import annotations

import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..context import db_session
from ..forms.accounts import ChangePasswordForm, RegisterForm, ResetForm, ResetRequestForm, SignInForm
from ..mail import send_mail
from ..services import accounts
from ..services.accounts import AccountError, ThrottlePolicy
from .common import show_error

bp = Blueprint("accounts", __name__, url_prefix="/account")
log = logging.getLogger("repository.accounts")


def _policy() -> ThrottlePolicy:
    config = current_app.config
    return ThrottlePolicy(account_failures=int(config["SIGNIN_MAX_FAILURES_ACCOUNT"]),
                          address_failures=int(config["SIGNIN_MAX_FAILURES_ADDRESS"]),
                          window=timedelta(minutes=float(config["SIGNIN_WINDOW_MINUTES"])))


def _safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the account page (no open redirect)."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//") \
                and "\\" not in target:
            return target
    return url_for("accounts.overview")


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account and sign in."""
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
        except AccountError as error:
            session.rollback()
            show_error(form, error, default="email")
        else:
            login_user(user)
            _send_confirmation(user)
            flash(f"Your account has been created and you are signed in. We have sent a link to {user.email}: "
                  "follow it to confirm your email address.", "success")
            return redirect(url_for("accounts.overview"))
    return render_template("accounts/register.html", form=form), 400 if form.errors else 200


def _send_confirmation(user) -> None:
    """Mail the link that confirms the person owns their address (failures are logged)."""
    link = url_for("accounts.confirm", token=accounts.confirmation_token(user, current_app.config["SECRET_KEY"]),
                   _external=True)
    days = int(current_app.config["EMAIL_CONFIRM_DAYS"])
    try:
        send_mail(current_app.config, user.email, "Confirm your email address",
                  f"Hello {user.name},\n\nTo confirm that this is your email address, open this link within "
                  f"{days} days:\n\n{link}\n\nIf you did not create an account, you can ignore this message.\n")
    except (OSError, smtplib.SMTPException):
        log.exception("could not send an email-confirmation message")


@bp.get("/confirm/<token>")
def confirm(token: str):
    """Confirm an email address with the link mailed at registration."""
    session = db_session()
    days = int(current_app.config["EMAIL_CONFIRM_DAYS"])
    try:
        user = accounts.confirm_email(session, token, current_app.config["SECRET_KEY"], timedelta(days=days))
    except AccountError as error:
        return render_template("accounts/confirm_invalid.html", reason=str(error)), 404
    session.commit()
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
        result = accounts.authenticate(session, form.email.data, form.password.data,
                                       request.remote_addr or "unknown", _policy())
        session.commit()
        if result.user is not None:
            login_user(result.user)
            return redirect(_safe_next(request.args.get("next")))
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
    """Sign out (a POST with a CSRF token, so another site cannot sign people out)."""
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
    """Send a single-use link to set a new password (the answer never says if the address exists)."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        session = db_session()
        user = accounts.find_user_by_email(session, form.email.data)
        # The page says the same whatever happens, so it never tells who has an account.
        if user is not None and user.active and accounts.reset_allowed(session, user):
            minutes = int(current_app.config["PASSWORD_RESET_MINUTES"])
            token = accounts.issue_reset_token(session, user, timedelta(minutes=minutes))
            session.commit()
            link = url_for("accounts.reset", token=token, _external=True)
            try:
                send_mail(current_app.config, user.email, "Reset your password",
                          f"Hello {user.name},\n\nTo set a new password, open this link within {minutes} minutes:"
                          f"\n\n{link}\n\nThe link works once. If you did not ask for it, you can ignore this "
                          "message.\n")
            except (OSError, smtplib.SMTPException):
                # Same page either way (it must not reveal accounts); the operator sees the log.
                log.exception("could not send a password-reset message")
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/reset_request.html", form=form), 400 if form.errors else 200


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
