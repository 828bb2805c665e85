"""The search vocabulary: groups of terms that mean the same, kept by editors, used by every search."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import SynonymGroup, User
from ..synonyms_seed import SEED_SYNONYMS

log = logging.getLogger(__name__)

MAX_TERMS = 20  # terms in one group
MAX_TERM_LENGTH = 120


class InvalidSynonyms(ValueError):
    """Terms an editor typed that cannot make a group; the message says why."""


def clean_terms(text: str) -> list[str]:
    """Return the distinct terms of an editor's text (one a line), or raise InvalidSynonyms."""
    terms: list[str] = []
    for line in text.splitlines():
        term = " ".join(line.split())
        if term and term.lower() not in {t.lower() for t in terms}:
            terms.append(term)
    if len(terms) < 2:
        raise InvalidSynonyms("Enter at least two terms that mean the same, one on each line")
    if len(terms) > MAX_TERMS:
        raise InvalidSynonyms(f"Enter at most {MAX_TERMS} terms in one group")
    if any(len(t) > MAX_TERM_LENGTH for t in terms):
        raise InvalidSynonyms(f"Each term must be {MAX_TERM_LENGTH} characters or fewer")
    if any('"' in t for t in terms):
        raise InvalidSynonyms("Terms cannot contain quotation marks")
    return terms


def list_groups(session: Session) -> list[SynonymGroup]:
    """Return every group, in the order they were added."""
    return list(session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def find_group(session: Session, group_id: int) -> SynonymGroup | None:
    """Return the group with this id, or None."""
    return session.get(SynonymGroup, group_id)


def synonym_groups(session: Session) -> tuple[tuple[str, ...], ...]:
    """Return the vocabulary as the search engine takes it."""
    return tuple(tuple(group.term_list()) for group in list_groups(session))


def add_group(session: Session, text: str, editor: User) -> SynonymGroup:
    """Add a group from an editor's text (one term a line); log who did it."""
    group = SynonymGroup(terms="\n".join(clean_terms(text)), updated_by=editor.email)
    session.add(group)
    session.flush()
    log.info("synonyms: %s added group %d: %s", editor.email, group.id, "; ".join(group.term_list()))
    return group


def change_group(session: Session, group: SynonymGroup, text: str, editor: User) -> None:
    """Replace a group's terms with an editor's text; log the change."""
    before = group.term_list()
    group.terms = "\n".join(clean_terms(text))
    group.updated_by = editor.email
    session.flush()
    log.info("synonyms: %s changed group %d from %s to %s", editor.email, group.id, "; ".join(before),
             "; ".join(group.term_list()))


def delete_group(session: Session, group: SynonymGroup, editor: User) -> None:
    """Delete a group; log who did it and what it held."""
    log.info("synonyms: %s deleted group %d: %s", editor.email, group.id, "; ".join(group.term_list()))
    session.delete(group)
    session.flush()


def seed_synonyms(session: Session) -> int:
    """Give a vocabulary that has never had a group the seed groups; return how many were added."""
    if session.scalar(select(SynonymGroup.id).limit(1)) is not None:
        return 0  # editors' own changes (deletions too) are kept
    for terms in SEED_SYNONYMS:
        session.add(SynonymGroup(terms="\n".join(terms)))
    session.flush()
    return len(SEED_SYNONYMS)
