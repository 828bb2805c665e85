"""Forms of the deposit pages: the upload and the description of an item."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..models import (
    ACCESS_LEVELS,
    ADDITIONAL_FILE_ACCESS,
    ADDITIONAL_FILE_LABELS,
    CASE_STUDY_SECTIONS,
    ITEM_TYPES,
    LICENCES,
)
from ..services.items import AuthorData, ItemData
from . import options

ACCESS_HINTS = {
    "open": "Anyone can find, read and download it.",
    "registered": "Only people who have signed in can find and read it.",
    "restricted": "Only you, members of your organisation, the people you name below and the editors.",
    "embargoed": "Everyone can see the description; the file and its text open on the date you give.",
}


# What each setting of an additional file means; the form offers only those the item allows.
FILE_ACCESS_HINTS = {
    "item": "Whoever may read the item's main file may read this one, and find it by its words.",
    "registered": "Only people who have signed in may read it or find it by its words, even if the item is open.",
    "restricted": "Only you, members of your organisation, the item's named readers and the editors may read it "
                  "or find it by its words. Everyone else sees only its label.",
}


class AdditionalFileDetailsForm(FlaskForm):
    """Say what an additional file is and who may read it."""

    label = SelectField("What the file is", choices=options([("", "Choose one"), *ADDITIONAL_FILE_LABELS.items()]),
                        validators=[DataRequired("Choose what the file is")])
    description = StringField("Description (optional)", description="For example: slides from the Leeds seminar.",
                              validators=[Length(max=200, message="The description must be 200 characters or fewer")])
    access = RadioField("Who can read the file", choices=options(ADDITIONAL_FILE_ACCESS.items()), default="item",
                        validators=[DataRequired("Choose who can read the file")])


class AdditionalFileForm(AdditionalFileDetailsForm):
    """Upload an additional file with its label and access."""

    file = FileField("Upload a file", validators=[FileRequired("Select a file")])


class UploadForm(FlaskForm):
    """Upload a document (checked by its content, not its name)."""

    file = FileField("Upload a file", validators=[FileRequired("Select a file")])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace(",\n", "\n").splitlines() if line.strip()]


class ItemForm(FlaskForm):
    """Describe an item; choices for themes and events are set by the view."""

    type = SelectField("Type", choices=options(ITEM_TYPES.items()))
    title = StringField("Title", validators=[DataRequired("Enter a title"),
                                             Length(max=500, message="Title must be 500 characters or fewer")])
    authors = TextAreaField("Authors", description="One author per line, in order.")
    abstract = TextAreaField("Abstract", description=(
        "The abstract is public whoever may read the file: everyone can see it, even when the item is "
        "restricted or embargoed. Keep it to a summary you are happy to share."))
    summary = TextAreaField("Plain-language summary", description=(
        "Two or three short paragraphs for a busy practitioner: what you found and why it matters. "
        "We show its reading age when you save."))
    year = IntegerField("Year", validators=[Optional(), NumberRange(1900, 2100, "Enter a year between 1900 and 2100")])
    themes = SelectMultipleField("Themes", choices=[], validate_choice=True)
    event = SelectField("Seminar or event", choices=[], validate_choice=True)
    places = StringField("Places", description="Councils or regions the item is about, separated by commas.",
                         validators=[Length(max=1000)])
    licence = SelectField("Licence", choices=options([("", "Choose a licence"), *LICENCES.items()]))
    access = RadioField("Who can read it", choices=options(ACCESS_LEVELS.items()), default="open")
    embargo_until = DateField("Embargo ends on", validators=[Optional()], format="%Y-%m-%d",
                              description="For embargoed items. For example, 2027-03-27.")
    readers = TextAreaField("Named readers", description=(
        "For restricted items: email addresses of people who may read it, one per line. Each can read it "
        "once they have an account with that address and have confirmed the address."))
    partners = TextAreaField(CASE_STUDY_SECTIONS["partners"])
    problem = TextAreaField(CASE_STUDY_SECTIONS["problem"])
    approach = TextAreaField(CASE_STUDY_SECTIONS["approach"])
    outcomes = TextAreaField(CASE_STUDY_SECTIONS["outcomes"])
    lessons = TextAreaField(CASE_STUDY_SECTIONS["lessons"])
    contact = TextAreaField(CASE_STUDY_SECTIONS["contact"])
    save = SubmitField("Save draft")
    submit_for_review = SubmitField("Save and submit for review")

    def validate(self, extra_validators=None) -> bool:
        """Check the fields, then that an embargoed item has a date in the future."""
        valid = super().validate(extra_validators)
        if self.access.data == "embargoed":
            if self.embargo_until.data is None and not self.embargo_until.errors:
                self.embargo_until.errors = ["Enter the date the embargo ends, for example 2027-03-27"]
                valid = False
            elif self.embargo_until.data is not None and self.embargo_until.data <= date.today():
                self.embargo_until.errors = ["The date the embargo ends must be in the future"]
                valid = False
        return valid

    def to_item_data(self) -> ItemData:
        """Return the form's contents as plain item data."""
        sections = {name: getattr(self, name).data or "" for name in CASE_STUDY_SECTIONS}
        return ItemData(
            title=self.title.data or "",
            type=self.type.data,
            authors=[AuthorData(name=name) for name in _lines(self.authors.data)],
            abstract=self.abstract.data or "",
            summary=self.summary.data or "",
            year=self.year.data,
            licence=self.licence.data or "",
            access=self.access.data,
            embargo_until=self.embargo_until.data if self.access.data == "embargoed" else None,
            themes=list(self.themes.data or []),
            places=[p.strip() for p in (self.places.data or "").split(",") if p.strip()],
            event=self.event.data or None,
            case_study=sections if self.type.data == "case_study" or any(sections.values()) else None,
        )

    def reader_emails(self) -> list[str]:
        """Return the named readers' addresses."""
        return [e for line in _lines(self.readers.data) for e in line.replace(",", " ").split()]

    def fill_from(self, item) -> None:
        """Fill the fields from an item's record (for a GET of the edit page)."""
        self.type.data = item.type
        self.title.data = item.title
        self.authors.data = "\n".join(author.name for author in item.authors)
        self.abstract.data = item.abstract
        self.summary.data = item.summary
        self.year.data = item.year
        self.themes.data = [theme.slug for theme in item.themes]
        self.event.data = item.event.slug if item.event else ""
        self.places.data = ", ".join(place.name for place in item.places)
        self.licence.data = item.licence
        self.access.data = item.access
        self.embargo_until.data = item.embargo_until
        self.readers.data = "\n".join([grant.user.email for grant in item.grants if grant.user]
                                      + [invite.email for invite in item.invites])
        for name in CASE_STUDY_SECTIONS:
            getattr(self, name).data = getattr(item.case_study, name) if item.case_study else ""
