"""Security of the web app: CSRF, headers, cookies, throttled sign-in, sessions, redirects."""

from __future__ import annotations

import re

import pytest

from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources

from .people import PASSWORD, csrf_token, make_user, sign_in


@pytest.fixture
def csrf_app(tmp_path):
    """An app with CSRF protection on, as in production."""
    application = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": True},
                             instance_path=tmp_path / "instance")
    with application.app_context():
        prepare_database()
        make_user(resources(), "ann@example.org", "depositor")
    yield application
    application.extensions["repository"].engine.dispose()


def test_forms_without_a_csrf_token_are_rejected(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/account/sign-in", data={"email": "ann@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "The form could not be sent" in response.get_data(as_text=True)
    assert "session" not in response.headers.get("Set-Cookie", "") or client.get("/account/").status_code == 302


def test_forms_with_a_wrong_csrf_token_are_rejected(csrf_app):
    client = csrf_app.test_client()
    client.get("/account/sign-in")
    response = client.post("/account/sign-in", data={"email": "ann@example.org", "password": PASSWORD,
                                                     "csrf_token": "forged"})
    assert response.status_code == 400
    assert client.get("/account/").status_code == 302  # still signed out


def test_forms_with_the_token_work_and_every_post_needs_one(csrf_app):
    client = csrf_app.test_client()
    token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
    response = client.post("/account/sign-in", data={"email": "ann@example.org", "password": PASSWORD,
                                                     "csrf_token": token})
    assert response.status_code == 302
    # Signed in, a cross-site form still cannot act: sign-out and deposit need the token.
    assert client.post("/account/sign-out").status_code == 400
    assert client.post("/deposit/new", data={}).status_code == 400
    assert client.get("/account/").status_code == 200
    page = client.get("/account/").get_data(as_text=True)
    assert client.post("/account/sign-out", data={"csrf_token": csrf_token(page)}).status_code == 302
    assert client.get("/account/").status_code == 302


def test_security_headers_are_on_every_page(client):
    for url in ("/", "/account/sign-in", "/no-such-page"):
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_account_pages_have_no_inline_script_or_style(client, res):
    make_user(res, "ann@example.org", "editor")
    anonymous = ["/account/register", "/account/sign-in", "/account/reset"]
    signed_in = ["/account/", "/account/password", "/deposit/", "/deposit/new", "/moderation/"]
    for url in anonymous + signed_in:
        if url == signed_in[0]:
            sign_in(client, "ann@example.org")
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert " style=" not in html and "onclick" not in html, url
        assert response.headers["Cache-Control"] == "no-store", url


def test_session_cookie_is_httponly_samesite_and_secure_outside_development(tmp_path):
    app = create_app({"SECRET_KEY": "t"}, instance_path=tmp_path / "production")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    with app.app_context():
        prepare_database()
        make_user(resources(), "ann@example.org")
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post("/account/sign-in", data={"email": "ann@example.org", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    app.extensions["repository"].engine.dispose()


def test_sign_in_is_throttled_with_a_clear_message(app, client, res):
    app.config.update(SIGNIN_MAX_FAILURES_ACCOUNT=3, SIGNIN_WINDOW_MINUTES=15)
    make_user(res, "ann@example.org")
    for _ in range(3):
        wrong = sign_in(client, "ann@example.org", "not the password")
        assert wrong.status_code == 400
        assert "Enter a correct email address and password" in wrong.get_data(as_text=True)
    paused = sign_in(client, "ann@example.org")  # even the right password waits
    assert paused.status_code == 429
    page = paused.get_data(as_text=True)
    assert "too many failed attempts to sign in to this account" in page and "Wait 15 minutes" in page
    assert client.get("/account/").status_code == 302


def test_sign_in_is_throttled_per_address(app, res):
    app.config.update(SIGNIN_MAX_FAILURES_ADDRESS=4, SIGNIN_MAX_FAILURES_ACCOUNT=100)
    make_user(res, "ann@example.org")
    attacker = app.test_client()
    for n in range(4):
        attacker.post("/account/sign-in", data={"email": f"guess{n}@example.org", "password": "x"},
                      environ_base={"REMOTE_ADDR": "198.51.100.9"})
    blocked = attacker.post("/account/sign-in", data={"email": "ann@example.org", "password": PASSWORD},
                            environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert blocked.status_code == 429 and "from your network" in blocked.get_data(as_text=True)
    elsewhere = app.test_client().post("/account/sign-in", data={"email": "ann@example.org", "password": PASSWORD},
                                       environ_base={"REMOTE_ADDR": "203.0.113.5"})
    assert elsewhere.status_code == 302


def test_changing_the_password_signs_out_other_browsers(app, res):
    make_user(res, "ann@example.org")
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop, "ann@example.org")
    sign_in(phone, "ann@example.org")
    response = laptop.post("/account/password", data={"current": PASSWORD, "password": "a new long password",
                                                      "confirm": "a new long password"})
    assert response.status_code == 302
    assert laptop.get("/account/").status_code == 200
    assert phone.get("/account/").status_code == 302


def test_change_password_needs_the_current_one(client, res):
    make_user(res, "ann@example.org")
    sign_in(client, "ann@example.org")
    response = client.post("/account/password", data={"current": "wrong wrong", "password": "a new long password",
                                                      "confirm": "a new long password"})
    assert response.status_code == 400 and "current password is not correct" in response.get_data(as_text=True)


def test_sign_in_does_not_redirect_off_site(client, res):
    make_user(res, "ann@example.org")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = client.post("/account/sign-in", query_string={"next": target},
                               data={"email": "ann@example.org", "password": PASSWORD})
        assert response.headers["Location"] == "/account/", target
        client.post("/account/sign-out")
    response = client.post("/account/sign-in", query_string={"next": "/deposit/"},
                           data={"email": "ann@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/deposit/"


def test_password_reset_by_mail_in_the_log(client, res, caplog):
    make_user(res, "ann@example.org")
    with caplog.at_level("WARNING", logger="repository.mail"):
        response = client.post("/account/reset", data={"email": "ann@example.org"})
        res.jobs.run_pending()  # the mail goes from a background job
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    [link] = re.findall(r"http://localhost(/account/reset/\S+)", caplog.text)
    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": "my new long password", "confirm": "my new long password"})
    assert done.status_code == 302
    assert client.get(link).status_code == 404  # single use
    assert sign_in(client, "ann@example.org", "my new long password").status_code == 302
    # An unknown address gets the same answer, and no mail.
    caplog.clear()
    with caplog.at_level("WARNING", logger="repository.mail"):
        same = client.post("/account/reset", data={"email": "nobody@example.org"})
        res.jobs.run_pending()
    assert "Check your email" in same.get_data(as_text=True) and "reset" not in caplog.text


def test_registration_errors_are_shown_on_the_form(client, res):
    make_user(res, "taken@example.org")
    response = client.post("/account/register", data={"name": "", "email": "not-an-address", "password": "short",
                                                      "confirm": "different"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert "Enter your full name" in page and "Enter an email address in the correct format" in page
    # A taken address gets the same answer as a new one (its owner is mailed instead): see test_side_doors.
    taken = client.post("/account/register", data={"name": "T", "email": "taken@example.org",
                                                   "password": "a long password", "confirm": "a long password"})
    assert taken.status_code == 200 and "already exists" not in taken.get_data(as_text=True)


def test_switched_off_accounts_cannot_sign_in(client, res):
    from repository.db import transaction
    from repository.services.accounts import get_user_by_email

    make_user(res, "gone@example.org")
    with transaction(res.sessions) as session:
        get_user_by_email(session, "gone@example.org").active = False
    assert sign_in(client, "gone@example.org").status_code == 400


def test_a_mail_server_that_is_down_does_not_break_the_reset_page(app, client, res, caplog):
    make_user(res, "ann@example.org")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=1, MAIL_USE_TLS=False)  # nothing listens there
    with caplog.at_level("ERROR", logger="repository.mail"):
        response = client.post("/account/reset", data={"email": "ann@example.org"})
        res.jobs.run_pending()
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    assert "could not send a password-reset message" in caplog.text


