"""Forms of the seminar pages: an event, a session of its programme, and a registration of interest."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional, ValidationError

from ..services.registrations import RegistrationData
from ..services.seminars import EventData, SessionData

_DATE_HINT = "For example, 2027-03-27."
_BAD_DATE = "Enter a real date, for example 2027-03-27"
_BAD_TIME = "Enter a time as hours and minutes, for example 14:30"


class EventForm(FlaskForm):
    """An editor's description of a seminar or event."""

    name = StringField("Title", validators=[DataRequired("Enter the event's title"),
                                            Length(max=300, message="Title must be 300 characters or fewer")])
    date = DateField("Date (or first day)", format="%Y-%m-%d", description=_DATE_HINT, invalid_value_message=_BAD_DATE,
                     validators=[InputRequired("Enter the date of the event, for example 2027-03-27")])
    end_date = DateField("Last day", format="%Y-%m-%d", validators=[Optional()], invalid_value_message=_BAD_DATE,
                         description="Only for an event over several days. " + _DATE_HINT)
    venue = StringField("Venue", description="The building and address.",
                        validators=[Length(max=300, message="Venue must be 300 characters or fewer")])
    place = StringField("Place", description="The council area or region, for example Leeds.",
                        validators=[Length(max=200, message="Place must be 200 characters or fewer")])
    host = StringField("Host organisation",
                       validators=[Length(max=300, message="Host must be 300 characters or fewer")])
    description = TextAreaField("Description",
                                validators=[Length(max=10000, message="Description must be 10000 characters or fewer")])

    def validate_end_date(self, field) -> None:
        if field.data and self.date.data and field.data < self.date.data:
            raise ValidationError("The last day must be the same as or after the first day")

    def to_data(self) -> EventData:
        """Return what the form holds as service data."""
        return EventData(name=self.name.data or "", date=self.date.data, end_date=self.end_date.data,
                         venue=self.venue.data or "", place=self.place.data or "", host=self.host.data or "",
                         description=self.description.data or "")

    def fill_from(self, event) -> None:
        """Show an existing event in the form."""
        self.name.data, self.date.data, self.end_date.data = event.name, event.date, event.end_date
        self.venue.data, self.host.data, self.description.data = event.venue, event.host, event.description
        self.place.data = event.place.name if event.place else ""


def _item_numbers(text: str) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", text or "")]


class SessionForm(FlaskForm):
    """One session of a programme: its time, title, speakers and the items presented."""

    title = StringField("Session title", validators=[DataRequired("Enter the session's title"),
                                                     Length(max=300, message="Title must be 300 characters or fewer")])
    starts_at = TimeField("Starts at", format="%H:%M", validators=[Optional()], description="For example, 14:30.",
                          invalid_value_message=_BAD_TIME)
    ends_at = TimeField("Ends at", format="%H:%M", validators=[Optional()], description="For example, 15:15.",
                        invalid_value_message=_BAD_TIME)
    speakers = TextAreaField("Speakers", description="One a line: the name, a comma, then the affiliation.",
                             validators=[Length(max=5000, message="Speakers must be 5000 characters or fewer")])
    items = StringField("Papers and slides presented", description=(
        "The numbers of the items, from their addresses (12 for /items/12), separated by commas."),
        validators=[Length(max=1000, message="Enter at most 1000 characters of item numbers")])

    def validate_items(self, field) -> None:
        if re.search(r"[^\d,\s]", field.data or ""):
            raise ValidationError("Enter item numbers only, separated by commas, for example 12, 15")

    def to_data(self) -> SessionData:
        """Return what the form holds as service data."""
        speakers = []
        for line in (self.speakers.data or "").splitlines():
            name, _, affiliation = line.partition(",")
            if name.strip():
                speakers.append((name.strip(), affiliation.strip()))
        return SessionData(title=self.title.data or "", starts_at=self.starts_at.data, ends_at=self.ends_at.data,
                           speakers=speakers, item_ids=_item_numbers(self.items.data))

    def fill_from(self, part) -> None:
        """Show an existing session in the form."""
        self.title.data, self.starts_at.data, self.ends_at.data = part.title, part.starts_at, part.ends_at
        self.speakers.data = part.speakers
        self.items.data = ", ".join(str(item.id) for item in part.items)


class RegistrationForm(FlaskForm):
    """Register interest in an upcoming event."""

    name = StringField("Full name", validators=[DataRequired("Enter your name"),
                                                Length(max=200, message="Name must be 200 characters or fewer")])
    email = StringField("Email address", validators=[
        DataRequired("Enter your email address"),
        Email("Enter an email address in the correct format, like name@example.org", check_deliverability=False),
        Length(max=254, message="Email address must be 254 characters or fewer")])
    organisation = StringField("Organisation", validators=[
        Length(max=200, message="Organisation must be 200 characters or fewer")])
    role = StringField("Role", description="For example, safeguarding lead or researcher.",
                       validators=[Length(max=200, message="Role must be 200 characters or fewer")])
    accessibility = TextAreaField("Accessibility needs", description=(
        "Anything we should arrange so you can take part, for example step-free access or a hearing loop."),
        validators=[Length(max=2000, message="Accessibility needs must be 2000 characters or fewer")])
    consent = BooleanField("I agree to be contacted by email about this event", validators=[
        DataRequired("Confirm that we may contact you about this event")])

    def to_data(self) -> RegistrationData:
        """Return what the form holds as service data."""
        return RegistrationData(name=self.name.data or "", email=self.email.data or "",
                                organisation=self.organisation.data or "", role=self.role.data or "",
                                accessibility=self.accessibility.data or "", consent=bool(self.consent.data))
