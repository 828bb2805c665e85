"""Guess a document's title from its first page, type sizes, info dictionary or file name.

The title is a suggestion shown to a depositor, who corrects it. The heuristics were tuned on
real reports, guidance, letters and papers (bench/policy_titles.tsv, scored by bench.titles).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

_JUNK_TITLE = re.compile(
    r"^(microsoft\s+(word|powerpoint|excel)\b|powerpoint presentation|presentation\s*\d*$|untitled"
    r"|document\s*\d*$|slide\s*\d+|title$|dear\b|reference number$|proceedings of\b"
    r"|layout\s*\d*$|page\s*\d+$|draft\s*\d*$|new document\b|print\s*\d*$)",
    re.IGNORECASE,
)
# Names that systems give files for a while: an upload's or a download's temporary name, a
# scanner's job, Office's lock and backup files. A title never looks like this.
_SYSTEM_NAME = re.compile(
    r"^(?:(?:upload|tmp|temp|download|file|scan|img|image|doc)[-_ ]?[a-z0-9_]*\d[a-z0-9_]*"
    r"|~\$?.*|[a-f0-9]{16,}|[a-z0-9]{3,}-\d{8,}|\d[\d_ -]*)(?:\s*\(\d+\))?$",
    re.IGNORECASE,
)
# An info title that names the Word or report template the file was made from ("DFE stat guidance
# template"). Only the info dictionary is checked: on the page, "A template for information-sharing
# agreements" or "Data sharing agreement template" is the document's real title.
_TEMPLATE_NAME = re.compile(r"\btemplate(?:\s*(?:v?\d+(?:\.\d+)*|final|draft))?$", re.IGNORECASE)
_FILE_LIKE = re.compile(r"\.(docx?|pptx?|xlsx?|pdf|indd|qxd|txt|dvi|tex|rtf|odt|ps)\b|\btxt$", re.I)
_TITLE_SUFFIXES = re.compile(r"\s+-\s+(google docs|word|microsoft word)$", re.IGNORECASE)
# A line of person names ends a title run; metadata's author guesses look for the same lines.
_NOT_NAME_WORDS = re.compile(
    r"\b(universit\w*|department|dept|institut\w*|school|college|laborator\w*|lab|centre|center"
    r"|inc|ltd|limited|corporation|research|faculty|division|group|street|road|avenue|box|usa|uk"
    r"|ieee|acm|member|council|borough|county|city|ministry|agency|trust|service|services|nhs"
    r"|government|authority|authorities|education|care|data|families|children|report|guidance"
    r"|abstract|introduction|summary|contents|version|draft|page|date|keywords?|microsoft|google"
    r"|yahoo|ibm|the|of|for|and|in|on|to"
    r"|with|via|from|by|a|an|at|is|are|we)\b",
    re.IGNORECASE,
)
_NAME_TOKEN = re.compile(r"^(?:[A-Z][\w'’\-]*\.?|[A-Z]\.(?:-?[A-Z]\.)*|d[eiau]|van|von|der|de la)$")
_HONORIFIC = re.compile(r"^(?:dr|prof|professor|mr|mrs|ms|miss|sir|dame)\.?\s+", re.IGNORECASE)
_MARKERS = re.compile(r"[\d†‡∗*☯◦§¶#]+")
_EMAIL = re.compile(r"\S+@\S+|\{[^}]*\}|\([^)]*@[^)]*\)")
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*\d+(?:\s*(?:of|/)\s*\d+)?|p\s?a\s?g\s?e\s?\d+.*|[-–]?\s*\d{1,4}\s*[-–]?|[ivxlc]{1,6})$",
    re.IGNORECASE,
)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    r"^(?:(?:date(?: received)?|updated|last updated|published|publication date|revision dates?"
    r"|report date|implementation date)\s*:?\s*)?"
    rf"(?:(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{_MONTH},?\s+(?:\d{{1,2}}(?:st|nd|rd|th)?,?\s+)?(?:19|20)\d\d"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
_JUNK_LINE = re.compile(
    r"^(?:contents|table of contents|official(?:\s*-\s*sensitive)?|research article|draft|confidential"
    r"|(?:in\s+)?proceedings of\b|arxiv:|doi:|issn\b|isbn\b|www\.|https?://)|©|\bc©|copyright\b"
    r"|\bvol\.\s*\d+.*\bno\.\s*\d+|\S+@\S+\.\w+|^\S+\.(?:org|gov|com|ac|co|net)(?:\.uk)?\S*$",
    re.IGNORECASE,
)
_DOMAIN = re.compile(r"\b[\w-]+\.(?:org|gov|com|net|ac|co|nhs)(?:\.uk)?\b", re.IGNORECASE)
_BULLET = "•·▪◦-–*"
_SMALL_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over the to via with".split()
)
_CONNECTORS = tuple(f" {w}" for w in _SMALL_WORDS) + (":", "-", "–", "&", ",")
_MARKER_CHARS = "∗†‡*☯"


def clean_info_title(raw: str | None, file_name: str = "") -> str | None:
    """Return the info dictionary's title if it looks like a real title, else None."""
    if not raw:
        return None
    title = _TITLE_SUFFIXES.sub("", " ".join(raw[:500].split())).strip(" -_:;,.")
    letters = sum(ch.isalpha() for ch in title)
    words = title.split()
    if _JUNK_TITLE.match(title) or _FILE_LIKE.search(title) or len(words) < 2 or letters < 8:
        return None
    if is_system_name(title):
        return None
    if _TEMPLATE_NAME.search(title):
        return None
    if letters < 0.6 * len(title.replace(" ", "")):
        return None  # "KM007-20170926094048": a scanner's job name
    stem = normalise_key(Path(file_name).stem)
    if stem and normalise_key(title) == stem:
        return None
    return tidy_title(title)


def is_system_name(text: str) -> bool:
    """Return True for a name a system made up (upload-3sd0oik8, tmpx8w2_k1, ~$report, scan0042)."""
    return bool(_SYSTEM_NAME.match(" ".join(text.split())))


def guess_title(
    info: dict[str, str], lines: list[str], runs: list[tuple[float, str]], file_name: str
) -> tuple[str | None, int, str]:
    """Return a title, the index of the first-page line after it (0 if not from the page), and
    where it came from: "letter", "type" (the largest type), "info", "text" (the first line
    that reads as a title), "file" (the file name) or "" (nowhere).
    """
    # Order measured on real reports and papers (see bench/policy_titles.tsv): the type size
    # on the page beats the info dictionary, whose titles are often stale or another paper's.
    found = letter_title(lines)
    if found:
        return (*found, "letter")
    found = font_title(lines, runs)
    if found:
        return (*found, "type")
    info_title = clean_info_title(info.get("title"), file_name)
    if info_title:
        return info_title, _line_after(lines, info_title), "info"
    found = text_title(lines)
    if found:
        return (*found, "text")
    title = _title_from_file_name(file_name)
    return title, 0, "file" if title else ""


def _line_after(lines: list[str], title: str) -> int:
    """Return the index after the first-page lines that spell `title`, or 0."""
    key = normalise_key(title)
    joined = ""
    for index, line in enumerate(lines[:40]):
        line_key = normalise_key(line)
        if not line_key:
            joined = ""
            continue
        joined += line_key
        if key and key in joined:
            return index + 1
        if not key.startswith(joined):
            joined = line_key if key.startswith(line_key) else ""
    return 0


def normalise_key(text: str) -> str:
    """Return `text` lowercased with only letters and digits, for matching across layouts."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def tidy_title(text: str) -> str:
    """Tidy a title: spaces, footnote markers, stray end punctuation, SHOUTING."""
    text = " ".join(text.translate({ord(c): " " for c in _MARKER_CHARS}).split())
    text = re.sub(r"(\w)- (\w)", r"\1-\2", text).strip(" -–:;,.")
    letters = [ch for ch in text if ch.isalpha()]
    if len(text.split()) >= 2 and letters and sum(ch.isupper() for ch in letters) >= 0.9 * len(letters):
        text = _title_case(text)
    return text[:300]


def _title_case(text: str) -> str:
    words = []
    for index, word in enumerate(text.split(" ")):
        lower = word.lower()
        if index and lower in _SMALL_WORDS:
            words.append(lower)
        elif len(word) <= 3 and word.isalpha():
            words.append(word)  # probably an acronym: GP, SSD, NHS
        else:
            words.append(word[:1] + word[1:].lower())
    return " ".join(words)


def is_junk_line(line: str) -> bool:
    """Return True for page furniture: page numbers, URLs, running heads, copyright lines."""
    text = line.strip()
    if not text or _PAGE_NUMBER.match(text) or _JUNK_LINE.search(text):
        return True
    if len(text.split()) <= 3 and _DOMAIN.search(text):
        return True  # "1 socialfinance.org.uk": a running footer
    letters = sum(ch.isalpha() for ch in text)
    return letters < 2 or letters < 0.5 * len(text.replace(" ", ""))


def looks_like_date(line: str) -> bool:
    """Return True for a short line that is a date ('July 2025', 'Date: 13/04/2018')."""
    text = line.strip()
    return len(text.split()) <= 8 and bool(_DATE_LINE.match(text))


def heading_like(line: str) -> bool:
    """Return True for a short line that could be a title or subtitle."""
    text = line.strip()
    return (
        bool(text)
        and (text[0].isupper() or text[0].isdigit())
        and 1 <= len(text.split()) <= 20
        and not text.endswith(".")
        and not is_junk_line(text)
        and not looks_like_date(text)
    )


def _acceptable(title: str) -> bool:
    words = title.split()
    letters = sum(ch.isalpha() for ch in title)
    return (
        2 <= len(words) <= 40
        and letters >= 8
        and not is_junk_line(title)
        and not looks_like_date(title)
        and not _JUNK_TITLE.match(title)
    )


def letter_title(lines: list[str]) -> tuple[str, int] | None:
    """Return the subject of a letter: a 'Re:' line, or the heading under 'Dear ...'."""
    head = lines[:60]
    for index, line in enumerate(head):
        text = line.strip()
        match = re.match(r"^(?:re|subject)\s*:\s*(.{6,})$", text, re.IGNORECASE)
        if match or re.match(r"^request for information\b", text, re.IGNORECASE):
            return tidy_title(match.group(1) if match else text), index + 1
    for index, line in enumerate(head):
        if re.match(r"^dear\s+\S", line.strip(), re.IGNORECASE):
            for following in range(index + 1, min(index + 3, len(head))):
                text = head[following].strip()
                if not text:
                    continue
                if heading_like(text) and len(text.split()) <= 12 and not text.lower().startswith("thank"):
                    return tidy_title(text), following + 1
                return None
            return None
    return None


def font_title(lines: list[str], runs: list[tuple[float, str]]) -> tuple[str, int] | None:
    """Return the first-page lines set in the largest type that reads as a title."""
    weights: Counter[float] = Counter()
    for size, text in runs:
        weights[size] += len(normalise_key(text))
    if not weights:
        return None
    body = max(weights, key=lambda size: weights[size])
    # On a cover page the title's type can be the commonest size; large type still counts.
    floor = body if body >= 14 else body * 1.15
    tried: list[float] = []
    for size in sorted((s for s in weights if s >= floor), reverse=True):
        if any(abs(size - other) <= 0.03 * other for other in tried):
            continue
        tried.append(size)
        key = "".join(normalise_key(t) for s, t in runs if abs(s - size) <= 0.03 * size)
        found = _lines_spelling(lines, key)
        if found:
            return found
        if len(tried) >= 5:
            break
    return None


def _lines_spelling(lines: list[str], key: str) -> tuple[str, int] | None:
    """Find the first run of consecutive lines whose text is part of `key`; tidy it as a title."""
    if len(key) < 6:
        return None
    start = None
    for index, line in enumerate(lines[:80]):
        line_key = normalise_key(line)
        if len(line_key) >= 3 and not line_key.isdigit() and line_key in key and not is_junk_line(line):
            start = index
            break
    if start is None:
        return None
    run, end = [lines[start].strip()], start + 1
    while end < len(lines) and len(run) < 6:
        line_key = normalise_key(lines[end])
        if not line_key or line_key not in key or is_junk_line(lines[end]):
            break
        run.append(lines[end].strip())
        end += 1
    if len(run) > 1 and re.search(r"\bproject\s+\w{1,3}$", run[0], re.IGNORECASE):
        run = run[1:]  # "DDSF Project 1a": a series label above the real title
    title = tidy_title(" ".join(run))
    if not _acceptable(title):
        return None
    return _with_subtitle(title, lines, end)


def _with_subtitle(title: str, lines: list[str], end: int) -> tuple[str, int]:
    """Add the subtitle to a very short title ('Information Sharing: Advice for ...')."""
    index = end
    while index < len(lines) and index <= end + 1 and not lines[index].strip():
        index += 1
    if index >= len(lines):
        return title, end
    first = lines[index].strip()
    volume = re.match(r"^(?:volume|vol\.|part|book)\s+\w+", first, re.IGNORECASE)
    if len(title.split()) > 3 and not volume:
        return title, end
    if not heading_like(first) or split_names(first, strict=True):
        return title, end
    parts, index = [first], index + 1
    while index < len(lines) and len(parts) < 4:
        text = lines[index].strip()
        if not text or looks_like_date(text) or is_junk_line(text):
            break
        if not (text[0].islower() or parts[-1].endswith(_CONNECTORS)):
            break
        parts.append(text)
        index += 1
    return f"{title}: {tidy_title(' '.join(parts))}", index


def text_title(lines: list[str]) -> tuple[str, int] | None:
    """Return the first substantial line(s) of the page, joined when the title wraps."""
    for index, line in enumerate(lines[:40]):
        text = line.strip()
        if not text or is_junk_line(text) or looks_like_date(text):
            continue
        words = text.split()
        if len(words) < 2 or sum(ch.isalpha() for ch in text) < 8:
            continue
        if len(words) > 20 or (text.endswith(".") and len(words) > 8):
            return None  # the page opens with body text: no title to find
        run, end = [text], index + 1
        while end < len(lines) and len(run) < 3:
            following = lines[end].strip()
            if not following or is_junk_line(following) or looks_like_date(following):
                break
            if split_names(following, strict=True) or len(" ".join(run + [following]).split()) > 25:
                break
            if following[0] in _BULLET:
                break
            if not (following[0].islower() or run[-1].endswith(_CONNECTORS)):
                break
            run.append(following)
            end += 1
        title = tidy_title(" ".join(run))
        return (title, end) if _acceptable(title) else None
    return None


def _title_from_file_name(file_name: str) -> str | None:
    """Turn 'Think_Family-risk log v2.pdf' into 'Think Family risk log', if it has words."""
    stem = Path(file_name).stem
    stem = re.sub(r"[_]+", " ", stem)
    stem = re.sub(r"\b(v\d+(\.\d+)*|final|draft|copy|\(\d+\))\b", " ", stem, flags=re.IGNORECASE)
    stem = " ".join(stem.split()).strip(" -")
    letters = sum(ch.isalpha() for ch in stem)
    if letters < 3 or letters < 0.5 * len(stem.replace(" ", "")) or is_system_name(Path(file_name).stem):
        return None
    return stem


def split_names(text: str, *, strict: bool) -> list[str]:
    """Split a line of names on commas, 'and', '&', markers and wide gaps."""
    text = _EMAIL.sub(" ", text)
    text = re.sub(r"\([^)]*\)", " ", text)
    chunks = re.split(r",|;|\band\b|&|[†‡∗*☯◦§¶]|\d+|\s{2,}", text)
    names = []
    for chunk in chunks:
        chunk = _HONORIFIC.sub("", " ".join(_MARKERS.sub(" ", chunk).split())).strip(" .")
        if not chunk:
            continue
        if strict:
            names.extend(_person_names(chunk))
        elif 1 <= len(chunk.split()) <= 6:
            names.append(chunk)
    return names


def _person_names(chunk: str) -> list[str]:
    """Return the names in `chunk` if it is made only of name-like words, else []."""
    tokens = chunk.split()
    if not 2 <= len(tokens) <= 8 or _NOT_NAME_WORDS.search(chunk):
        return []
    if not all(_NAME_TOKEN.match(t) or t.isupper() for t in tokens):
        return []
    if re.fullmatch(r"[A-Z]{2}", tokens[-1]):
        return []  # "Redmond WA": a town and a state code
    tokens = [t.capitalize() if t.isupper() and len(t) > 2 else t for t in tokens]
    if len(tokens) <= 3:
        return [" ".join(tokens)]
    # Several names on one line with nothing between them: "Ruifang Ge Raymond J. Mooney".
    names = _segment_names(tokens)
    return names or ([" ".join(tokens)] if len(tokens) <= 6 else [])


# The shapes of one person's name, as word (W) and initial (I) tokens, with a cost: two
# words is the commonest shape, three words the least sure (a middle name, or two names?).
_NAME_SHAPES = {"WW": 1, "WIW": 1, "IW": 1, "IIW": 1, "WIIW": 1, "IWW": 2, "WWW": 3}
_INITIAL = re.compile(r"^[A-Z]\.(?:-?[A-Z]\.)*$")
_PARTICLES = frozenset({"de", "da", "di", "du", "van", "von", "der", "la", "le"})


def _segment_names(tokens: list[str]) -> list[str]:
    """Split a run of name words into people by the cheapest reading; [] if none or two are cheapest."""
    if any(t.lower() in _PARTICLES for t in tokens):
        return []  # "Maria de la Cruz": where one name ends is anyone's guess
    shapes = "".join("I" if _INITIAL.match(t) else "W" for t in tokens)
    # best[i] = (cost, number of cheapest readings, names) for the first i tokens
    best: list[tuple[float, int, list[str]]] = [(0, 1, [])] + [(float("inf"), 0, [])] * len(tokens)
    for end in range(1, len(tokens) + 1):
        for start in range(max(0, end - 4), end):
            cost = _NAME_SHAPES.get(shapes[start:end])
            before = best[start]
            if cost is None or before[1] == 0:
                continue
            total = before[0] + cost
            names = before[2] + [" ".join(tokens[start:end])]
            if total < best[end][0]:
                best[end] = (total, before[1], names)
            elif total == best[end][0]:
                best[end] = (total, best[end][1] + before[1], best[end][2])
    cost, readings, names = best[-1]
    return names if readings == 1 and len(names) >= 2 else []
