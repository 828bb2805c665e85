"""Sign-in sessions, CSRF protection and security headers."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFError, CSRFProtect

from .context import db_session

csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "accounts.sign_in"
login_manager.login_message = "Sign in to see this page"
login_manager.login_message_category = "info"
# "basic" marks a session whose browser fingerprint changed as not fresh; "strong" would
# sign out anyone whose address changes, which on mobile networks is everyone.
login_manager.session_protection = "basic"

# No inline script or style anywhere; nothing from another site; no framing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@login_manager.user_loader
def _load_user(session_id: str):
    from .services.accounts import load_user

    return load_user(db_session(), session_id)


PROXY_WARNING = ("Requests arrive with an X-Forwarded-For header but PROXY_COUNT is 0: every visitor behind "
                 "the proxy has the proxy's address, so sign-in limits per address count them all as one "
                 "(SIGNIN_MAX_FAILURES_ADDRESS wrong passwords by anyone pause sign-in for everyone). "
                 "Set PROXY_COUNT to the number of proxies in front of the site.")


def _warn_of_an_unconfigured_proxy() -> None:
    """Log PROXY_WARNING once per process, on the first request that shows a proxy."""
    extension = current_app.extensions.setdefault("proxy_warning", {"given": False})
    if not extension["given"] and request.headers.get("X-Forwarded-For"):
        extension["given"] = True
        current_app.logger.warning(PROXY_WARNING)


def _add_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    # Pages that depend on who is signed in must not be kept by shared caches.
    if request.endpoint and request.blueprint in ("accounts", "deposit", "moderation", "alerts", "copies", "reports"):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _csrf_failed(error: CSRFError):
    return render_template("accounts/csrf_error.html", reason=error.description), 400


def init_security(app: Flask) -> None:
    """Attach sign-in sessions, CSRF protection and security headers."""
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Sign-in throttling counts per client address, which a proxy would otherwise hide.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    else:
        app.before_request(_warn_of_an_unconfigured_proxy)
    login_manager.init_app(app)
    csrf.init_app(app)
    app.after_request(_add_headers)
    app.register_error_handler(CSRFError, _csrf_failed)
