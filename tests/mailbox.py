"""A real SMTP server on loopback for tests: the app sends through its normal mail path, the test reads what arrived."""

from __future__ import annotations

import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Iterator

from aiosmtpd.controller import Controller

from tests.serving import free_port


class Mailbox:
    """Every message the SMTP server accepted, parsed."""

    def __init__(self):
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        """Return the messages sent to `address`, oldest first."""
        return [m for m in self.messages if m["To"] == address]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[EmailMessage]:
        """Return the messages once at least `count` have arrived (the server runs in its own thread)."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


def body_of(message: EmailMessage) -> str:
    """Return the plain-text body of a message."""
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


@contextmanager
def smtp_server(app) -> Iterator[Mailbox]:
    """Serve SMTP on a free loopback port and point `app`'s mail settings at it."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False)
    try:
        yield mailbox
    finally:
        controller.stop()
