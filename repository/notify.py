"""Deliver review notices (services.notices) as mail, after the action they report has been committed."""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, url_for

from .blueprints.templating import SERVICE_NAME
from .mail import send_mail_or_log
from .services.notices import Notice


def deliver(notices: Iterable[Notice]) -> int:
    """Mail each notice with a link to its page; return how many were handed to a server or the log.

    A failed send is logged and never fails the action: the action is already committed,
    and the page it is about says the same as the mail.
    """
    delivered = 0
    for notice in notices:
        link = url_for(notice.endpoint, _external=True, **notice.values)
        body = f"Hello {notice.to.name},\n\n{notice.body}\n\n{link}\n\n{SERVICE_NAME}\n"
        delivered += send_mail_or_log(current_app.config, notice.to.email, notice.subject, body,
                                      what=f"{notice.subject!r} to account {notice.to.id}")
    return delivered
