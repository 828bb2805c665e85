"""Extract text and metadata from documents, each in a child process with time and memory limits."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from indexer.extraction.formats import FORMATS, HEAD_BYTES, sniff
from indexer.extraction.metadata import Suggestion, suggest_metadata
from indexer.extraction.normalise import normalise_text
from indexer.extraction.pool import Job, Pool
from indexer.extraction.source import Limits, Source, hash_file, human_size
from indexer.extraction.themes import suggest_themes

__all__ = [
    "Extraction",
    "Limits",
    "Source",
    "Suggestion",
    "extract_file",
    "extract_many",
    "hash_file",
    "normalise_text",
    "precheck",
    "suggest_themes",
]

# A worker is replaced after this many files so slow leaks in a parser cannot pile up
# (read on each call to extract_many, so bench.sweep and the tests can lower it).
_FILES_PER_WORKER = 200


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
    format: str = ""  # a key of formats.FORMATS once the reader has said what the file is
    ocr_pages: list[int] = field(default_factory=list)  # 1-based numbers of pages recognised from a scan
    name: str = ""  # the name the file came with (its path may be a temporary one)

    @property
    def text(self) -> str:
        """Return the whole document's text, pages separated by a blank line."""
        return "\n\n".join(self.pages)


def extract_file(path: str | Path | Source, limits: Limits = Limits()) -> Extraction:
    """Read one document in a child process and return what it holds or why it was rejected."""
    [result] = extract_many([path], jobs=1, limits=limits)
    return result


def extract_many(
    paths: Iterable[str | Path | Source], *, jobs: int | None = None, limits: Limits = Limits()
) -> Iterator[Extraction]:
    """Read documents in parallel child processes, yielding one Extraction per path as each finishes.

    A Source has passed `precheck` already and is not checked again; a plain path is.
    """
    jobs = max(1, jobs or os.cpu_count() or 1)
    pool = Pool(jobs, limits, files_per_worker=_FILES_PER_WORKER)
    items = iter(paths)
    exhausted = False

    def fill() -> list[Extraction]:
        """Give idle workers new files; return the files settled without a worker."""
        nonlocal exhausted
        early = []
        while not exhausted and pool.has_room():
            try:
                item = next(items)
            except StopIteration:
                exhausted = True
                break
            checked = item if isinstance(item, Source) else precheck(str(item), limits)
            rejected = checked if isinstance(checked, Extraction) else _submit(pool, checked)
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


def _submit(pool: Pool, source: Source) -> Extraction | None:
    """Hand `source` to a worker; if no worker could be started, reject this file alone."""
    failure = pool.submit(source)
    if failure is None:
        return None
    return Extraction(path=source.path, sha256=source.sha256, size=source.size, status="rejected",
                      reason=failure, name=source.name)


def precheck(path: str | Path, limits: Limits = Limits(), *, name: str = "",
             with_hash: bool = False) -> Source | Extraction:
    """Check a file without parsing it; return it as a Source (hashed if `with_hash`) or a rejection.

    It must be a regular file within the size limit whose first bytes are a format we read.
    """
    path = str(path)
    started = time.perf_counter()

    def reject(reason: str, sha256: str = "", size: int = 0) -> Extraction:
        return Extraction(
            path=path, sha256=sha256, size=size, status="rejected", reason=reason,
            seconds=time.perf_counter() - started, name=name,
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
                f"file too large ({human_size(size)}; the limit is {human_size(limits.max_bytes)})",
                size=size,
            )
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
        sniffed = sniff(head)
        if sniffed.container is None:
            return reject(sniffed.reason or "not a document", hash_file(path), size)
        return Source(path=path, container=sniffed.container, size=size,
                      sha256=hash_file(path) if with_hash else "", name=name)
    except FileNotFoundError:
        return reject("file not found")
    except OSError as exc:
        return reject(f"could not read the file ({exc.strerror or exc})")
    except ValueError:  # a path with a NUL byte in it
        return reject("could not read the file (the path is not valid)")


def _conclude(job: Job) -> Extraction:
    """Decide the status and reason for a file from everything its worker reported."""
    error, seconds = job.error, job.seconds
    read = len(job.pages)
    units = FORMATS[job.format].unit + "s" if job.format in FORMATS else "pages"
    has_text = any(page.strip() for page in job.pages)
    status, reason = "ok", None
    if error:
        if has_text:
            # A timeout or memory failure part way through still leaves useful pages.
            reason = f"{error}; only the first {read} of {job.page_count} {units} were read"
        else:
            status, reason = "rejected", error
    elif job.page_count == 0:
        status, reason = "rejected", "damaged PDF: it has no pages"
    elif not has_text:
        status = "rejected"
        if read and len(job.page_errors) == read:
            first = job.page_errors[min(job.page_errors)]
            reason = f"damaged file: no {units[:-1]} could be read ({first})"
            if job.format == "pdf":
                reason = f"damaged PDF: no page could be read ({first})"
        elif job.format == "pdf":
            reason = "; ".join(["no text layer: the file looks scanned or image-only", *job.notes])
        else:
            reason = f"no text: its {units} hold no words (only pictures, perhaps)"
    else:
        warnings = []
        if job.page_errors:
            warnings.append(f"{len(job.page_errors)} of {read} {units} could not be read")
        if read < job.page_count:
            warnings.append(f"only the first {read} of {job.page_count} {units} were read")
        warnings.extend(job.notes)
        reason = "; ".join(warnings) or None
    try:
        suggestion = suggest_metadata(
            job.info, job.pages, file_name=job.source.display_name, font_runs=job.font_runs,
            scanned=1 in job.ocr_pages,
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
        format=job.format,
        ocr_pages=job.ocr_pages,
        name=job.source.name,
    )
