"""Clean up text extracted from PDFs so it indexes and reads well."""

from __future__ import annotations

import re
import unicodedata

# Characters that carry no text: soft hyphen, zero-width space/joiners, word joiner, BOM.
# (Patterns and str.replace, not str.translate: a translate table with characters beyond
# Latin-1 takes the slow path on every character, and it was a third of this function.)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# Typographic hyphens that NFKC leaves alone; PDFs use them for line-end hyphenation.
_HYPHENS = ("\u2010", "\u2011")
# Line and paragraph separators that should become ordinary newlines.
_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
# A hyphen at a line end between a word and a letter. The words on either side are read with
# bounded lookups, not inside this pattern: "\w+-" would rescan a long run for every start.
_LINE_END_HYPHEN = re.compile(r"(?<=\w)-[ \t]*\n[ \t]*(?=[^\W\d_])")
_HEAD = re.compile(r"\w{1,60}$")
_TAIL = re.compile(r"[^\W\d_]{1,60}")
_WORD = re.compile(r"\w+(?:-\w+)*")
# Prefixes that form real hyphenated compounds; kept when the document gives no other clue.
_COMPOUND_PREFIXES = frozenset({"self", "non", "multi", "cross", "well", "ex", "co"})


def normalise_text(raw: str) -> str:
    """Return `raw` with NFKC forms, rejoined hyphenated words, tidy spaces and paragraphs."""
    text = unicodedata.normalize("NFKC", raw)
    text = _INVISIBLE.sub("", text)
    for hyphen in _HYPHENS:
        text = text.replace(hyphen, "-")
    text = _NEWLINES.sub("\n", text)
    text = text.replace("\t", " ")
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _join_broken_words(text)
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def _join_broken_words(text: str) -> str:
    """Join words split by a hyphen at a line end, unless the document spells them hyphenated."""
    if "-\n" not in text:
        return text
    words = set(_WORD.findall(text.lower()))
    pieces, last = [], 0
    for match in _LINE_END_HYPHEN.finditer(text):
        head_match = _HEAD.search(text, max(0, match.start() - 60), match.start())
        tail_match = _TAIL.match(text, match.end())
        head = head_match.group() if head_match else ""
        tail = tail_match.group() if tail_match else ""
        pieces.append(text[last : match.start()])
        pieces.append("" if _joins(head, tail, words) else "-")
        last = match.end()
    pieces.append(text[last:])
    return "".join(pieces)


def _joins(head: str, tail: str, words: set[str]) -> bool:
    """Decide whether 'head-' at a line end and 'tail' on the next line are one word."""
    if not tail[:1].islower():
        return False  # "Leeds-\nBradford": a capital after the break is a real compound
    joined, hyphenated = (head + tail).lower(), f"{head}-{tail}".lower()
    if hyphenated in words and joined not in words:
        return False
    return not (joined not in words and head.lower() in _COMPOUND_PREFIXES)
