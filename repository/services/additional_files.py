"""Additional files of an item (slides, data, an easy-read version ...): adding, relabelling, removing.

The item's main file and its versions are deposits.py's; these sit beside it, each with a
label, its extracted text (searchable) and an access setting that can only narrow the item's.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from indexer.extraction import Extraction

from ..models import ADDITIONAL_FILE_ACCESS, ADDITIONAL_FILE_LABELS, AdditionalFile, Item, User
from ..storage import FileStore
from . import audit
from .access import allowed_file_access, can_edit
from .changes import record_change
from .deposits import NotAllowed, check_readable
from .errors import FieldError

DESCRIPTION_MAX = 200


class InvalidFileDetails(FieldError):
    """An additional file's label, description or access setting breaks a rule."""


def find_additional_file(item: Item, file_id: int) -> AdditionalFile | None:
    """Return the additional file `file_id` of `item`, or None (also for another item's file)."""
    return next((attached for attached in item.additional_files if attached.id == file_id), None)


def _check_details(item: Item, label: str, description: str, access: str) -> str:
    """Raise InvalidFileDetails for a label or access the item cannot have; return the description as kept."""
    if label not in ADDITIONAL_FILE_LABELS:
        raise InvalidFileDetails("Choose what the file is", field="label")
    if access not in ADDITIONAL_FILE_ACCESS:
        raise InvalidFileDetails("Choose who can read the file", field="access")
    if access not in allowed_file_access(item):
        raise InvalidFileDetails("A file can be open to the item's readers or to fewer people, never to more",
                                 field="access")
    description = " ".join(description.split())
    if len(description) > DESCRIPTION_MAX:
        raise InvalidFileDetails(f"The description must be {DESCRIPTION_MAX} characters or fewer",
                                 field="description")
    return description


def _searchable_change(session: Session, item: Item, reason: str) -> None:
    if item.status == "published":
        record_change(session, [item.id], reason)


def add_additional_file(session: Session, item: Item, extraction: Extraction, files: FileStore, actor: User, *,
                        label: str, description: str = "", access: str = "item",
                        file_name: str = "") -> AdditionalFile:
    """Store an extracted upload as an additional file of `item`; the caller commits."""
    if not can_edit(actor, item):
        raise NotAllowed("You cannot change this item's files")
    description = _check_details(item, label, description, access)
    check_readable(extraction)
    file_format = extraction.format or "pdf"
    files.put(extraction.path, extraction.sha256, file_format)
    attached = AdditionalFile(label=label, description=description, access=access, sha256=extraction.sha256,
                              size=extraction.size, page_count=extraction.page_count,
                              original_name=file_name[:300], format=file_format,
                              text="\n\n".join(page for page in extraction.pages if page.strip()))
    item.additional_files.append(attached)
    session.flush()
    audit.record(session, item, actor, "file_added",
                 changes={"additional_files": [None, f"{attached.label_text} ({file_format.upper()})"]},
                 message=f"Uploaded {file_name}" if file_name else "")
    _searchable_change(session, item, "additional file added")
    return attached


def change_additional_file(session: Session, item: Item, attached: AdditionalFile, actor: User, *,
                           label: str, description: str, access: str) -> dict[str, list]:
    """Relabel an additional file or change who may read it; record and return the changes."""
    if not can_edit(actor, item) or attached.item_id != item.id:
        raise NotAllowed("You cannot change this item's files")
    description = _check_details(item, label, description, access)
    changes = {name: [getattr(attached, name), new] for name, new in
               (("label", label), ("description", description), ("access", access)) if getattr(attached, name) != new}
    if not changes:
        return {}
    attached.label, attached.description, attached.access = label, description, access
    session.flush()
    audit.record(session, item, actor, "file_changed", changes=changes,
                 message=attached.original_name or attached.label_text)
    _searchable_change(session, item, "additional file changed")
    return changes


def remove_additional_file(session: Session, item: Item, attached: AdditionalFile, actor: User) -> str:
    """Remove an additional file from `item`; return its hash.

    The caller commits, then passes the hash to deposits.discard_unreferenced_file, so the
    stored file goes only once no row refers to it.
    """
    if not can_edit(actor, item) or attached.item_id != item.id:
        raise NotAllowed("You cannot change this item's files")
    sha256, shown = attached.sha256, f"{attached.label_text} ({attached.format.upper()})"
    item.additional_files.remove(attached)
    session.flush()
    audit.record(session, item, actor, "file_removed", changes={"additional_files": [shown, None]},
                 message=attached.original_name)
    _searchable_change(session, item, "additional file removed")
    return sha256
