"""The database model: every mapped class, importable from one place."""

from .audit import AUDIT_ACTIONS, AuditEntry, ItemGrant
from .base import Base
from .changes import ChangeLogState, IndexChange
from .items import (
    ACCESS_LEVELS,
    CASE_STUDY_SECTIONS,
    ITEM_TYPES,
    LICENCES,
    STATUSES,
    CaseStudy,
    Item,
    ItemAuthor,
    ItemFile,
    PageText,
)
from .places import Event, Place
from .taxonomy import Theme
from .users import ROLES, Organisation, PasswordResetToken, SignInAttempt, User

__all__ = [
    "ACCESS_LEVELS", "CASE_STUDY_SECTIONS", "ITEM_TYPES", "LICENCES", "ROLES", "STATUSES", "Base", "CaseStudy",
    "Event", "Item",
    "ItemAuthor", "ItemFile", "Organisation", "PageText", "Place", "Theme", "User",
    "AUDIT_ACTIONS", "AuditEntry", "ChangeLogState", "IndexChange", "ItemGrant", "PasswordResetToken",
    "SignInAttempt",
]
