"""Forms of the editors' pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..models.users import ROLE_LABELS, ROLES
from . import options


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


class OrganisationForm(FlaskForm):
    """An editor's change to one account: the organisation they are confirmed as a member of."""

    organisation = StringField("Confirmed organisation", validators=[
        Length(max=200, message="Organisation must be 200 characters or fewer")])


class PersonForm(OrganisationForm):
    """An administrator's changes to one account: role and confirmed organisation."""

    role = SelectField("Role", choices=options((role, ROLE_LABELS[role]) for role in ROLES))


class RejectVersionForm(FlaskForm):
    """Refuse a new version of a published item's file, with a message for the depositor."""

    version_message = TextAreaField("Why the new version is not accepted", validators=[
        DataRequired("Enter a message that tells the depositor why the new version was not accepted"),
        Length(max=5000, message="Message must be 5000 characters or fewer")])


class SynonymsForm(FlaskForm):
    """A group of terms of the field that search treats as one."""

    terms = TextAreaField("Terms that mean the same", validators=[
        DataRequired("Enter at least two terms that mean the same, one on each line"),
        Length(max=3000, message="Terms must be 3000 characters or fewer")])
