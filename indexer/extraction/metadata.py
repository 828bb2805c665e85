"""Suggest a title, authors, abstract, year and keywords from PDF metadata and the first page.

Every guess here is a suggestion shown to a depositor, who corrects it; the aim is to be right
most of the time on reports, guidance and papers, and plausible otherwise.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from indexer.extraction.titles import guess_title, heading_like, is_junk_line, normalise_key, split_names


@dataclass
class Suggestion:
    """What the repository proposes to a depositor; every field may be wrong or empty."""

    title: str | None = None
    authors: list[str] = field(default_factory=list)
    abstract: str | None = None
    year: int | None = None
    keywords: list[str] = field(default_factory=list)
    # The fields guessed on thin evidence, which the deposit form asks the depositor to check.
    unsure: list[str] = field(default_factory=list)


_JUNK_AUTHOR = re.compile(
    r"@|\b(administrator|user|owner|author|microsoft|scanning|station|unknown|proceedings"
    r"|association for|society|ieee|acm)\b",
    re.IGNORECASE,
)
_AUTHOR_LINE = re.compile(
    r"^(?:report\s+)?(?:authors?\s*:|written by|prepared by|compiled by)\s*(.{3,})$", re.IGNORECASE
)
_AFFILIATION = re.compile(
    r"\b(universit\w*|department|dept|institut\w*|school|college|laborator\w*|centre|center|inc"
    r"|ltd|corporation|research|faculty|division|group|street|road|avenue|usa|cnrs)\b",
    re.IGNORECASE,
)
_ABSTRACT_HEADING = re.compile(
    r"^(?:abstract|summary|executive summary)\s*(?:[.:—–-]\s*(.*))?$", re.IGNORECASE
)
_SECTION_START = re.compile(
    r"^(?:(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]+\.)\s+[A-Z]|introduction$|keywords?\b|key words\b|index terms"
    r"|categories and subject|general terms|contents$|table of contents|foreword$|background$)",
    re.IGNORECASE,
)
_KEYWORDS_LINE = re.compile(r"^(?:keywords?|key words|index terms)\s*[:.—–-]\s*(.+)$", re.IGNORECASE)
_DATED_YEAR = re.compile(
    r"(?:(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?,?\s+(?:\d{1,2},?\s+)?"
    r"|©\s*|\(c\)\s*|c©\s*|copyright\s+|published\s+(?:in\s+)?|\d{1,2}/\d{1,2}/)"
    r"((?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_ANY_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_ABSTRACT_WORDS = 300
_MAX_LINES = 400
_PAGE_CHARS = 30_000
_LINE_CHARS = 300
_MIN_PARAGRAPH_WORDS = 40


def suggest_metadata(
    info: dict[str, str],
    pages: list[str],
    *,
    file_name: str = "",
    font_runs: list[tuple[float, str]] | None = None,
    scanned: bool = False,
) -> Suggestion:
    """Guess bibliographic fields from the info dictionary, then from the first page's text."""
    # Bounded views of the text: the heuristics below are regular expressions, and a crafted
    # page of one 200,000-character line must not keep the parent busy for minutes.
    front = [page[:_PAGE_CHARS] for page in pages[:3]]
    first = _bounded(front[0]) if front else ""
    lines = first.split("\n")
    title, title_end = guess_title(info, lines, font_runs or [], file_name)
    suggestion = Suggestion(
        title=title,
        authors=_guess_authors(info, lines, title_end),
        abstract=_guess_abstract(front),
        year=_guess_year(info, first),
        keywords=_guess_keywords(info, [_bounded(page) for page in front[:2]]),
    )
    if scanned:  # text recognised from a picture: every guess rests on it
        suggestion.unsure = [name for name in ("title", "authors", "abstract") if getattr(suggestion, name)]
    return suggestion


def _bounded(page: str) -> str:
    """Return the first lines of `page`, each cut short: all a title page's front matter needs."""
    return "\n".join(line[:_LINE_CHARS] for line in page.split("\n", _MAX_LINES)[:_MAX_LINES])


def _guess_authors(info: dict[str, str], lines: list[str], title_end: int) -> list[str]:
    """Return authors from an 'Authors:' line, the info dictionary, or name lines after the title."""
    for index, line in enumerate(lines[:60]):
        match = _AUTHOR_LINE.match(line.strip())
        if match:
            text = match.group(1)
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            if following and len(following.split()) <= 4 and ":" not in following and heading_like(following):
                text += " " + following  # "Authors: Verian, National Children's" / "Bureau (NCB)"
            names = split_names(text, strict=False)
            if names:
                return names
    first_page = "\n".join(lines)
    from_info = _info_authors(info.get("author", ""))
    if from_info and _confirmed(from_info, first_page):
        return from_info
    # Only papers put their authors' names under the title; reports put subtitles there.
    if title_end and re.search(r"^\s*abstract\b", first_page, re.IGNORECASE | re.MULTILINE):
        names = _names_after_title(lines, title_end)
        if names:
            return names
    return from_info


def _confirmed(names: list[str], page: str) -> bool:
    """Return True if most of the surnames appear on the page (the info field may be stale)."""
    key = normalise_key(page)
    if not key:
        return True  # nothing to check against, e.g. a scan
    found = sum(normalise_key(name.split()[-1]) in key for name in names if name.split())
    return found * 2 >= len(names)


def _info_authors(raw: str) -> list[str]:
    raw = re.sub(r"\([^)]*\)", "", " ".join(raw[:500].split())).strip(" ,;")
    raw = raw.split(" - ")[0].strip()  # "Robertson, Kirsty-Leigh - ST GL": a team after the name
    if not raw or _JUNK_AUTHOR.search(raw):
        return []
    if " " not in raw.replace(",", ", ").strip():
        # A lone token is nearly always a login name ("holmep"), unless it is an acronym ("DfE").
        return [raw] if re.fullmatch(r"[A-Za-z]{2,5}", raw) and sum(c.isupper() for c in raw) >= 2 else []
    parts = [p.strip() for p in re.split(r";|,|\band\b|&", raw) if p.strip()]
    if "," in raw and ";" not in raw and len(parts) == 2 and all(len(p.split()) == 1 for p in parts):
        return [f"{parts[1]} {parts[0]}"]  # "Acton, Faye"
    if any(len(p.split()) == 1 for p in parts) and ";" not in raw:
        return [raw] if len(raw.split()) <= 8 else []
    return parts


def _names_after_title(lines: list[str], start: int) -> list[str]:
    """Collect person names from the lines just below the title, stopping at the abstract."""
    names: list[str] = []
    misses = 0
    for line in lines[start : start + 25]:
        text = line.strip()
        if not text:
            continue
        if _ABSTRACT_HEADING.match(text) or text.lower().startswith("abstract"):
            break
        if len(text.split()) > 16 or (text.endswith(".") and len(text.split()) > 8):
            break  # body text: the author block is over
        # An affiliation line ("University of Texas, Austin") holds places, not people.
        found = [] if _AFFILIATION.search(text) else split_names(text, strict=True)
        if found:
            names.extend(n for n in found if n not in names)
            misses = 0
        else:
            misses += 1
            if not names and misses > 2 or misses > 6:
                break
    return names[:20]


def _guess_abstract(pages: list[str]) -> str | None:
    """Return the paragraph under an Abstract/Summary heading, else the first long paragraph."""
    for page in pages:
        lines = page.split("\n")
        for index, line in enumerate(lines):
            match = _ABSTRACT_HEADING.match(line.strip())
            if not match:
                continue
            body = [match.group(1)] if match.group(1) else []
            text = _paragraph(body + lines[index + 1 :], allow_leading_blank=not body)
            if text and len(text.split()) >= 15:
                return text
    for page in pages:
        for paragraph in re.split(r"\n\s*\n", page):
            text = " ".join(paragraph.split())
            sentences = text.count(". ")
            if len(text.split()) >= _MIN_PARAGRAPH_WORDS and sentences >= 1 and not is_junk_line(text[:200]):
                return _trim_words(text)
    return None


def _paragraph(lines: list[str], *, allow_leading_blank: bool) -> str | None:
    """Join lines up to a blank line or a section heading, at most ~300 words."""
    taken: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            if taken or not allow_leading_blank:
                break
            continue
        if taken and len(text.split()) <= 10 and _SECTION_START.match(text):
            break
        taken.append(text)
        if sum(len(t.split()) for t in taken) >= _ABSTRACT_WORDS:
            break
    joined = " ".join(taken)
    return _trim_words(joined) if joined else None


def _trim_words(text: str) -> str:
    """Cut `text` to about 300 words, at a sentence end when there is one."""
    words = text.split()
    if len(words) <= _ABSTRACT_WORDS:
        return text
    cut = " ".join(words[:_ABSTRACT_WORDS])
    end = cut.rfind(". ")
    return cut[: end + 1] if end > len(cut) // 2 else cut + " …"


def _guess_year(info: dict[str, str], first_page: str) -> int | None:
    """Return a publication year: a dated year on page 1, else the PDF's creation year."""
    created = info.get("creation_date", "")[:4]
    created_year = int(created) if created.isdigit() else None
    limit = created_year or 2100
    head = "\n".join(first_page.split("\n")[:80])
    dated = [int(y) for y in _DATED_YEAR.findall(head) if 1900 <= int(y) <= limit]
    if dated:
        return Counter(dated).most_common(1)[0][0]
    if created_year and 1900 <= created_year <= 2100:
        return created_year
    years = [int(y) for y in _ANY_YEAR.findall(head) if 1950 <= int(y) <= 2100]
    return max(years) if years else None


def _guess_keywords(info: dict[str, str], pages: list[str]) -> list[str]:
    """Return keywords from the info dictionary or a 'Keywords:' line."""
    raw = info.get("keywords", "")
    if not raw:
        for page in pages:
            lines = page.split("\n")
            for index, line in enumerate(lines):
                match = _KEYWORDS_LINE.match(line.strip())
                if match:
                    raw = match.group(1)
                    following = lines[index + 1].strip() if index + 1 < len(lines) else ""
                    if raw.rstrip().endswith((",", ";")) and following:
                        raw += " " + following
                    break
            if raw:
                break
    parts = re.split(r"[;,·•]|\s+[—–-]\s+", raw)
    keywords = []
    for part in parts:
        word = " ".join(part.split()).strip(" .")
        if 2 <= len(word) <= 60 and word.lower() not in {k.lower() for k in keywords}:
            keywords.append(word)
    return keywords[:20]

