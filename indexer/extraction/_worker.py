"""Child-process side of extraction: read documents under a memory limit, streaming what is read.

The parent (indexer.extraction.pool) runs
`python -m indexer.extraction._worker FD MEMORY_MB MAX_PAGES SECONDS OCR_SECONDS` and sends
(path, container, sha256) over the socket FD (sha256 empty when the parent has not hashed
the file). For each file the worker streams back messages, so a parent that kills it on
timeout keeps the pages already read:

    ("ready", monotonic_time)                 # once, when the worker has started
    ("start", sha256, size)
    ("head", format, page_count, info)
    ("ocr", seconds)                          # before the first scanned page is recognised
    ("page", number, text, error, runs, ocr)  # one per page read, 1-based; runs only for page 1
    ("note", text)                            # something the report should say (OCR cut short ...)
    ("end", error, seconds)                   # error is a rejection reason or None

OCR_SECONDS is 0 when text recognition is off. Every parser runs here, never in the parent.
"""

from __future__ import annotations

import gc
import logging
import os
import signal
import sys
import time
import warnings
from multiprocessing.connection import Connection
from typing import Any

from indexer.extraction.normalise import normalise_text
from indexer.extraction.source import hash_file

# Real pages hold a few thousand characters; more is a bomb or garbage, and all of it would
# travel to the parent, which has no memory limit of its own.
PAGE_TEXT_LIMIT = 200_000
DOCUMENT_TEXT_LIMIT = 20_000_000


class Output:
    """What a reader reports about one file, sent to the parent as it goes."""

    def __init__(self, conn: Connection, max_pages: int, ocr_seconds: float) -> None:
        self.conn = conn
        self.max_pages = max_pages
        self.ocr_seconds = ocr_seconds  # 0: text recognition is off or not installed
        self.total = 0
        self.sent = 0

    @property
    def full(self) -> bool:
        """Return True once the document has given as much text or as many pages as it may."""
        return self.total > DOCUMENT_TEXT_LIMIT or self.sent >= self.max_pages

    def head(self, format_name: str, page_count: int, info: dict[str, str]) -> None:
        """Say what the file is, how many pages (slides, parts) it has and its metadata."""
        self.conn.send(("head", format_name, page_count, info))

    def page(self, text: str, *, error: str | None = None, runs: list[tuple[float, str]] | None = None,
             ocr: bool = False) -> None:
        """Send the next page's text (normalised and cut to size)."""
        text = normalise_text(text[:PAGE_TEXT_LIMIT]) if text else ""
        self.total += len(text)
        self.sent += 1
        self.conn.send(("page", self.sent, text, error, runs, ocr))

    def note(self, text: str) -> None:
        """Pass on something the file's report line should say."""
        self.conn.send(("note", text))

    def ocr_starting(self) -> None:
        """Tell the parent that text recognition starts, so it allows the OCR time too."""
        self.conn.send(("ocr", self.ocr_seconds))


def main(argv: list[str]) -> None:
    """Serve the parent on the socket whose descriptor is the first argument."""
    fd, memory_mb, max_pages = int(argv[0]), int(argv[1]), int(argv[2])
    seconds, ocr_seconds = float(argv[3]), float(argv[4])
    if os.environ.get("INDEXER_BLOCK_FONTTOOLS") == "1":
        # Only for measuring what fontTools changes; a None entry makes its import fail.
        sys.modules["fontTools"] = None  # type: ignore[assignment]
    serve(Connection(fd), memory_mb, max_pages, seconds, ocr_seconds)


def serve(conn: Connection, memory_mb: int, max_pages: int, seconds: float, ocr_seconds: float) -> None:
    """Handle files sent over `conn` until it closes or sends None."""
    _limit_memory(memory_mb)
    _silence_parsers()
    import pypdf  # noqa: F401  # import once, before the first file is timed

    _tune_garbage_collector()

    # CLOCK_MONOTONIC is shared by every process on the machine, so the parent can use it.
    _send(conn, ("ready", time.monotonic()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, container, sha256 = request
        started = time.perf_counter()
        # Backstop for a parent that died without killing us: SIGALRM ends the process.
        signal.alarm(int((seconds + ocr_seconds) * 2) + 10)
        output = Output(conn, max_pages, ocr_seconds)
        try:
            error = _extract(output, path, container, sha256)
        except MemoryError:
            error = f"ran out of memory (limit {memory_mb} MB)"
            _send(conn, ("end", error, time.perf_counter() - started))
            return  # the heap may be in a poor state: let the parent start a fresh worker
        except (BrokenPipeError, EOFError):
            return
        signal.alarm(0)
        _send(conn, ("end", error, time.perf_counter() - started))
        gc.collect()  # the file's parsed objects are garbage now, cycles and all


def _extract(output: Output, path: str, container: str, sha256: str) -> str | None:
    """Read one file with the reader for its container; return a rejection reason or None."""
    try:
        size = os.path.getsize(path)
        sha256 = sha256 or hash_file(path)  # the parent may have hashed it already: read it once, not twice
    except OSError as exc:
        return f"could not read the file ({exc.strerror or exc})"
    output.conn.send(("start", sha256, size))
    if container == "pdf":
        from indexer.extraction.pdf import read_pdf

        return read_pdf(output, path)
    if container == "zip":
        from indexer.extraction.packages import read_package

        return read_package(output, path)
    if container == "ole":
        from indexer.extraction.legacy import read_legacy_word

        return read_legacy_word(output, path)
    return f"no reader for a file of kind {container!r}"


def _send(conn: Connection, message: tuple[Any, ...]) -> None:
    try:
        conn.send(message)
    except (BrokenPipeError, OSError):
        pass


def _limit_memory(memory_mb: int) -> None:
    """Cap this process's address space so a decompression bomb fails here, not in the parent.

    The programs this worker runs for OCR and legacy Word files inherit the cap.
    """
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


def _silence_parsers() -> None:
    """Keep the parsers' warnings about sloppy files out of the parent's stderr."""
    for name in ("pypdf", "docx2python", "pptx", "odf"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")


def short(exc: BaseException) -> str:
    """Return a one-line description of an exception, at most 200 characters."""
    message = " ".join(str(exc).split()) or type(exc).__name__
    return message[:200]


if __name__ == "__main__":
    main(sys.argv[1:])
    # Skip the interpreter's teardown of pypdf and friends: it holds up the parent,
    # which waits for idle workers to exit at the end of every batch.
    sys.stderr.flush()
    os._exit(0)
