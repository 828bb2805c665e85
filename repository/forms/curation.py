"""Forms of the editors' theme and place pages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length


class ThemeForm(FlaskForm):
    """A theme's name, description, key phrases and place in the tree."""

    name = StringField("Name", validators=[DataRequired("Enter the theme's name"),
                                           Length(max=200, message="The name must be 200 characters or fewer")])
    description = TextAreaField("Description", validators=[
        Length(max=2000, message="The description must be 2000 characters or fewer")])
    keywords = TextAreaField("Key phrases", description=(
        "One a line. A deposit whose text uses these phrases is offered this theme."), validators=[
        Length(max=5000, message="The key phrases must be 5000 characters or fewer")])
    parent = SelectField("Parent theme", choices=[], validate_choice=False)


class ThemeMergeForm(FlaskForm):
    """The theme to merge this one into."""

    into = SelectField("Merge into", choices=[], validate_choice=False,
                       validators=[DataRequired("Choose the theme to merge into")])


class PlaceForm(FlaskForm):
    """A place's name, region and ONS area code."""

    name = StringField("Name", validators=[DataRequired("Enter the place's name"),
                                           Length(max=200, message="The name must be 200 characters or fewer")])
    region = StringField("Region", validators=[Length(max=120, message="The region must be 120 characters or fewer")])
    ons_code = StringField("ONS area code", description="For example E06000009. Leave empty if you do not know it.",
                           validators=[Length(max=12, message="The ONS area code must be 12 characters or fewer")])


class PlaceMergeForm(FlaskForm):
    """The place to merge this one into."""

    into = SelectField("Merge into", choices=[], validate_choice=False,
                       validators=[DataRequired("Choose the place to merge into")])
