"""Registrations of interest in upcoming events: taking them, withdrawing them, listing them, and deleting them after.

A registration is personal data: only editors see it, and it is deleted a set number of days
after its event (REGISTRATIONS_KEEP_DAYS). The audit log says that one came or went, never who.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from email_validator import EmailNotValidError, validate_email
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ..models import Event, Registration, User
from .exports import csv_text
from .seminars import is_upcoming, record_event_change

_SALT = "event-registration-withdraw"
CSV_COLUMNS = ("name", "email", "organisation", "role", "accessibility_needs", "consented_at", "registered_at")


class RegistrationRefused(ValueError):
    """Raised when a registration cannot be taken; the message is for the person; `field` names the field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass
class RegistrationData:
    """What a person gives when registering interest."""

    name: str
    email: str
    organisation: str = ""
    role: str = ""
    accessibility: str = ""
    consent: bool = False


def register_interest(session: Session, event: Event, data: RegistrationData, today: date) -> tuple[Registration, bool]:
    """Take a registration; return it and True when it is new (False: this address had already registered).

    One registration per address per event: a second one changes nothing and sends nothing,
    so the form cannot be used to fill someone's inbox.
    """
    if not is_upcoming(event, today):
        raise RegistrationRefused("This event has already taken place, so it no longer takes registrations")
    if not data.consent:
        raise RegistrationRefused("Confirm that we may contact you about this event", field="consent")
    if not data.name.strip():
        raise RegistrationRefused("Enter your name", field="name")
    try:
        email = validate_email(data.email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise RegistrationRefused("Enter an email address in the correct format, like name@example.org",
                                  field="email") from None
    existing = session.scalar(select(Registration).where(Registration.event_id == event.id,
                                                         Registration.email == email))
    if existing is not None:
        return existing, False
    registration = Registration(event_id=event.id, name=data.name.strip(), email=email,
                                organisation=data.organisation.strip(), role=data.role.strip(),
                                accessibility=data.accessibility.strip())
    session.add(registration)
    session.flush()
    record_event_change(session, event, None, "registration_added")
    return registration, True


def withdraw_token(secret: str, registration: Registration) -> str:
    """Return the signed token of the link in the confirmation mail that withdraws the registration."""
    return URLSafeSerializer(secret, salt=_SALT).dumps({"r": registration.id, "e": registration.email})


def registration_for_token(session: Session, secret: str, token: str) -> Registration | None:
    """Return the registration a withdraw token names, or None when the token is bad or it is gone."""
    try:
        data = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("r"), int):
        return None
    registration = session.get(Registration, data["r"])
    if registration is None or registration.email != data.get("e"):
        return None
    return registration


def withdraw(session: Session, registration: Registration) -> Event:
    """Delete a registration at its owner's request; return its event."""
    event = registration.event
    session.delete(registration)
    session.flush()
    record_event_change(session, event, None, "registration_withdrawn")
    return event


def registrations_for(session: Session, event: Event) -> list[Registration]:
    """Return the event's registrations, oldest first (for editors only)."""
    return list(session.scalars(select(Registration).where(Registration.event_id == event.id)
                                .order_by(Registration.created_at, Registration.id)))


def registrations_csv(registrations: list[Registration]) -> str:
    """Return registrations as CSV a spreadsheet will not run formulas from."""
    return csv_text(CSV_COLUMNS, ((r.name, r.email, r.organisation, r.role, r.accessibility,
                                   r.consented_at.isoformat(timespec="seconds"),
                                   r.created_at.isoformat(timespec="seconds")) for r in registrations))


def purge_registrations(session: Session, today: date, keep_days: int, actor: User | None = None) -> int:
    """Delete registrations of events that ended more than `keep_days` ago; return how many went."""
    cutoff = today - timedelta(days=keep_days)
    last_day = func.coalesce(Event.end_date, Event.date)
    counts = session.execute(select(Event, func.count(Registration.id))
                             .join(Registration, Registration.event_id == Event.id)
                             .where(last_day < cutoff).group_by(Event.id)).all()
    total = 0
    for event, count in counts:
        session.execute(delete(Registration).where(Registration.event_id == event.id))
        record_event_change(session, event, actor, "registrations_deleted", changes={"registrations": [count, 0]})
        total += count
    session.flush()
    return total
