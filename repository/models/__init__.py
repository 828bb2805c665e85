"""The database model: every mapped class, importable from one place."""

from .base import Base
from .items import ACCESS_LEVELS, ITEM_TYPES, STATUSES, CaseStudy, Item, ItemAuthor, ItemFile, PageText
from .places import Event, Place
from .taxonomy import Theme
from .users import ROLES, Organisation, PasswordResetToken, SignInAttempt, User
from .audit import AUDIT_ACTIONS, AuditEntry, ItemGrant
from .changes import ChangeLogState, IndexChange
from .harvest import PublicRecord, PublicRecordState
from .alerts import FREQUENCIES, SavedSearch, SavedSearchItem
from .usage import USAGE_KINDS, UsageEvent, UsageSalt
from .copies import COPY_STATUSES, CopyRequest

__all__ = [
    "ACCESS_LEVELS", "ITEM_TYPES", "ROLES", "STATUSES", "Base", "CaseStudy", "Event", "Item",
    "ItemAuthor", "ItemFile", "Organisation", "PageText", "Place", "Theme", "User",
    "AUDIT_ACTIONS", "AuditEntry", "ChangeLogState", "IndexChange", "ItemGrant", "PasswordResetToken",
    "SignInAttempt", "PublicRecord", "PublicRecordState", "FREQUENCIES", "SavedSearch", "SavedSearchItem",
    "USAGE_KINDS", "UsageEvent", "UsageSalt", "COPY_STATUSES", "CopyRequest",
]
