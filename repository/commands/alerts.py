"""`send-alerts`: mail each due saved search the items that newly match it (run it from cron)."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

import click
from flask import current_app, url_for
from sqlalchemy import update

from indexer.search import BadRequest

from ..context import resources
from ..db import transaction
from ..mail import send_mail
from ..models import SavedSearch
from ..models.base import utcnow
from ..services import alerts
from ..services.feeds import describe
from .database import with_database

log = logging.getLogger("repository.alerts")


class _NotSent(Exception):
    """The mail could not be sent: the transaction rolls back, the search stays due."""


def compose(result: alerts.Digest, description: str, secret: str) -> tuple[str, str, dict[str, str]]:
    """Return the subject, plain-text body and headers of one digest (inside a request context for links)."""
    saved, user = result.saved, result.saved.user
    token = alerts.unsubscribe_token(secret, saved)
    search_url = url_for("main.search", _external=True) + (f"?{saved.query}" if saved.query else "")
    count = len(result.new_ids)
    lines = [f"Hello {user.name},", "",
             f"{count} new item{'s' if count != 1 else ''} match{'es' if count == 1 else ''} your saved search "
             f"‘{saved.name}’ ({description}):", ""]
    for number, item in enumerate(result.items, start=1):
        details = ", ".join(str(part) for part in (item.type_label, item.year) if part)
        authors = ", ".join(author.name for author in item.authors)
        lines += [f"{number}. {item.title}", f"   {details}{'. ' + authors if authors else ''}",
                  f"   {url_for('items.show', item_id=item.id, _external=True)}", ""]
    if result.more:
        lines += [f"… and {result.more} more.", ""]
    lines += [f"The whole search: {search_url}", "",
              f"You get this {saved.frequency_label.lower()} email because you saved this search.",
              f"Stop these emails: {url_for('alerts.unsubscribe', token=token, _external=True)}",
              f"Manage your saved searches: {url_for('accounts.overview', _external=True)}", ""]
    one_click = url_for("alerts.one_click_unsubscribe", token=token, _external=True)
    headers = {"List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    subject = f"{count} new item{'s' if count != 1 else ''} for your saved search ‘{saved.name}’"
    return subject, "\n".join(lines), headers


def send_due_alerts(now: datetime | None = None) -> dict[str, int]:
    """Send every due digest; return counts of sent, nothing new, not ready (unconfirmed or inactive) and failed."""
    res, config = resources(), current_app.config
    now = now or utcnow()
    counts = {"sent": 0, "nothing new": 0, "not ready": 0, "failed": 0}
    with res.sessions() as session:
        due = [saved.id for saved in alerts.due_searches(session, now)]
    for saved_id in due:
        try:
            with transaction(res.sessions) as session:
                saved = session.get(SavedSearch, saved_id)
                if saved is None or not alerts.is_due(saved, now):
                    continue  # removed meanwhile, or sent by another run
                if not alerts.recipients_ready(saved.user):
                    counts["not ready"] += 1
                    continue
                checked = saved.last_checked_at
                try:
                    result = alerts.digest(session, res.index, saved)
                except BadRequest as error:
                    # A search saved under older rules; its owner can save it again.
                    log.error("saved search %s can no longer be run: %s", saved_id, error)
                    raise _NotSent from error
                # Claim the search, so two runs at once never send the same digest twice.
                claimed = session.execute(update(SavedSearch).where(
                    SavedSearch.id == saved_id, SavedSearch.last_checked_at == checked).values(last_checked_at=now))
                if claimed.rowcount != 1:
                    continue
                session.refresh(saved)
                if result.items:
                    subject, body, headers = compose(result, describe(session, alerts.params_of(saved)),
                                                     config["SECRET_KEY"])
                    try:
                        send_mail(config, saved.user.email, subject, body, headers=headers)
                    except (OSError, smtplib.SMTPException) as error:
                        log.error("could not send the alert of saved search %s: %s", saved_id, error)
                        raise _NotSent from error
                    counts["sent"] += 1
                else:
                    counts["nothing new"] += 1
                alerts.mark_sent(session, result, now)
        except _NotSent:
            counts["failed"] += 1
    return counts


@click.command("send-alerts")
@with_database
def send_alerts_command() -> None:
    """Mail each saved search that is due (daily or weekly) the items that newly match it; for cron."""
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        counts = send_due_alerts()
    click.echo(", ".join(f"{count} {what}" for what, count in counts.items()) + ".")
    if counts["failed"]:
        raise SystemExit(1)
