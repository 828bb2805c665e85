"""Deposits: receiving an upload, a prefilled draft, editing, submitting, new versions."""

from __future__ import annotations

import os
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from indexer.extraction import ACCEPTED, NOT_ACCEPTED, Extraction, Limits, Source, extract_file, precheck

from ..models import (
    CASE_STUDY_SECTIONS,
    AdditionalFile,
    CaseStudy,
    Event,
    Item,
    ItemAuthor,
    ItemFile,
    ItemGrant,
    ItemReaderInvite,
    Place,
    User,
)
from ..models.items import item_places
from ..slugs import slugify
from ..storage import FileStore
from . import audit
from .access import can_add_version, can_edit, can_view, is_depositor
from .accounts import find_user_by_email, valid_email
from .changes import record_change
from .items import (
    InvalidItem,
    ItemData,
    attach_file,
    create_item,
    find_file_by_sha,
    suggested_item_data,
    validate_item_data,
)
from .places import ensure_place, find_event, find_place
from .taxonomy import get_themes

_CHUNK = 1 << 16


class UploadRejected(ValueError):
    """An uploaded file cannot be deposited; the message is fit to show the depositor."""


class NotAllowed(PermissionError):
    """The person may not do this to this item."""


def receive_upload(stream: BinaryIO, limits: Limits, *, file_name: str = "",
                   folder: str | Path | None = None) -> Source:
    """Copy an upload to a temporary file and precheck it as bulk ingest does; return it as a Source.

    Nothing here parses the file: the size is counted as it streams in, and the precheck
    reads only its first bytes (and hashes it). The caller removes the file when done; on
    rejection nothing is left behind.
    """
    # A neutral suffix: what the file is comes from its content, never from its name.
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=".upload", dir=folder)
    path = Path(name)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_bytes:
                    raise UploadRejected(
                        f"The selected file is too large. It must be smaller than {limits.max_bytes // 2**20} MB")
                out.write(chunk)
        if size == 0:
            raise UploadRejected("The selected file is empty")
        checked = precheck(path, limits, name=file_name, with_hash=True)
        if not isinstance(checked, Source):
            raise UploadRejected(_precheck_message(checked.reason or ""))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return checked


def _precheck_message(reason: str) -> str:
    """Say why a file is not a document we take, as the upload form says it."""
    if not reason.startswith(NOT_ACCEPTED):
        return f"The selected file cannot be deposited: {plain_reason(reason)}"
    # What extraction says after its refusal: "(what the file is)", perhaps "; what to do".
    return f"The selected file must be {ACCEPTED}. This file is not one, whatever its name says " \
           + reason.removeprefix(NOT_ACCEPTED).strip()


def recheck(path: Path, limits: Limits, file_name: str) -> Source:
    """Precheck a received file again where a job finds it (its first bytes and its hash)."""
    checked = precheck(path, limits, name=file_name, with_hash=True)
    if not isinstance(checked, Source):
        raise UploadRejected(_precheck_message(checked.reason or ""))
    return checked


class Busy(RuntimeError):
    """Too many files are being read just now; the message is fit to show the depositor."""


BUSY_MESSAGE = "We are reading a lot of files just now. Try again in a minute"
# Web requests that read a file themselves (a new version of an item's file) do so one at a time
# in a process: each starts a child of up to EXTRACT_MEMORY_MB. Jobs have their own limit (one
# thread on SQLite, the workers' --concurrency on PostgreSQL).
_REQUEST_EXTRACTION = threading.BoundedSemaphore(1)


def read_upload(source: Source, limits: Limits, *, in_request: bool = False) -> Extraction:
    """Extract a received upload in a child process, as bulk ingest does.

    In a web request (which must not queue behind another), raise Busy when another request
    of this process is reading a file.
    """
    if not in_request:
        return extract_file(source, limits)
    if not _REQUEST_EXTRACTION.acquire(blocking=False):
        raise Busy(BUSY_MESSAGE)
    try:
        return extract_file(source, limits)
    finally:
        _REQUEST_EXTRACTION.release()


# Extraction's reasons start with a fixed phrase; some go on with a parser's own words
# ("damaged PDF: Stream has ended unexpectedly"), which mean nothing to a depositor. Each such
# phrase -> what the upload form says instead. Reasons not listed ("refused: ...", "file too
# large (...)") are written for people already and are shown as they are.
PLAIN_REASONS = (
    ("encrypted", "it is protected by a password. Save a copy without the password and upload that"),
    ("damaged", "it is damaged or incomplete, so it could not be read. Save or export it again from the "
                "program that made it, and upload the new copy"),
    ("cannot read this PDF", "it uses a kind of PDF this repository cannot read. Save it again as a "
                             "standard PDF (for example with “Save as PDF” or “Print to PDF”) and upload that"),
    ("no text layer", "it has no text layer (it looks scanned or image-only)"),
    ("no text", "it holds no words, only pictures perhaps"),
    ("empty file", "it is empty"),
    ("timed out", "it took too long to read. Try a smaller file, or ask an editor to add it for you"),
    ("ran out of memory", "it needed more memory to read than this repository allows. Try a smaller file, "
                          "or ask an editor to add it for you"),
    ("the document reader stopped", "something went wrong while reading it. Try again, and if it happens "
                                    "again ask an editor to add it for you"),
    ("could not start the document reader", "the repository could not read files just now. Try again "
                                            "in a few minutes"),
    ("could not read the file", "it could not be read. Try uploading it again"),
)


def plain_reason(reason: str) -> str:
    """Return an extraction's rejection reason in words for the person who uploaded the file."""
    for phrase, words in PLAIN_REASONS:
        if reason.startswith(phrase):
            return words
    return reason.removeprefix("refused: ")


def rejection_message(extraction: Extraction) -> str:
    """Turn an extraction's rejection reason into a sentence for the upload form."""
    reason = (extraction.reason or "it could not be read").rstrip(".")
    if reason.startswith(NOT_ACCEPTED):
        return _precheck_message(reason)  # what the worker found inside a container: a spreadsheet ...
    return f"The selected file cannot be deposited: {plain_reason(reason)}"


def check_extraction(session: Session, extraction: Extraction, actor: User | None = None) -> None:
    """Raise UploadRejected when an extracted file cannot be deposited.

    A file already deposited is refused only when `actor` may see an item that holds it (their
    own deposits, published items open to them; editors: any). The same file in an item hidden
    from them is taken as a new deposit, so the answer never tells them that such an item exists.
    """
    check_readable(extraction)
    if duplicate_known_to(session, extraction.sha256, actor):
        raise UploadRejected("This file has already been deposited. Upload a different file, "
                             "or ask an editor if you think this is wrong")


def check_readable(extraction: Extraction) -> None:
    """Raise UploadRejected when extraction refused the file or found no text in it."""
    if extraction.status != "ok":
        raise UploadRejected(rejection_message(extraction))
    if not any(page.strip() for page in extraction.pages):
        raise UploadRejected("The selected file cannot be deposited: it has no text layer "
                             "(it looks scanned or image-only)")


def duplicate_known_to(session: Session, sha256: str, actor: User | None) -> bool:
    """Return True when an item holding the file `sha256` is one `actor` may see (None: anyone's)."""
    for stored in session.scalars(select(ItemFile).where(ItemFile.sha256 == sha256)):
        if actor is None or can_view(actor, stored.item):
            return True
    return False


def items_with_same_files(session: Session, item: Item) -> list[Item]:
    """Return the other items holding one of this item's files (for editors: a deposit made again).

    A depositor is not told that a hidden item holds their file (see check_extraction), so the
    editors who review it are.
    """
    hashes = [stored.sha256 for stored in item.files]
    if not hashes:
        return []
    return list(session.scalars(select(Item).join(ItemFile).where(ItemFile.sha256.in_(hashes), Item.id != item.id)
                                .distinct().order_by(Item.id)))


def start_deposit(session: Session, user: User, extraction: Extraction, files: FileStore,
                  vocabulary: dict[str, list[str]], *, file_name: str = "") -> Item:
    """Create a draft item from an extracted upload, prefilled with suggested metadata."""
    if not user.can_deposit:
        raise NotAllowed("Your account cannot deposit work yet")
    check_extraction(session, extraction, user)
    data = suggested_item_data(extraction, vocabulary, ItemData(title="", status="draft"))
    item = create_item(session, data, depositor=user)
    attach_file(session, item, extraction, files, original_name=file_name)
    audit.record(session, item, user, "created", changes={"file_versions": [0, 1]},
                 message=f"Uploaded {file_name}" if file_name else "")
    return item


def discard_unreferenced_file(session: Session, files: FileStore, sha256: str) -> None:
    """Remove a stored file that no database row refers to (after a failed or deleted deposit)."""
    if sha256 and find_file_by_sha(session, sha256) is None and session.scalar(
            select(AdditionalFile.id).where(AdditionalFile.sha256 == sha256).limit(1)) is None:
        try:
            files.remove(sha256)
        except ValueError:
            pass


def update_item(session: Session, item: Item, data: ItemData, actor: User, *,
                readers: list[str] | None = None) -> dict[str, list]:
    """Change the item's description to `data` (status kept); record and return the changes.

    `readers` (email addresses) replaces the named readers of a restricted item.
    """
    if not can_edit(actor, item):
        raise NotAllowed("You cannot change this item")
    data.status = item.status
    validate_item_data(data)
    before = audit.snapshot(item)
    event = None
    if data.event:
        event = find_event(session, data.event)
        if event is None:
            raise InvalidItem(f"There is no seminar or event {data.event!r}", field="event")
    item.type = data.type
    item.title = data.title.strip()[:500]
    item.abstract = data.abstract.strip()
    item.summary = data.summary.strip()
    # The forms have no full date: keep one that bulk ingest or an import recorded.
    if data.date is not None:
        item.date = data.date
    item.year = data.year or (item.date.year if item.date else None)
    item.licence = data.licence
    item.access = data.access
    item.embargo_until = data.embargo_until if data.access == "embargoed" else None
    item.event = event
    item.unsure_fields = ""  # whoever saved the description has seen the marked guesses
    item.themes = get_themes(session, list(dict.fromkeys(data.themes)))
    item.places = [_place_as_typed(session, name, actor)
                   for name in dict.fromkeys(p.strip() for p in data.places if p.strip())]
    # Authors are edited as names; an unchanged name keeps its affiliation and ORCID.
    known = {author.name: author for author in item.authors}
    item.authors = [
        ItemAuthor(position=i, name=a.name.strip()[:200],
                   affiliation=a.affiliation or (known[a.name.strip()].affiliation if a.name.strip() in known else ""),
                   orcid=a.orcid or (known[a.name.strip()].orcid if a.name.strip() in known else None))
        for i, a in enumerate(a for a in data.authors if a.name.strip())
    ]
    if data.type == "case_study" or data.case_study:
        sections = data.case_study or {}
        if item.case_study is None:
            item.case_study = CaseStudy()
        for name in CASE_STUDY_SECTIONS:
            setattr(item.case_study, name, (sections.get(name) or "").strip())
    if readers is not None:
        set_named_readers(session, item, readers)
    session.flush()
    changes = audit.diff(before, audit.snapshot(item))
    if changes:
        audit.record(session, item, actor, "updated", changes=changes)
        if item.status == "published":
            record_change(session, [item.id], "edited")
    return changes


def _place_as_typed(session: Session, name: str, actor: User) -> Place:
    """Return the place `name` names, as ensure_place does, without revealing a hidden one's spelling.

    A place is one row per slug, so "SKERROWBY" and "Skerrowby" are the same place. When the
    person can already see the place (on a seminar, or on an item open to them) its spelling is
    kept. When it is known only from items hidden from them, it takes the spelling they typed,
    exactly as a new place would: their draft never shows a capitalisation they could not know.
    """
    place = find_place(session, name)
    # A name that editors merged into another place keeps that place's name (see README, known limits).
    if place is not None and place.slug == slugify(name) and place.name != name \
            and not _place_known_to(session, place, actor):
        place.name = name[:200]
    return ensure_place(session, name)


def _place_known_to(session: Session, place: Place, actor: User) -> bool:
    if actor.is_editor or session.scalar(select(Event.id).where(Event.place_id == place.id).limit(1)):
        return True
    carrying = session.scalars(select(Item).join(item_places).where(item_places.c.place_id == place.id))
    return any(can_view(actor, item) for item in carrying)


def set_named_readers(session: Session, item: Item, emails: list[str]) -> None:
    """Replace the people named as readers of a restricted item.

    Every well-formed address is accepted the same way, whether or not anyone has an account
    with it (the answer must not tell the depositor who is registered). A confirmed account is
    granted at once; any other address waits as an invitation, granted when an account with it
    confirms its address.
    """
    wanted: list[User] = []
    invited: list[str] = []
    for email in dict.fromkeys(e.strip().lower() for e in emails if e.strip()):
        if not valid_email(email):
            raise InvalidItem(f"Enter each named reader as an email address, like name@example.org "
                              f"({email[:60]} is not one)", field="readers")
        user = find_user_by_email(session, email)
        # Anyone may register any address; only its confirmed owner may be let in.
        if user is not None and user.email_confirmed_at is not None:
            wanted.append(user)
        else:
            invited.append(email)
    keep = {user.id for user in wanted}
    item.grants[:] = [grant for grant in item.grants if grant.user_id in keep]
    have = {grant.user_id for grant in item.grants}
    for user in wanted:
        if user.id not in have:
            item.grants.append(ItemGrant(user_id=user.id, user=user))
    item.invites[:] = [invite for invite in item.invites if invite.email in invited]
    pending = {invite.email for invite in item.invites}
    for email in invited:
        if email not in pending:
            item.invites.append(ItemReaderInvite(email=email))
    session.flush()


def missing_for_submission(item: Item) -> list[str]:
    """Return what must be filled in before the item can go to the editors."""
    missing = []
    if not item.title.strip():
        missing.append("Enter a title")
    if not item.authors:
        missing.append("Enter at least one author")
    if not item.files:
        missing.append("Upload the file")
    if item.access == "embargoed" and item.embargo_until is None:
        missing.append("Enter the date the embargo ends")
    return missing


def submit_deposit(session: Session, item: Item, actor: User) -> None:
    """Send a draft to the editors' review queue."""
    if not (is_depositor(actor, item) or actor.is_editor) or item.status != "draft":
        raise NotAllowed("Only a draft can be submitted, by its depositor")
    missing = missing_for_submission(item)
    if missing:
        raise InvalidItem("; ".join(missing))
    item.status = "submitted"
    session.flush()
    audit.record(session, item, actor, "submitted", changes={"status": ["draft", "submitted"]})


def take_back(session: Session, item: Item, actor: User) -> None:
    """Return the depositor's own submission to draft before an editor has decided on it.

    Back to draft, not "withdrawn": a submission was never public, and a withdrawn item is
    one that was published and now shows a tombstone at its address. As a draft it can be
    changed, submitted again or deleted.
    """
    if not is_depositor(actor, item) or item.status != "submitted":
        raise NotAllowed("Only your own submission can be taken back, while it waits for an editor")
    item.status = "draft"
    session.flush()
    audit.record(session, item, actor, "withdrawn_by_depositor", changes={"status": ["submitted", "draft"]})


def deposits_of(session: Session, user: User) -> list[Item]:
    """Return the items `user` deposited, most recently changed first."""
    return list(session.scalars(
        select(Item).where(Item.depositor_id == user.id).order_by(Item.updated_at.desc(), Item.id.desc())
    ))


def add_version(session: Session, item: Item, extraction: Extraction,
                files: FileStore, actor: User, *, file_name: str = "") -> ItemFile:
    """Attach a new version of the item's file (earlier versions are kept).

    On a published item a depositor's version waits for an editor (`review` "pending"): the
    published file, its text and its search entry stay as they are until an editor accepts
    it. A newer upload replaces a version still waiting. An editor's own version, and any
    version of a draft or a submission (which an editor reviews whole), is accepted at once.
    """
    if not can_add_version(actor, item):
        raise NotAllowed("You cannot upload a new version of this item")
    check_extraction(session, extraction, actor)
    previous = len(item.files)
    waiting = item.status == "published" and not actor.is_editor
    superseded = item.pending_file if waiting else None
    stored = attach_file(session, item, extraction, files, original_name=file_name)
    uploaded = f"Uploaded {file_name}" if file_name else ""
    if waiting:
        stored.review = "pending"
        if superseded is not None:
            superseded.review = "rejected"
        session.flush()
        uploaded = "; ".join(part for part in (uploaded, "waiting for an editor's review") if part)
    audit.record(session, item, actor, "new_version", changes={"file_versions": [previous, previous + 1]},
                 message=uploaded)
    if item.status == "published" and not waiting:
        record_change(session, [item.id], "new version")
    return stored


def delete_draft(session: Session, item: Item, actor: User) -> list[str]:
    """Delete a draft that was never published; return the hashes of its files.

    The caller commits, then passes each hash to `discard_unreferenced_file`, so a failed
    commit never leaves a row pointing at a removed file.
    """
    if not can_edit(actor, item) or item.status != "draft" or item.published_at is not None:
        raise NotAllowed("Only a draft that was never published can be deleted")
    hashes = [stored.sha256 for stored in [*item.files, *item.additional_files]]
    session.delete(item)
    session.flush()
    return hashes
