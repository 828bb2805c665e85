"""Extract text and metadata from PDFs, each in a child process with time and memory limits."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.extraction.metadata import Suggestion, suggest_metadata
from indexer.extraction.normalise import normalise_text
from indexer.extraction.pool import Job, Pool, hash_file
from indexer.extraction.themes import suggest_themes

__all__ = [
    "Extraction",
    "Limits",
    "Suggestion",
    "extract_file",
    "extract_many",
    "hash_file",
    "normalise_text",
    "suggest_themes",
]

# A worker is replaced after this many files so slow leaks in a parser cannot pile up
# (read on each call to extract_many, so bench.sweep and the tests can lower it).
_FILES_PER_WORKER = 200
_MAGIC = b"%PDF-"
_HEAD_BYTES = 1024
_SIGNATURES = [
    (b"MZ", "a Windows program"),
    (b"PK\x03\x04", "a ZIP archive or an Office document"),
    (b"\xd0\xcf\x11\xe0", "an old-style Word or Excel document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"{\\rtf", "an RTF document"),
]


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one file."""

    seconds: float = 30.0  # wall time per file, child process killed after
    memory_mb: int = 1024  # RLIMIT_AS of the child
    max_bytes: int = 100 * 2**20  # files larger are rejected without parsing
    max_pages: int = 2000  # pages beyond are not read (flagged)


@dataclass
class Extraction:
    """The outcome of reading one file: always produced, whatever went wrong."""

    path: str
    sha256: str
    size: int
    status: str  # "ok" | "rejected"
    reason: str | None
    pages: list[str] = field(default_factory=list)
    page_errors: dict[int, str] = field(default_factory=dict)
    page_count: int = 0
    info: dict[str, str] = field(default_factory=dict)
    suggestion: Suggestion = field(default_factory=Suggestion)
    seconds: float = 0.0

    @property
    def text(self) -> str:
        """Return the whole document's text, pages separated by a blank line."""
        return "\n\n".join(self.pages)


def extract_file(path: str | Path, limits: Limits = Limits()) -> Extraction:
    """Read one PDF in a child process and return what it holds or why it was rejected."""
    [result] = extract_many([path], jobs=1, limits=limits)
    return result


def extract_many(
    paths: Iterable[str | Path], *, jobs: int | None = None, limits: Limits = Limits()
) -> Iterator[Extraction]:
    """Read PDFs in parallel child processes, yielding one Extraction per path as each finishes."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    pool = Pool(jobs, limits, files_per_worker=_FILES_PER_WORKER)
    source = iter(paths)
    exhausted = False

    def fill() -> list[Extraction]:
        """Give idle workers new files; return the files settled without a worker."""
        nonlocal exhausted
        early = []
        while not exhausted and pool.has_room():
            try:
                path = str(next(source))
            except StopIteration:
                exhausted = True
                break
            rejected = _precheck(path, limits) or _submit(pool, path)
            if rejected is not None:
                early.append(rejected)
        return early

    try:
        while True:
            yield from pool.hand_over(fill())
            if not pool.busy():
                if exhausted:
                    return
                continue
            finished = pool.collect()
            # Workers get their next file before the caller spends time on these results.
            early = fill()
            yield from pool.hand_over(early + [_conclude(job) for job in finished])
    finally:
        pool.close()


def _submit(pool: Pool, path: str) -> Extraction | None:
    """Hand `path` to a worker; if no worker could be started, reject this file alone."""
    failure = pool.submit(path)
    if failure is None:
        return None
    return Extraction(path=path, sha256="", size=0, status="rejected", reason=failure)


def _precheck(path: str, limits: Limits) -> Extraction | None:
    """Reject, without starting a parser, what is plainly not a readable PDF within limits."""
    started = time.perf_counter()

    def reject(reason: str, sha256: str = "", size: int = 0) -> Extraction:
        return Extraction(
            path=path, sha256=sha256, size=size, status="rejected", reason=reason,
            seconds=time.perf_counter() - started,
        )

    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return reject("not a file (it is a folder)")
        if not stat.S_ISREG(info.st_mode):
            return reject("not a regular file")
        size = info.st_size
        if size == 0:
            return reject("empty file", hashlib.sha256(b"").hexdigest())
        if size > limits.max_bytes:
            # Not hashed: refusing to read an oversized file is the point of the limit.
            return reject(
                f"file too large ({_human_size(size)}; the limit is {_human_size(limits.max_bytes)})",
                size=size,
            )
        with open(path, "rb") as handle:
            head = handle.read(_HEAD_BYTES)
        if _MAGIC not in head:
            return reject(f"not a PDF ({_describe_start(head)})", hash_file(path), size)
    except FileNotFoundError:
        return reject("file not found")
    except OSError as exc:
        return reject(f"could not read the file ({exc.strerror or exc})")
    except ValueError:  # a path with a NUL byte in it
        return reject("could not read the file (the path is not valid)")
    return None


def _describe_start(head: bytes) -> str:
    """Say what a file that is not a PDF starts with, and what it probably is."""
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


def _human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 1024:.0f} KB"
    megabytes = size / 2**20
    return f"{megabytes:.1f} MB" if megabytes < 10 else f"{megabytes:.0f} MB"


def _conclude(job: Job) -> Extraction:
    """Decide the status and reason for a file from everything its worker reported."""
    error, seconds = job.error, job.seconds
    read = len(job.pages)
    has_text = any(page.strip() for page in job.pages)
    status, reason = "ok", None
    if error:
        if has_text:
            # A timeout or memory failure part way through still leaves useful pages.
            reason = f"{error}; only the first {read} of {job.page_count} pages were read"
        else:
            status, reason = "rejected", error
    elif job.page_count == 0:
        status, reason = "rejected", "damaged PDF: it has no pages"
    elif not has_text:
        status = "rejected"
        if read and len(job.page_errors) == read:
            first = job.page_errors[min(job.page_errors)]
            reason = f"damaged PDF: no page could be read ({first})"
        else:
            reason = "no text layer: the file looks scanned or image-only"
    else:
        warnings = []
        if job.page_errors:
            warnings.append(f"{len(job.page_errors)} of {read} pages could not be read")
        if read < job.page_count:
            warnings.append(f"only the first {read} of {job.page_count} pages were read")
        reason = "; ".join(warnings) or None
    try:
        suggestion = suggest_metadata(
            job.info, job.pages, file_name=Path(job.path).name, font_runs=job.font_runs
        )
    except Exception:  # a guess that fails must not lose the extraction
        suggestion = Suggestion()
    return Extraction(
        path=job.path,
        sha256=job.sha256,
        size=job.size,
        status=status,
        reason=reason,
        pages=job.pages,
        page_errors=job.page_errors,
        page_count=job.page_count,
        info=job.info,
        suggestion=suggestion,
        seconds=seconds,
    )
