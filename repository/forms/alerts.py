"""Forms of saved searches and alerts."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..models import FREQUENCIES
from . import options


class SaveSearchForm(FlaskForm):
    """Save the current search and choose how often to hear of new matches."""

    name = StringField("Name of this search", description="For example, Domestic abuse in Blackpool",
                       validators=[DataRequired("Enter a name for this search"),
                                   Length(max=200, message="Name must be 200 characters or fewer")])
    frequency = RadioField("How often do you want an email?", choices=options(FREQUENCIES.items()), default="weekly",
                           validators=[InputRequired("Choose daily or weekly")])


class ConfirmForm(FlaskForm):
    """A button that confirms an action (removing a saved search)."""
