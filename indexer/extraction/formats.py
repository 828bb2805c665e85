"""The document formats the repository takes, and the one content sniff that tells them apart.

A file's name says nothing about what it holds: the first bytes decide. The sniff only
looks at those bytes (it opens no container and parses nothing), so it is safe in the
web process; what is inside a ZIP or OLE container is settled by the worker.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """A format the repository stores and reads."""

    name: str  # also the stored file's suffix
    label: str  # what the item page calls it
    content_type: str
    unit: str  # what one stored "page" of text is: a page, a slide, a part of a Word file


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("pdf", "PDF", "application/pdf", "page"),
    Format("docx", "Word document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "part"),
    Format("doc", "Word 97–2003 document", "application/msword", "part"),
    Format("odt", "OpenDocument text file", "application/vnd.oasis.opendocument.text", "part"),
    Format("pptx", "PowerPoint slides", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
           "slide"),
)}

# The file names a folder walk picks up; files named one by one are always sniffed.
SUFFIXES = tuple(f".{name}" for name in FORMATS)
ACCEPTED = "a PDF, Word, OpenDocument text or PowerPoint file"
NOT_ACCEPTED = f"not {ACCEPTED}"

HEAD_BYTES = 1024  # PDF readers accept the header anywhere in the first kilobyte
_PDF = b"%PDF-"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": None,
    b"application/vnd.oasis.opendocument.text-template": None,
    b"application/vnd.oasis.opendocument.spreadsheet": "an OpenDocument spreadsheet",
    b"application/vnd.oasis.opendocument.presentation": "an OpenDocument presentation",
    b"application/vnd.oasis.opendocument.graphics": "an OpenDocument drawing",
}
_SIGNATURES = [
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"#!", "a script"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]


@dataclass(frozen=True)
class Sniffed:
    """What a file's first bytes say: a container to read, or why it is refused."""

    container: str | None  # "pdf" | "zip" (Word, slides, OpenDocument) | "ole" (legacy Word)
    reason: str | None = None  # set when container is None


def sniff(head: bytes) -> Sniffed:
    """Tell from a file's first kilobyte whether it may be a document we read."""
    if _PDF in head[:HEAD_BYTES]:
        return Sniffed("pdf")
    if head.startswith(_ZIP):
        refused = _odf_kind(head)
        if refused:
            return Sniffed(None, not_accepted(f"it is {refused}"))
        return Sniffed("zip")
    if head.startswith(_OLE):
        return Sniffed("ole")
    return Sniffed(None, not_accepted(describe_start(head)))


def not_accepted(what: str, advice: str = "") -> str:
    """Say that a file is none of the formats we take: what it is instead, and what to do about it."""
    return f"{NOT_ACCEPTED} ({what})" + (f"; {advice}" if advice else "")


def _odf_kind(head: bytes) -> str | None:
    """Name an OpenDocument file that is not text, from its stored first entry 'mimetype'."""
    if len(head) < 30:
        return None
    name_length, extra_length = struct.unpack("<HH", head[26:30])
    if head[30 : 30 + name_length] != b"mimetype":
        return None
    start = 30 + name_length + extra_length
    mimetype = head[start : start + 60].split(b"PK", 1)[0].strip()
    for known, refused in _ODF_MIMETYPES.items():
        if mimetype == known:
            return refused
    return None


def describe_start(head: bytes) -> str:
    """Say what a file we do not read starts with, and what it probably is."""
    printable = bytearray()
    for byte in head[:8]:
        if not 0x20 <= byte < 0x7F:
            break
        printable.append(byte)
    if len(printable) >= 2:
        start = f"file starts with '{printable.decode('ascii')}'"
    else:
        start = "file starts with bytes " + " ".join(f"{b:02x}" for b in head[:4])
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return f"{start}; it looks like {kind}"
    if head.lstrip()[:5].lower() in (b"<!doc", b"<html"):
        return f"{start}; it looks like a web page"
    return start
