"""Seminar pages beyond browsing: editors create events and programmes; visitors register interest; calendar files."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for

from ..context import db_session
from ..forms.moderation import ActionForm
from ..forms.seminars import EventForm, RegistrationForm, SessionForm
from ..mail import send_mail_or_log
from ..models import Event
from ..services import registrations, seminars
from ..services.calendar import event_calendar
from ..services.places import find_event
from .common import current_user_record
from .moderation import editors_only
from .templating import SERVICE_NAME, format_date

bp = Blueprint("seminars", __name__, url_prefix="/events")


def _event(slug: str) -> Event:
    event = find_event(db_session(), slug)
    if event is None:
        abort(404)
    return event


def _form_error(form, error: ValueError) -> None:
    field = getattr(form, getattr(error, "field", None) or "", None)
    if field is not None:
        field.errors = [*field.errors, str(error)]
    else:
        form.form_errors.append(str(error))


@bp.route("/new", methods=["GET", "POST"])
@editors_only
def create():
    """Create a seminar or event."""
    form = EventForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            event = seminars.create_event(session, form.to_data(), current_user_record())
        except seminars.InvalidEvent as error:
            session.rollback()
            _form_error(form, error)
        else:
            session.commit()
            flash(f"Event “{event.name}” created. Add its programme below.")
            return redirect(url_for("seminars.edit", slug=event.slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("seminars/event_form.html", form=form, event=None), status


@bp.route("/<slug>/edit", methods=["GET", "POST"])
@editors_only
def edit(slug: str):
    """Edit an event; its programme and audit log are on the same page."""
    event = _event(slug)
    session = db_session()
    form = EventForm()
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        try:
            changes = seminars.update_event(session, event, form.to_data(), current_user_record())
        except seminars.InvalidEvent as error:
            session.rollback()
            _form_error(form, error)
        else:
            session.commit()
            flash("Event saved." if changes else "Nothing had changed.")
            return redirect(url_for("seminars.edit", slug=event.slug))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("seminars/event_form.html", form=form, event=event,
                           programme=seminars.programme(session, event), remove_form=ActionForm(formdata=None),
                           entries=seminars.event_log(session, event)), status


def _session_page(event: Event, form: SessionForm, part=None, status: int = 200):
    return render_template("seminars/session_form.html", event=event, form=form, part=part), status


@bp.route("/<slug>/sessions/new", methods=["GET", "POST"])
@editors_only
def add_session(slug: str):
    """Add a session to an event's programme."""
    event = _event(slug)
    form = SessionForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            seminars.add_session(session, event, form.to_data(), current_user_record())
        except seminars.InvalidEvent as error:
            session.rollback()
            _form_error(form, error)
        else:
            session.commit()
            flash("Session added.")
            return redirect(url_for("seminars.edit", slug=event.slug))
    return _session_page(event, form, status=400 if form.errors else 200)


@bp.route("/<slug>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@editors_only
def edit_session(slug: str, session_id: int):
    """Edit a session: its time, speakers and the papers and slides presented in it."""
    event = _event(slug)
    session = db_session()
    part = seminars.find_session(session, event, session_id)
    if part is None:
        abort(404)
    form = SessionForm()
    if request.method == "GET":
        form.fill_from(part)
    elif form.validate_on_submit():
        try:
            seminars.update_session(session, event, part, form.to_data(), current_user_record())
        except seminars.InvalidEvent as error:
            session.rollback()
            part = seminars.find_session(session, event, session_id)
            _form_error(form, error)
        else:
            session.commit()
            flash("Session saved.")
            return redirect(url_for("seminars.edit", slug=event.slug))
    return _session_page(event, form, part, status=400 if form.errors else 200)


@bp.post("/<slug>/sessions/<int:session_id>/remove")
@editors_only
def remove_session(slug: str, session_id: int):
    """Take a session off the programme."""
    event = _event(slug)
    session = db_session()
    part = seminars.find_session(session, event, session_id)
    if part is None:
        abort(404)
    if ActionForm().validate_on_submit():
        seminars.remove_session(session, event, part, current_user_record())
        session.commit()
        flash("Session removed.")
    return redirect(url_for("seminars.edit", slug=event.slug))


def _mail(to: str, subject: str, body: str) -> bool:
    """Send one message; a mail server that is down is logged, never shown as an error page."""
    return send_mail_or_log(current_app.config, to, subject, body, what="a registration message")


def _confirmation_body(event: Event, registration, withdraw_link: str) -> str:
    when = format_date(event.date) + (f" to {format_date(event.end_date)}" if event.end_date else "")
    where = ", ".join(text for text in (event.venue, event.place.name if event.place else "") if text)
    return (f"Dear {registration.name},\n\n"
            f"Thank you for registering your interest in {event.name}.\n\n"
            f"When: {when}\n" + (f"Where: {where}\n" if where else "") +
            f"Details: {url_for('browse.event', slug=event.slug, _external=True)}\n\n"
            "We will use your details only to contact you about this event, and delete them "
            f"{int(current_app.config['REGISTRATIONS_KEEP_DAYS'])} days after it.\n\n"
            f"If you can no longer come, or want us to forget your details now, follow this link:\n{withdraw_link}\n\n"
            f"{SERVICE_NAME}\n")


@bp.route("/<slug>/register", methods=["GET", "POST"])
def register(slug: str):
    """Register interest in an upcoming (free) event; refused politely once it has taken place."""
    event = _event(slug)
    today = date.today()
    if not seminars.is_upcoming(event, today):
        return render_template("seminars/registration_closed.html", event=event), 410
    form = RegistrationForm()
    if form.validate_on_submit():
        session = db_session()
        try:
            registration, new = registrations.register_interest(session, event, form.to_data(), today)
        except registrations.RegistrationRefused as error:
            session.rollback()
            _form_error(form, error)
        else:
            session.commit()
            if new:
                token = registrations.withdraw_token(current_app.config["SECRET_KEY"], registration)
                link = url_for("seminars.withdraw", token=token, _external=True)
                _mail(registration.email, f"Your registration: {event.name}",
                      _confirmation_body(event, registration, link))
            # The same answer whether the address was new or known: the page tells no one who registered.
            return render_template("seminars/registered.html", event=event, email=registration.email)
    status = 400 if form.errors or form.form_errors else 200
    return render_template("seminars/register.html", event=event, form=form), status


@bp.route("/withdraw/<token>", methods=["GET", "POST"])
def withdraw(token: str):
    """Withdraw a registration by the signed link in its mail (by a button: link scanners change nothing)."""
    session = db_session()
    registration = registrations.registration_for_token(session, current_app.config["SECRET_KEY"], token)
    if registration is None:
        return render_template("seminars/withdraw_invalid.html"), 404
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        event = registrations.withdraw(session, registration)
        session.commit()
        return render_template("seminars/withdrawn.html", event=event)
    return render_template("seminars/withdraw.html", registration=registration, event=registration.event, form=form)


@bp.get("/<slug>/registrations")
@editors_only
def registration_list(slug: str):
    """List who registered interest (editors only: this is personal data)."""
    event = _event(slug)
    return render_template("seminars/registrations.html", event=event,
                           registrations=registrations.registrations_for(db_session(), event),
                           keep_days=int(current_app.config["REGISTRATIONS_KEEP_DAYS"]))


@bp.get("/<slug>/registrations.csv")
@editors_only
def registration_csv(slug: str):
    """Download the registrations as CSV (cells a spreadsheet could run are neutralised)."""
    event = _event(slug)
    body = registrations.registrations_csv(registrations.registrations_for(db_session(), event))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}-registrations.csv"',
        "Cache-Control": "private, no-store"})


@bp.get("/<slug>/calendar.ics")
def calendar(slug: str):
    """Download the event as an iCalendar file."""
    event = _event(slug)
    if event.date is None:
        abort(404)
    page = url_for("browse.event", slug=event.slug, _external=True)
    text = event_calendar(event, seminars.programme(db_session(), event), url=page,
                          host=urlsplit(page).hostname or "localhost")
    return Response(text, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="{event.slug}.ics"'})
