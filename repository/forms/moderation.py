"""Forms of the editors' pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length


class ActionForm(FlaskForm):
    """A button with nothing to fill in (publish); the form carries the CSRF token."""


class ReturnForm(FlaskForm):
    """Return a submission to its depositor with a message."""

    message = TextAreaField("Message to the depositor", validators=[
        DataRequired("Enter a message that tells the depositor what to change"),
        Length(max=5000, message="Message must be 5000 characters or fewer")])


class WithdrawForm(FlaskForm):
    """Withdraw a published item, with the reason shown on its page."""

    reason = TextAreaField("Reason for withdrawing", validators=[
        DataRequired("Enter the reason for withdrawing the item; it is shown on its page"),
        Length(max=2000, message="Reason must be 2000 characters or fewer")])
