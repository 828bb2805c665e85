"""Accounts: passwords, throttled sign-in, reset tokens, and the account pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from repository.db import transaction
from repository.models import PasswordResetToken, SignInAttempt, User
from repository.services import accounts
from repository.services.accounts import AccountError, InvalidToken, ThrottlePolicy

from .people import PASSWORD, make_user, register, sign_in

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)


# --- services -------------------------------------------------------------------------------

def test_passwords_are_stored_as_scrypt_hashes(res):
    user = make_user(res, "ann@example.org")
    assert user.password_hash.startswith("scrypt:") and PASSWORD not in user.password_hash


def test_registration_roles_and_organisation_claim(res):
    with transaction(res.sessions) as session:
        reader = accounts.register_user(session, "r@example.org", "R", PASSWORD, organisation="Leeds City Council")
        depositor = accounts.register_user(session, "d@example.org", "D", PASSWORD, wants_to_deposit=True)
    assert reader.role == "reader" and depositor.role == "depositor"
    # The typed organisation is a claim only: it opens nothing until confirmed.
    assert reader.organisation_claim == "Leeds City Council" and reader.organisation_id is None


@pytest.mark.parametrize("password, message", [
    ("short", "at least 10 characters"),
    ("x" * 201, "200 characters or fewer"),
    ("pat@example.org", "must not be your email address"),
])
def test_weak_passwords_are_refused(res, password, message):
    with res.sessions() as session, pytest.raises(AccountError, match=message):
        accounts.create_user(session, "pat@example.org", "Pat", password)


def test_authenticate_accepts_the_right_password_only(res):
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        assert accounts.authenticate(session, "ANN@example.org ", PASSWORD, "10.0.0.1").user is not None
        wrong = accounts.authenticate(session, "ann@example.org", "wrong password", "10.0.0.1")
        assert wrong.user is None and wrong.error == "Enter a correct email address and password"
        unknown = accounts.authenticate(session, "nobody@example.org", PASSWORD, "10.0.0.1")
        assert unknown.user is None and unknown.error == wrong.error  # no hint which was wrong


def test_sign_in_pauses_after_too_many_failures_for_one_account(res):
    make_user(res, "ann@example.org")
    policy = ThrottlePolicy(account_failures=3, address_failures=100, window=timedelta(minutes=15))
    with transaction(res.sessions) as session:
        for n in range(3):
            result = accounts.authenticate(session, "ann@example.org", "wrong", f"10.0.0.{n}", policy, NOW)
            assert not result.throttled
        # Even the right password is refused while paused, from any address.
        paused = accounts.authenticate(session, "ann@example.org", PASSWORD, "10.9.9.9", policy,
                                       NOW + timedelta(minutes=1))
        assert paused.throttled and paused.user is None and "too many failed attempts" in paused.error
        # Another account from the same addresses is unaffected.
        make_other = accounts.create_user(session, "bob@example.org", "Bob", PASSWORD)
        assert accounts.authenticate(session, "bob@example.org", PASSWORD, "10.0.0.1", policy,
                                     NOW + timedelta(minutes=1)).user == make_other
        # The pause ends one window after the last failure.
        later = accounts.authenticate(session, "ann@example.org", PASSWORD, "10.9.9.9", policy,
                                      NOW + timedelta(minutes=16))
        assert later.user is not None


def test_sign_in_pauses_after_too_many_failures_from_one_address(res):
    policy = ThrottlePolicy(account_failures=100, address_failures=4)
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        for n in range(4):
            accounts.authenticate(session, f"guess{n}@example.org", "wrong", "192.0.2.7", policy, NOW)
        paused = accounts.authenticate(session, "ann@example.org", PASSWORD, "192.0.2.7", policy, NOW)
        assert paused.throttled and "from your network" in paused.error
        assert accounts.authenticate(session, "ann@example.org", PASSWORD, "192.0.2.8", policy, NOW).user


def test_attempts_are_kept_in_the_database(res):
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        accounts.authenticate(session, "ann@example.org", "wrong", "10.0.0.1")
    with res.sessions() as session:
        [attempt] = session.scalars(select(SignInAttempt)).all()
        assert (attempt.email, attempt.address, attempt.succeeded) == ("ann@example.org", "10.0.0.1", False)


def test_reset_tokens_are_hashed_single_use_and_expire(res):
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        user = accounts.get_user_by_email(session, "ann@example.org")
        raw = accounts.issue_reset_token(session, user, timedelta(hours=1), NOW)
        stored = session.scalar(select(PasswordResetToken))
        assert stored.token_hash != raw and raw not in stored.token_hash
        old_session_token = user.session_token
        accounts.reset_password(session, raw, "a brand new password", NOW + timedelta(minutes=5))
        assert user.session_token != old_session_token  # other browsers are signed out
        with pytest.raises(InvalidToken, match="already been used"):
            accounts.reset_password(session, raw, "another new password", NOW + timedelta(minutes=6))
        expiring = accounts.issue_reset_token(session, user, timedelta(hours=1), NOW)
        with pytest.raises(InvalidToken):
            accounts.reset_password(session, expiring, "another new password", NOW + timedelta(hours=2))
    with transaction(res.sessions) as session:
        assert accounts.authenticate(session, "ann@example.org", "a brand new password", "10.0.0.1").user


def test_a_new_reset_token_cancels_the_previous_one(res):
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        user = accounts.get_user_by_email(session, "ann@example.org")
        first = accounts.issue_reset_token(session, user, timedelta(hours=1), NOW)
        accounts.issue_reset_token(session, user, timedelta(hours=1), NOW)
        assert accounts.find_reset_token(session, first, NOW) is None


def test_a_weak_new_password_does_not_use_up_the_token(res):
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        user = accounts.get_user_by_email(session, "ann@example.org")
        raw = accounts.issue_reset_token(session, user, timedelta(hours=1), NOW)
        with pytest.raises(AccountError, match="at least"):
            accounts.reset_password(session, raw, "short", NOW)
        assert accounts.find_reset_token(session, raw, NOW) is not None


def test_reset_links_are_limited_per_hour(res):
    make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        user = accounts.get_user_by_email(session, "ann@example.org")
        for _ in range(accounts.RESETS_PER_HOUR):
            assert accounts.reset_allowed(session, user, NOW)
            accounts.issue_reset_token(session, user, timedelta(hours=1), NOW)
        assert not accounts.reset_allowed(session, user, NOW + timedelta(minutes=30))
        assert accounts.reset_allowed(session, user, NOW + timedelta(minutes=61))


def test_load_user_needs_the_current_session_token(res):
    user = make_user(res, "ann@example.org")
    with transaction(res.sessions) as session:
        assert accounts.load_user(session, user.get_id()).id == user.id
        assert accounts.load_user(session, f"{user.id}:not-the-token") is None
        assert accounts.load_user(session, "garbage") is None
        fresh = session.get(User, user.id)
        accounts.set_password(session, fresh, "changed password here")
        assert accounts.load_user(session, user.get_id()) is None


# --- pages ----------------------------------------------------------------------------------

def test_register_confirm_sign_in_and_see_the_account(client, res):
    response = register(client, {
        "name": "Rhea Searcher", "email": "Rhea@Example.org", "organisation": "Leeds City Council",
        "password": "a long pass phrase"})
    assert response.status_code == 302
    page = client.get("/account/").get_data(as_text=True)
    assert "rhea@example.org" in page and "Reader" in page
    assert "Leeds City Council (waiting for an editor to confirm)" in page
    assert client.get("/deposit/new").status_code == 403  # a reader, as she did not ask to deposit


def test_register_as_a_depositor_opens_the_deposit_pages(client, res):
    register(client, {"name": "Dee", "email": "dee@example.org", "wants_to_deposit": "y",
                      "password": "a long pass phrase"})
    assert client.get("/deposit/new").status_code == 200
    header = client.get("/").get_data(as_text=True)
    assert "My deposits" in header and "Your account" in header


def test_sign_in_and_out(client, res):
    make_user(res, "ann@example.org")
    assert client.get("/account/").status_code == 302
    assert sign_in(client, "ann@example.org").headers["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    signed_out = client.post("/account/sign-out", follow_redirects=True)
    assert "You have signed out" in signed_out.get_data(as_text=True)
    assert client.get("/account/").status_code == 302


def test_mail_goes_through_the_configured_smtp_server():
    import socket
    import threading

    from repository.mail import send_mail

    received: list[str] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def serve() -> None:
        # Just enough SMTP to take one message.
        connection, _ = server.accept()
        stream = connection.makefile("rwb")

        def reply(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()

        reply("220 test ready")
        while line := stream.readline().decode():
            command = line.strip().upper()
            if command.startswith(("EHLO", "HELO")):
                reply("250 test")
            elif command.startswith(("MAIL", "RCPT")):
                reply("250 OK")
            elif command == "DATA":
                reply("354 go on")
                body = []
                while (data := stream.readline().decode()) not in (".\r\n", ""):
                    body.append(data)
                received.append("".join(body))
                reply("250 queued")
            elif command == "QUIT":
                reply("221 bye")
                break
        connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    config = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.getsockname()[1], "MAIL_USE_TLS": False,
              "MAIL_FROM": "repository@example.org"}
    assert send_mail(config, "ann@example.org", "Reset your password", "Open this link: http://x/reset/abc")
    thread.join(5)
    server.close()
    [message] = received
    assert "To: ann@example.org" in message and "Subject: Reset your password" in message
    assert "http://x/reset/abc" in message


def test_without_a_mail_server_the_message_is_logged(caplog):
    from repository.mail import send_mail

    with caplog.at_level("WARNING", logger="repository.mail"):
        assert send_mail({}, "ann@example.org", "Hello", "The body") is False
    assert "No MAIL_SERVER is configured" in caplog.text and "The body" in caplog.text


def test_registration_mails_a_link_that_confirms_the_address(client, res, caplog):
    with caplog.at_level("WARNING", logger="repository.mail"):
        client.post("/account/register", data={"name": "Rhea", "email": "rhea@example.org",
                                               "password": "a long pass phrase", "confirm": "a long pass phrase"})
        # Not signed in, and signing in waits for the address (refused as a wrong password is, with a new link).
        assert client.get("/account/").status_code == 302
        assert sign_in(client, "rhea@example.org", "a long pass phrase").status_code == 400
    first, again = re.findall(r"http://localhost(/account/confirm/\S+)", caplog.text)
    assert client.get(first[:-3] + "xyz").status_code == 404  # tampered
    response = client.get(again, follow_redirects=True)
    assert "rhea@example.org is confirmed" in response.get_data(as_text=True)
    assert sign_in(client, "rhea@example.org", "a long pass phrase").status_code == 302
    assert "(confirmed)" in client.get("/account/").get_data(as_text=True)
    with res.sessions() as session:
        assert accounts.get_user_by_email(session, "rhea@example.org").email_confirmed_at is not None


def test_confirmation_links_expire(res):
    with transaction(res.sessions) as session:
        user = accounts.register_user(session, "late@example.org", "Late", PASSWORD)
        token = accounts.confirmation_token(user, "secret")
        with pytest.raises(InvalidToken):
            accounts.confirm_email(session, token, "another secret", timedelta(days=7))
        with pytest.raises(InvalidToken, match="expired"):
            accounts.confirm_email(session, token, "secret", timedelta(seconds=-1))
        assert accounts.confirm_email(session, token, "secret", timedelta(days=7)).email_confirmed_at
