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
    r"^(?:\d{1,2}\.?\s+)?(?:abstract|summary|executive summary)\s*(?:[.:—–-]\s*(.*))?$", re.IGNORECASE
)
# Where reports and guidance say what they are about when they have no summary.
_INTRO_HEADING = re.compile(
    r"^(?:\d{1,2}(?:\.\d{1,2})?\.?\s+)?(?:about this (?:guidance|advice|document|report|evaluation)"
    r"|introduction|foreword|ministerial foreword|preface|background|overview|purpose(?:,? scope and audience)?"
    r"|status|context)\s*:?$",
    re.IGNORECASE,
)
# A table of contents: dot leaders, or a line ending in a page number (after a word, not a year).
_LEADERS = re.compile(r"\.{4,}|…{2,}|(?:\. ){4,}")
_ENDS_WITH_PAGE = re.compile(r"[A-Za-z)’'][\s.]+(?:page\s*)?\d{1,3}$", re.IGNORECASE)
_CONTENTS_HEADING = re.compile(r"^(?:\d{1,3}\s+)?(?:table of contents|(?:document )?contents)\b", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,3}$")
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
# Reports put their summary after a cover, a contents list and a foreword: look this far.
_ABSTRACT_PAGES = 6
_FALLBACK_PAGES = 3


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
    front = [page[:_PAGE_CHARS] for page in pages[:_ABSTRACT_PAGES]]
    first = _bounded(front[0]) if front else ""
    lines = first.split("\n")
    title, title_end, title_source = guess_title(info, lines, font_runs or [], file_name)
    abstract, abstract_sure = _guess_abstract(front)
    authors, authors_sure = _guess_authors(info, lines, title_end)
    suggestion = Suggestion(
        title=title,
        authors=authors,
        abstract=abstract,
        year=_guess_year(info, first),
        keywords=_guess_keywords(info, [_bounded(page) for page in front[:2]]),
    )
    # Measured on the shared corpora (bench.suggestions): a title from the first line that
    # reads as one, or from the file name, was right far less often than one set in the
    # page's largest type; so was an abstract not under a heading of its own.
    sure = {"title": title_source in ("letter", "type", "info"), "authors": authors_sure,
            "abstract": abstract_sure}
    suggestion.unsure = [name for name in ("title", "authors", "abstract")
                         if getattr(suggestion, name) and (scanned or not sure[name])]
    return suggestion


def _bounded(page: str) -> str:
    """Return the first lines of `page`, each cut short: all a title page's front matter needs."""
    return "\n".join(line[:_LINE_CHARS] for line in page.split("\n", _MAX_LINES)[:_MAX_LINES])


def _guess_authors(info: dict[str, str], lines: list[str], title_end: int) -> tuple[list[str], bool]:
    """Return authors from an 'Authors:' line, the info dictionary, or name lines after the title,
    and whether the page bears them out (an info author the page never names is unsure).
    """
    for index, line in enumerate(lines[:60]):
        match = _AUTHOR_LINE.match(line.strip())
        if match:
            text = match.group(1)
            following = lines[index + 1].strip() if index + 1 < len(lines) else ""
            if following and len(following.split()) <= 4 and ":" not in following and heading_like(following):
                text += " " + following  # "Authors: Verian, National Children's" / "Bureau (NCB)"
            names = split_names(text, strict=False)
            if names:
                return names, True
    first_page = "\n".join(lines)
    from_info = _info_authors(info.get("author", ""))
    if from_info and _confirmed(from_info, first_page):
        return from_info, bool(normalise_key(first_page))
    # Only papers put their authors' names under the title; reports put subtitles there.
    if title_end and re.search(r"^\s*abstract\b", first_page, re.IGNORECASE | re.MULTILINE):
        names = _names_after_title(lines, title_end)
        if names:
            return names, True
    return from_info, False


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


def _guess_abstract(pages: list[str]) -> tuple[str | None, bool]:
    """Return the abstract and whether it sat under its own heading (else the guess is unsure).

    In order: the paragraph under an Abstract or Summary heading, the first long paragraph
    of the first pages, the paragraph under an Introduction-like heading. A table of
    contents is never taken for one.
    """
    found = _under_heading(pages, _ABSTRACT_HEADING)
    if found:
        return found, True
    for page in pages[:_FALLBACK_PAGES]:
        for paragraph in re.split(r"\n\s*\n", page):
            lines = _without_heading([line.strip() for line in paragraph.split("\n") if line.strip()])
            text = " ".join(" ".join(lines).split())
            sentences = text.count(". ")
            if (len(text.split()) >= _MIN_PARAGRAPH_WORDS and sentences >= 1 and not is_junk_line(text[:200])
                    and not looks_like_contents(lines)):
                return _trim_words(text), False
    return _under_heading(pages, _INTRO_HEADING), False


def _under_heading(pages: list[str], heading: re.Pattern[str]) -> str | None:
    """Return the first paragraph of 15 words or more under a line matching `heading`."""
    for page in pages:
        lines = page.split("\n")
        for index, line in enumerate(lines):
            match = heading.match(line.strip())
            if not match:
                continue
            first = match.group(1) if match.groups() else None
            body = [first] if first else []
            following = lines[index + 1 :]
            text = _paragraph(body + following, allow_leading_blank=not body)
            if text and len(text.split()) >= 15 and not looks_like_contents(following[:12]):
                return text
    return None


def looks_like_contents(lines: list[str]) -> bool:
    """Return True for lines that are a table of contents, whether laid out in lines or run together."""
    lines = [line.strip() for line in lines if line.strip()]
    if not lines:
        return False
    if any(_CONTENTS_HEADING.match(line) for line in lines[:3]):
        return True
    if sum(len(_LEADERS.findall(line)) for line in lines) >= 2:
        return True
    ending = sum(bool(_ENDS_WITH_PAGE.search(line)) for line in lines)
    if len(lines) >= 3 and ending >= 3 and ending >= 0.4 * len(lines):
        return True
    # Run together into one line: "Legislation 6 Contact details 6 Data protection 7 ...".
    tokens = " ".join(lines).split()
    numbers = sum(bool(_NUMBER.match(token)) for token in tokens)
    sentences = len(re.findall(r"[a-z]{2}[.!?](?:\s|$)", " ".join(lines)))
    return numbers >= 6 and numbers >= 0.12 * len(tokens) and sentences * 3 < numbers


def _without_heading(lines: list[str]) -> list[str]:
    """Drop page numbers and short headings above a paragraph ("About this guidance", "1.1 Purpose")."""
    start = 0
    while start < len(lines) - 1 and start < 3:
        line, following = lines[start], lines[start + 1]
        # A heading stands alone: the next line starts a sentence of its own, not this one's rest
        # (and not a bullet: a list belongs with the line above it, as on a slide).
        starts_anew = following[:1].isupper() or following[:1].isdigit()
        if _NUMBER.match(line) or (len(line.split()) <= 6 and not line.endswith((".", ",", ";", ":"))
                                   and heading_like(line) and starts_anew and len(following.split()) >= 4):
            start += 1
            continue
        break
    return lines[start:]


def _paragraph(lines: list[str], *, allow_leading_blank: bool) -> str | None:
    """Join lines up to a blank line or a section heading, at most ~300 words."""
    taken: list[str] = []
    for line in lines:
        text = line.strip()
        if not text:
            if taken and (len(taken) > 1 or len(taken[0].split()) > 6) or not allow_leading_blank:
                break
            continue  # past a blank after a sub-heading ("Preface", blank, "Status", paragraph)
        if taken and len(text.split()) <= 10 and _SECTION_START.match(text):
            break
        taken.append(text)
        if sum(len(t.split()) for t in taken) >= _ABSTRACT_WORDS:
            break
    joined = " ".join(_without_heading(taken))
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

