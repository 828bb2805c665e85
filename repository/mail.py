"""Outgoing mail: through the configured SMTP server, or into the log when there is none."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from typing import Mapping

log = logging.getLogger("repository.mail")


def send_mail(config: Mapping, to: str, subject: str, body: str, *, headers: Mapping[str, str] | None = None) -> bool:
    """Send a plain-text message (with any extra `headers`); return False when it went to the log instead.

    With no MAIL_SERVER configured the whole message is logged at WARNING level, so the
    operator of a small installation can pass a password-reset link on by hand.
    """
    message = EmailMessage()
    message["From"] = config.get("MAIL_FROM") or "repository@localhost"
    message["To"] = to
    message["Subject"] = subject
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    server = config.get("MAIL_SERVER")
    if not server:
        log.warning("No MAIL_SERVER is configured; this message was not sent:\nTo: %s\nSubject: %s\n\n%s",
                    to, subject, body)
        return False
    port = int(config.get("MAIL_PORT") or 587)
    with smtplib.SMTP(server, port, timeout=float(config.get("MAIL_TIMEOUT") or 10)) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    return True


def send_mail_or_log(config: Mapping, to: str, subject: str, body: str, *, what: str,
                     headers: Mapping[str, str] | None = None) -> bool:
    """Send as send_mail does, but log a server that is down or refuses (as "could not send WHAT").

    For mail that follows an action already done (a confirmation, a notice): its failure must
    never turn the action into an error page. Return False when the message could not be sent.
    """
    try:
        send_mail(config, to, subject, body, headers=headers)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %s", what)
        return False
    return True
