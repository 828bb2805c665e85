"""Items: creation from plain data, look-ups, and attaching extracted files."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, literal, select
from sqlalchemy.orm import Session

from indexer.extraction import Extraction, suggest_themes

from ..models import (
    ACCESS_LEVELS,
    CASE_STUDY_SECTIONS,
    ITEM_TYPES,
    STATUSES,
    CaseStudy,
    Item,
    ItemAuthor,
    ItemFile,
    PageText,
    User,
)
from ..models.base import utcnow
from ..storage import FileStore
from .changes import record_change
from .errors import FieldError
from .places import ensure_place, find_event
from .taxonomy import get_themes


class InvalidItem(FieldError):
    """Raised when item data breaks a rule (unknown type, access level, event ...)."""


@dataclass
class AuthorData:
    """An author as plain data."""

    name: str
    affiliation: str = ""
    orcid: str | None = None


@dataclass
class ItemData:
    """Everything needed to create an item, as plain data."""

    title: str
    type: str = "paper"
    authors: list[AuthorData] = field(default_factory=list)
    abstract: str = ""
    summary: str = ""
    year: int | None = None
    date: date | None = None
    licence: str = ""
    language: str = "en"
    access: str = "open"
    embargo_until: date | None = None
    status: str = "published"
    themes: list[str] = field(default_factory=list)  # slugs
    places: list[str] = field(default_factory=list)  # names or slugs
    event: str | None = None  # slug
    case_study: dict[str, str] | None = None
    unsure: list[str] = field(default_factory=list)  # fields guessed on thin evidence, to be checked


def validate_item_data(data: ItemData) -> None:
    """Raise InvalidItem when `data` names an unknown type, access level or status."""
    if not data.title.strip():
        raise InvalidItem("an item needs a title", field="title")
    if data.type not in ITEM_TYPES:
        raise InvalidItem(f"unknown type {data.type!r}; choose one of {', '.join(ITEM_TYPES)}", field="type")
    if data.access not in ACCESS_LEVELS:
        raise InvalidItem(f"unknown access level {data.access!r}; choose one of {', '.join(ACCESS_LEVELS)}",
                          field="access")
    if data.status not in STATUSES:
        raise InvalidItem(f"unknown status {data.status!r}")
    if data.access == "embargoed" and data.embargo_until is None:
        raise InvalidItem("an embargoed item needs the date its embargo ends", field="embargo_until")


def create_item(session: Session, data: ItemData, *, depositor: User | None = None) -> Item:
    """Create an item (without files) from `data`."""
    validate_item_data(data)
    event = None
    if data.event:
        event = find_event(session, data.event)
        if event is None:
            raise InvalidItem(f"no event with the slug {data.event!r}", field="event")
    item = Item(
        type=data.type,
        title=data.title.strip(),
        abstract=data.abstract.strip(),
        summary=data.summary.strip(),
        year=data.year or (data.date.year if data.date else None),
        date=data.date,
        licence=data.licence,
        language=data.language,
        access=data.access,
        embargo_until=data.embargo_until,
        status=data.status,
        unsure_fields=",".join(data.unsure),
        event=event,
        depositor=depositor,
        themes=get_themes(session, list(dict.fromkeys(data.themes))),
        places=[ensure_place(session, name) for name in dict.fromkeys(data.places)],
        authors=[
            ItemAuthor(position=i, name=a.name, affiliation=a.affiliation, orcid=a.orcid)
            for i, a in enumerate(data.authors)
        ],
    )
    if data.type == "case_study" or data.case_study:
        sections = data.case_study or {}
        item.case_study = CaseStudy(**{k: sections.get(k, "") for k in CASE_STUDY_SECTIONS})
    if data.status == "published":
        item.published_at = utcnow()
    session.add(item)
    session.flush()
    if item.status == "published":
        record_change(session, [item.id], "created")
    return item


ABSTRACT_MAX_WORDS = 300  # longer than most journals allow (150-300 words)
ABSTRACT_MAX_SHARE = 0.5  # an "abstract" that is most of the document is its body


def plausible_abstract(suggested: str, text: str) -> str:
    """Return the suggested abstract if it can be one, else "" (the depositor writes their own).

    The abstract is public at every access level, so a suggestion must never carry a document's
    body into it: for a short file the guess is often the whole text, which an embargo or a
    restriction was meant to close. A suggestion longer than ABSTRACT_MAX_WORDS is cut at the
    last full sentence within it; one that is more than ABSTRACT_MAX_SHARE of the document's
    words is not offered at all.
    """
    words = suggested.split()
    if not words or len(words) > ABSTRACT_MAX_SHARE * len(text.split()):
        return ""
    if len(words) <= ABSTRACT_MAX_WORDS:
        return suggested.strip()
    cut = " ".join(words[:ABSTRACT_MAX_WORDS])
    end = cut.rfind(". ")
    return cut[: end + 1] if end > 0 else cut


def suggested_item_data(extraction: Extraction, vocabulary: dict[str, list[str]], base: ItemData | None = None,
                        *, themes_from_text: bool = True) -> ItemData:
    """Describe an item from what its file suggests, on top of `base` (a batch's or a deposit's settings)."""
    base = base or ItemData(title="")
    suggestion = extraction.suggestion
    name = extraction.name or Path(extraction.path).name
    title = (suggestion.title or "").strip() or Path(name).stem.replace("_", " ").strip() or "Untitled deposit"
    themes = list(base.themes)
    if themes_from_text:
        themes += [slug for slug in suggest_themes(extraction.text, vocabulary) if slug not in themes]
    return replace(
        base,
        title=title[:500],
        authors=[AuthorData(name=author.strip()[:200]) for author in suggestion.authors if author.strip()],
        abstract=plausible_abstract(suggestion.abstract or "", extraction.text),
        year=suggestion.year,
        themes=themes,
        unsure=list(suggestion.unsure),
    )


def find_item(session: Session, item_id: int) -> Item | None:
    """Return the item with `item_id`, or None (also for ids no database column can hold)."""
    if not 0 < item_id < 2**63:
        return None
    return session.get(Item, item_id)


def find_file_by_sha(session: Session, sha256: str) -> ItemFile | None:
    """Return the stored file with this SHA-256, or None."""
    return session.scalar(select(ItemFile).where(ItemFile.sha256 == sha256))


def scanned_pages(session: Session, stored: ItemFile) -> list[int]:
    """Return the numbers of the file's pages whose text was recognised from a scan."""
    return list(session.scalars(
        select(PageText.number).where(PageText.file_id == stored.id, PageText.ocr.is_(True)).order_by(PageText.number)
    ))


def pages_read(session: Session, stored: ItemFile) -> int:
    """Return how many of the file's pages were read (fewer than its page count when it was cut short)."""
    return session.scalar(select(func.count()).select_from(PageText).where(PageText.file_id == stored.id)) or 0


def attach_file(
    session: Session, item: Item, extraction: Extraction, files: FileStore, *, original_name: str = ""
) -> ItemFile:
    """Store the extracted file as the item's newest version, with its page text."""
    file_format = extraction.format or "pdf"
    files.put(extraction.path, extraction.sha256, file_format)
    recognised = set(extraction.ocr_pages)
    stored = ItemFile(
        version=len(item.files) + 1,
        sha256=extraction.sha256,
        size=extraction.size,
        page_count=extraction.page_count,
        original_name=original_name[:300],
        format=file_format,
        pages=[PageText(number=n, text=text, ocr=n in recognised) for n, text in enumerate(extraction.pages, start=1)],
    )
    item.files.append(stored)
    session.flush()
    return stored


def move_item_links(session: Session, links, column: str, source_id: int, target_id: int) -> int:
    """Point every item linked to `source_id` at `target_id` instead (once each); return how many items moved.

    Two statements rather than one object per item: a broad theme holds thousands of items.
    """
    session.flush()
    key = links.c[column]
    count = session.scalar(select(func.count()).select_from(links).where(key == source_id)) or 0
    session.execute(links.insert().from_select(
        ["item_id", column],
        select(links.c.item_id, literal(target_id)).where(
            key == source_id, links.c.item_id.not_in(select(links.c.item_id).where(key == target_id)))))
    session.execute(delete(links).where(key == source_id))
    session.expire_all()  # collections loaded before the statements are stale now
    return count
