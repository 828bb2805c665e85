"""What extraction is told about a file before reading it: the limits, and what the precheck found."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

_CHUNK = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one file."""

    seconds: float = 30.0  # wall time per file, child process killed after
    memory_mb: int = 1024  # RLIMIT_AS of the child (and of the OCR programs it runs)
    max_bytes: int = 100 * 2**20  # files larger are rejected without parsing
    max_pages: int = 2000  # pages beyond are not read (flagged)
    ocr: bool = True  # recognise the text of scanned pages
    ocr_seconds: float = 120.0  # wall time for recognising one file's scanned pages, on top of `seconds`


@dataclass(frozen=True)
class Source:
    """A file that passed the precheck, with what the precheck learnt about it."""

    path: str
    container: str  # what the first bytes say: "pdf", "zip" or "ole" (see formats.sniff)
    size: int
    sha256: str = ""  # empty when the precheck did not hash it: the worker hashes as it reads
    name: str = ""  # the name the file came with, when its path is a temporary one (uploads)

    @property
    def display_name(self) -> str:
        """Return the name to guess a title from and to report: the given name, else the path's."""
        return self.name or self.path.replace("\\", "/").rsplit("/", 1)[-1]


def hash_file(path: str) -> str:
    """Return the SHA-256 of the file at `path`, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def human_size(size: int) -> str:
    """Return a byte count as people say it: 812 bytes, 40 KB, 3.5 MB, 120 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 1024:.0f} KB"
    megabytes = size / 2**20
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:.0f} MB"
