"""Forms of copy requests."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length


class CopyRequestForm(FlaskForm):
    """Ask for a copy of a file: who you are and why."""

    name = StringField("Your full name", validators=[DataRequired("Enter your full name"),
                                                     Length(max=200, message="Name must be 200 characters or fewer")])
    email = EmailField("Your email address", description="The link to the file is sent here if the request is approved",
                       validators=[DataRequired("Enter your email address"),
                                   Length(max=254, message="Email address must be 254 characters or fewer"),
                                   Email("Enter an email address in the correct format, like name@example.org",
                                         check_deliverability=False)])
    reason = TextAreaField("Why do you need the file?", description="The depositor reads this when deciding",
                           validators=[DataRequired("Say why you need the file"),
                                       Length(max=2000, message="Reason must be 2,000 characters or fewer")])


class DecisionForm(FlaskForm):
    """Approve or refuse a request (the button pressed says which)."""
