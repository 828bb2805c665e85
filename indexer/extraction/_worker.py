"""Child-process side of extraction: read PDFs with pypdf under a memory limit.

The parent (indexer.extraction.pool) runs `python -m indexer.extraction._worker FD MEMORY_MB MAX_PAGES SECONDS`
and sends file paths over the socket FD; for each path the worker streams back messages, so a
parent that kills it on timeout keeps the pages already read:

    ("ready", monotonic_time)         # once, when the worker has started
    ("start", sha256, size)
    ("head", page_count, info)
    ("page", number, text, error, runs)  # one per page read, 1-based; runs only for page 1
    ("end", error, seconds)           # error is a rejection reason or None
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import re
import signal
import sys
import time
import warnings
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any

from indexer.extraction.normalise import normalise_text

_CHUNK = 1 << 20
_INFO_KEYS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
    "/Producer": "producer",
    "/CreationDate": "creation_date",
}
_INFO_MAX = 2000
# Real pages hold a few thousand characters; more is a bomb or garbage, and all of it would
# travel to the parent, which has no memory limit of its own.
PAGE_TEXT_LIMIT = 200_000
DOCUMENT_TEXT_LIMIT = 20_000_000
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def main(argv: list[str]) -> None:
    """Serve the parent on the socket whose descriptor is the first argument."""
    fd, memory_mb, max_pages, seconds = int(argv[0]), int(argv[1]), int(argv[2]), float(argv[3])
    if os.environ.get("INDEXER_BLOCK_FONTTOOLS") == "1":
        # Only for measuring what fontTools changes; a None entry makes its import fail.
        sys.modules["fontTools"] = None  # type: ignore[assignment]
    serve(Connection(fd), memory_mb, max_pages, seconds)


def serve(conn: Connection, memory_mb: int, max_pages: int, seconds: float) -> None:
    """Handle paths sent over `conn` until it closes or sends None."""
    _limit_memory(memory_mb)
    _silence_parser()
    import pypdf  # noqa: F401  # import once, before the first file is timed

    _tune_garbage_collector()

    # CLOCK_MONOTONIC is shared by every process on the machine, so the parent can use it.
    _send(conn, ("ready", time.monotonic()))
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        started = time.perf_counter()
        # Backstop for a parent that died without killing us: SIGALRM ends the process.
        signal.alarm(int(seconds * 2) + 10)
        try:
            error = _extract(conn, path, max_pages)
        except MemoryError:
            error = f"ran out of memory (limit {memory_mb} MB)"
            _send(conn, ("end", error, time.perf_counter() - started))
            return  # the heap may be in a poor state: let the parent start a fresh worker
        except (BrokenPipeError, EOFError):
            return
        signal.alarm(0)
        _send(conn, ("end", error, time.perf_counter() - started))
        gc.collect()  # the file's parsed objects are garbage now, cycles and all


def _send(conn: Connection, message: tuple[Any, ...]) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, OSError):
        pass


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space so a decompression bomb fails here, not in the parent."""
    try:
        import resource
    except ImportError:  # not on POSIX: the time limit still applies
        return
    limit = memory_mb * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _tune_garbage_collector() -> None:
    """Collect cycles once per file instead of thousands of times per file.

    pypdf allocates millions of small objects; with the default thresholds the collector
    ran ~3,000 times over the 29 test papers and kept walking the imported modules, 5 %
    of the reading time. The modules never become garbage, so they are frozen out of
    collection; a collection after each file (serve) frees a document's reference cycles,
    so memory stays where it was (peak RSS the same, 52 MB).
    """
    gc.freeze()
    gc.set_threshold(50_000, 50, 1000)


def _silence_parser() -> None:
    """Keep pypdf's warnings about sloppy files out of the parent's stderr."""
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def _extract(conn: Connection, path: str, max_pages: int) -> str | None:
    """Stream one file's messages; return a rejection reason or None."""
    try:
        sha256, size = _hash_file(path)
    except OSError as exc:
        return f"could not read the file ({exc.strerror or exc})"
    conn.send(("start", sha256, size))

    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not _open_without_password(reader):
            return "encrypted: a password is needed to open it"
        page_count = len(reader.pages)
    except MemoryError:
        raise
    except FileNotDecryptedError:
        return "encrypted: a password is needed to open it"
    except DependencyError as exc:
        return f"cannot read this PDF: {_short(exc)}"
    except RecursionError:
        return "damaged PDF: its structure loops back on itself"
    except Exception as exc:  # pypdf raises many types, not all PyPdfError
        return f"damaged PDF: {_short(exc)}"

    conn.send(("head", page_count, _read_info(reader)))
    total = 0
    for number in range(1, min(page_count, max_pages) + 1):
        if total > DOCUMENT_TEXT_LIMIT:
            break  # the parent reports the pages not read
        text, error = "", None
        # Font sizes on the first page tell the title apart from the rest (indexer.titles).
        runs: list[tuple[float, str]] | None = [] if number == 1 else None
        try:
            page = reader.pages[number - 1]
            if runs is None:
                raw = page.extract_text()
            else:
                raw = page.extract_text(visitor_text=_size_recorder(runs))
            text = normalise_text((raw or "")[:PAGE_TEXT_LIMIT])
            total += len(text)
        except MemoryError:
            raise
        except RecursionError:
            error = "page structure loops back on itself"
        except Exception as exc:  # one bad page loses that page only
            error = _short(exc)
        conn.send(("page", number, text, error, runs))
    return None


def _size_recorder(runs: list[tuple[float, str]]) -> Any:
    """Return a pypdf text visitor that appends (font size as drawn, text) to `runs`."""

    budget = [PAGE_TEXT_LIMIT]

    def record(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip() or len(runs) > 5000 or budget[0] <= 0:
            return
        budget[0] -= len(text)
        # The drawn size is the font size scaled by the text and current transformation matrices.
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        drawn = round(abs(size) * abs(a * d - b * c) ** 0.5, 1)
        if runs and runs[-1][0] == drawn:
            runs[-1] = (drawn, runs[-1][1] + text)
        else:
            runs.append((drawn, text))

    return record


def _hash_file(path: str) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def _open_without_password(reader: Any) -> bool:
    """Try the empty user password: files locked only by an owner password open with it."""
    from pypdf import PasswordType

    return reader.decrypt("") != PasswordType.NOT_DECRYPTED


def _read_info(reader: Any) -> dict[str, str]:
    """Return the document information dictionary as short clean strings."""
    try:
        raw = reader.metadata
    except Exception:  # a damaged info dictionary is not worth a rejection
        return {}
    if not raw:
        return {}
    info: dict[str, str] = {}
    for key, name in _INFO_KEYS.items():
        try:
            value = raw.get(key)
            if value is None:
                continue
            value = value.get_object() if hasattr(value, "get_object") else value
            text = " ".join(str(value).replace("\x00", "").split())[:_INFO_MAX]
        except Exception:
            continue
        if name == "creation_date":
            text = _iso_date(text)
        if text:
            info[name] = text
    return info


def _iso_date(value: str) -> str:
    """Turn a PDF date such as D:20150312101500Z into 2015-03-12 (or 2015, or '')."""
    match = _PDF_DATE.match(value.strip())
    if not match:
        return ""
    year, month, day = match.groups()
    try:
        if month and day:
            return datetime(int(year), int(month), int(day)).date().isoformat()
    except ValueError:
        pass
    return year if 1900 <= int(year) <= 2100 else ""


def _short(exc: BaseException) -> str:
    """Return a one-line description of an exception, at most 200 characters."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message[:200]


if __name__ == "__main__":
    main(sys.argv[1:])
    # Skip the interpreter's teardown of pypdf and friends: it holds up the parent,
    # which waits for idle workers to exit at the end of every batch.
    sys.stderr.flush()
    os._exit(0)
