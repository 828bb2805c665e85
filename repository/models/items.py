"""Items (papers, case studies, reports ...), their authors, files and page text."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import false as sa_false

from .base import Base, as_utc, utcnow
from .places import Event, Place
from .taxonomy import Theme
from .users import User

ITEM_TYPES = {
    "paper": "Seminar paper",
    "case_study": "Case study",
    "report": "Report",
    "slides": "Slides",
    "guidance": "Guidance",
    "agreement": "Information-sharing agreement or template",
}
ACCESS_LEVELS = {
    "open": "Open to everyone",
    "registered": "Registered users",
    "restricted": "Restricted",
    "embargoed": "Embargoed",
}
STATUSES = ("draft", "submitted", "published", "withdrawn")
# What an editor made of a version of a file: only accepted versions are ever shown, searched or sent.
REVIEW_STATES = ("accepted", "pending", "rejected")
LICENCES = {
    "CC-BY-4.0": "Creative Commons Attribution 4.0 (CC BY 4.0)",
    "CC-BY-NC-4.0": "Creative Commons Attribution-NonCommercial 4.0 (CC BY-NC 4.0)",
    "CC-BY-NC-ND-4.0": "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 (CC BY-NC-ND 4.0)",
    "OGL-UK-3.0": "Open Government Licence v3.0",
    "all-rights-reserved": "All rights reserved",
}
# Languages an item may be written in (ISO 639-1 code -> the name people read).
LANGUAGES = {
    "en": "English",
    "cy": "Welsh",
    "gd": "Scottish Gaelic",
    "ga": "Irish",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "pl": "Polish",
    "ur": "Urdu",
    "pa": "Punjabi",
    "ar": "Arabic",
}
# What an additional file of an item is (beside its main file), and who may read it: the item's
# readers or fewer (services.access.additional_file_access takes the stricter of the two).
ADDITIONAL_FILE_LABELS = {
    "slides": "Slides",
    "data": "Data",
    "easy_read": "Easy-read version",
    "supporting_paper": "Supporting paper",
    "other": "Other",
}
ADDITIONAL_FILE_ACCESS = {
    "item": "Same as the item",
    "registered": "Registered users",
    "restricted": "Restricted",
}
# A case study's sections (CaseStudy's columns), in order, with the heading each is shown under.
CASE_STUDY_SECTIONS = {
    "partners": "Partners",
    "problem": "The problem",
    "approach": "What was done",
    "outcomes": "What changed",
    "lessons": "Lessons learnt",
    "contact": "Contact",
}

item_themes = Table(
    "item_themes",
    Base.metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("theme_id", Integer, ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
)
item_places = Table(
    "item_places",
    Base.metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("place_id", Integer, ForeignKey("places.id", ondelete="CASCADE"), primary_key=True),
)


class Item(Base):
    """One deposited work: its description, access level and publication status."""

    __tablename__ = "items"

    id: Mapped[int] = mapped_column(primary_key=True)
    type: Mapped[str] = mapped_column(String(20), default="paper")
    title: Mapped[str] = mapped_column(String(500))
    abstract: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")  # plain-language summary
    year: Mapped[int | None]
    date: Mapped[date | None] = mapped_column(Date)
    licence: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(12), default="en")
    access: Mapped[str] = mapped_column(String(20), default="open")
    embargo_until: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="draft")
    withdrawal_reason: Mapped[str] = mapped_column(Text, default="")
    # Fields of the description that extraction guessed on thin evidence, comma-separated;
    # the deposit form marks them until the depositor saves it.
    unsure_fields: Mapped[str] = mapped_column(String(100), default="", server_default="")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    depositor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    event: Mapped[Event | None] = relationship()
    depositor: Mapped[User | None] = relationship()
    authors: Mapped[list[ItemAuthor]] = relationship(
        back_populates="item", order_by="ItemAuthor.position", cascade="all, delete-orphan"
    )
    themes: Mapped[list[Theme]] = relationship(secondary=item_themes, order_by="[Theme.position, Theme.id]")
    places: Mapped[list[Place]] = relationship(secondary=item_places, order_by="[Place.name, Place.id]")
    files: Mapped[list[ItemFile]] = relationship(
        back_populates="item", order_by="ItemFile.version", cascade="all, delete-orphan"
    )
    case_study: Mapped[CaseStudy | None] = relationship(
        back_populates="item", cascade="all, delete-orphan"
    )
    additional_files: Mapped[list[AdditionalFile]] = relationship(
        back_populates="item", order_by="AdditionalFile.id", cascade="all, delete-orphan"
    )

    @property
    def added_at(self) -> datetime:
        """When the item joined the repository: first published here (or made, if never published), in UTC."""
        return as_utc(self.published_at or self.created_at or utcnow())

    @property
    def versions(self) -> list[ItemFile]:
        """Return the accepted versions of the item's file, oldest first (what readers may be shown)."""
        return [stored for stored in self.files if stored.review == "accepted"]

    @property
    def current_file(self) -> ItemFile | None:
        """Return the newest accepted version of the item's file: the one published, searched and sent."""
        accepted = self.versions
        return accepted[-1] if accepted else None

    @property
    def pending_file(self) -> ItemFile | None:
        """Return the newest version waiting for an editor's review, if any."""
        waiting = [stored for stored in self.files if stored.review == "pending"]
        return waiting[-1] if waiting else None

    @property
    def type_label(self) -> str:
        """Return the human name of the item's type."""
        return ITEM_TYPES.get(self.type, self.type)

    @property
    def licence_label(self) -> str:
        """Return the human name of the item's licence ("" when none is recorded)."""
        return LICENCES.get(self.licence, self.licence)

    @property
    def access_label(self) -> str:
        """Return who may see the item, in words."""
        return ACCESS_LEVELS.get(self.access, self.access)

    @property
    def language_label(self) -> str:
        """Return the name of the item's language (the code itself when it is not in LANGUAGES)."""
        return LANGUAGES.get(self.language, self.language)

    def __repr__(self) -> str:
        return f"<Item {self.id} {self.title[:40]!r}>"


class ItemAuthor(Base):
    """An author of an item, in order."""

    __tablename__ = "item_authors"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(200))
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    orcid: Mapped[str | None] = mapped_column(String(19))

    item: Mapped[Item] = relationship(back_populates="authors")


class CaseStudy(Base):
    """The structured sections of a case study."""

    __tablename__ = "case_studies"

    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), primary_key=True)
    partners: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    approach: Mapped[str] = mapped_column(Text, default="")
    outcomes: Mapped[str] = mapped_column(Text, default="")
    lessons: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(Text, default="")

    item: Mapped[Item] = relationship(back_populates="case_study")


class ItemFile(Base):
    """One version of an item's file (PDF, Word, slides ...), stored by SHA-256 under instance/files/."""

    __tablename__ = "item_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(default=1)
    # Not unique: a file in an item hidden from a depositor may be deposited again (see
    # services.deposits.check_extraction).
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    page_count: Mapped[int] = mapped_column(default=0)
    original_name: Mapped[str] = mapped_column(String(300), default="")
    # A key of indexer.extraction.FORMATS, decided by the file's content; also its stored suffix.
    format: Mapped[str] = mapped_column(String(10), default="pdf", server_default="pdf")
    # A new version of a published item's file waits for an editor: one of REVIEW_STATES.
    review: Mapped[str] = mapped_column(String(10), default="accepted", server_default="accepted")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[Item] = relationship(back_populates="files")
    pages: Mapped[list[PageText]] = relationship(
        order_by="PageText.number", cascade="all, delete-orphan"
    )


class PageText(Base):
    """The extracted, normalised text of one page of a file."""

    __tablename__ = "page_texts"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("item_files.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="")
    ocr: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())  # recognised from a scan


class AdditionalFile(Base):
    """A file beside an item's main file (slides, data, an easy-read version ...), with its own label and access.

    Stored by SHA-256 like ItemFile; it has no versions (a new one replaces it by removal and
    upload). Its extracted text is kept whole: search needs it, the item page does not page it.
    """

    __tablename__ = "additional_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(20), default="other")  # a key of ADDITIONAL_FILE_LABELS
    description: Mapped[str] = mapped_column(String(200), default="")
    access: Mapped[str] = mapped_column(String(20), default="item")  # a key of ADDITIONAL_FILE_ACCESS
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    page_count: Mapped[int] = mapped_column(default=0)
    original_name: Mapped[str] = mapped_column(String(300), default="")
    format: Mapped[str] = mapped_column(String(10), default="pdf")
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    item: Mapped[Item] = relationship(back_populates="additional_files")

    @property
    def label_text(self) -> str:
        """Return the label as shown: its name, and the free text when there is one."""
        name = ADDITIONAL_FILE_LABELS.get(self.label, self.label)
        return f"{name}: {self.description}" if self.description else name
