"""The database model: every mapped class, importable from one place."""

from .alerts import FREQUENCIES, SavedSearch, SavedSearchItem
from .audit import AUDIT_ACTIONS, AuditEntry, ItemGrant, ItemReaderInvite
from .base import Base
from .changes import ChangeLogState, IndexChange
from .copies import COPY_STATUSES, CopyRequest
from .curation import CURATION_ACTIONS, CurationEntry
from .harvest import PublicRecord, PublicRecordState
from .items import (
    ACCESS_LEVELS,
    ADDITIONAL_FILE_ACCESS,
    ADDITIONAL_FILE_LABELS,
    CASE_STUDY_SECTIONS,
    ITEM_TYPES,
    LANGUAGES,
    LICENCES,
    STATUSES,
    AdditionalFile,
    CaseStudy,
    Item,
    ItemAuthor,
    ItemFile,
    PageText,
)
from .places import Event, Place, PlaceAlias
from .seminars import EVENT_AUDIT_ACTIONS, EventAuditEntry, EventSession, Registration, session_items
from .synonyms import SynonymGroup
from .taxonomy import Theme, ThemeAlias
from .uploads import UPLOAD_STATES, Upload
from .usage import USAGE_KINDS, UsageEvent, UsageSalt
from .users import ROLES, Organisation, PasswordResetToken, SignInAttempt, User

__all__ = [
    "ADDITIONAL_FILE_ACCESS", "ADDITIONAL_FILE_LABELS", "AdditionalFile",
    "ACCESS_LEVELS", "CASE_STUDY_SECTIONS", "ITEM_TYPES", "LANGUAGES", "LICENCES", "ROLES", "STATUSES", "Base",
    "CaseStudy",
    "Event", "Item",
    "ItemAuthor", "ItemFile", "Organisation", "PageText", "Place", "Theme", "User",
    "AUDIT_ACTIONS", "AuditEntry", "ChangeLogState", "IndexChange", "ItemGrant", "ItemReaderInvite",
    "PasswordResetToken",
    "SignInAttempt", "PublicRecord", "PublicRecordState", "FREQUENCIES", "SavedSearch", "SavedSearchItem",
    "EVENT_AUDIT_ACTIONS", "EventAuditEntry", "EventSession", "Registration", "session_items",
    "USAGE_KINDS", "UsageEvent", "UsageSalt", "COPY_STATUSES", "CopyRequest", "UPLOAD_STATES", "Upload",
    "CURATION_ACTIONS", "CurationEntry", "PlaceAlias", "ThemeAlias", "SynonymGroup",
]
