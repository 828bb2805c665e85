"""Recognise the text of scanned PDF pages (worker side): Ghostscript draws a page, Tesseract reads it.

Both programs run as children of the extraction worker, so they share its memory limit
(RLIMIT_AS is inherited) and its process group (the pool kills the group on a timeout).
Each call is also bounded by what is left of the file's OCR time (`OCR_SECONDS`); pages
after that are not recognised, and the report says how many.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.extraction._worker import Output

_DPI = 300  # Tesseract reads body text best at about 300 dpi
# A page drawn larger than this (pixels on its longer side) is drawn at a lower resolution: a
# poster, or a crafted 200-inch page, would otherwise fill the disk and the memory limit.
_MAX_PIXELS = 7000
_LANGUAGE = "eng"
# Tesseract's own threads would fight the other worker for the two cores.
_ENVIRONMENT = {"OMP_THREAD_LIMIT": "1"}


def ocr_tools() -> tuple[str, str] | None:
    """Return the paths of Ghostscript and Tesseract, or None if either is missing."""
    ghostscript, tesseract = shutil.which("gs"), shutil.which("tesseract")
    return (ghostscript, tesseract) if ghostscript and tesseract else None


class Recogniser:
    """OCR for the scanned pages of one file, within one time budget."""

    def __init__(self, output: Output, path: str) -> None:
        self.output = output
        self.path = path
        self.tools = ocr_tools() if output.ocr_seconds > 0 else None
        self.deadline = 0.0
        self.scratch: str | None = None
        self.started = False
        self.recognised = 0
        self.empty = 0
        self.skipped = 0
        self.failures: list[str] = []

    def recognise(self, number: int, points: float = 0.0) -> str | None:
        """Return the text recognised on page `number` (1-based; `points` its longer side), or None."""
        if self.tools is None:
            self.skipped += 1
            return None
        if not self.started:
            self.started = True
            self.output.ocr_starting()
            self.deadline = time.monotonic() + self.output.ocr_seconds
            self.scratch = tempfile.mkdtemp(prefix="ocr-")
        if time.monotonic() >= self.deadline:
            self.skipped += 1
            return None
        try:
            text = self._read_page(number, _resolution(points))
        except subprocess.TimeoutExpired:
            self.skipped += 1
            return None
        except (OSError, subprocess.CalledProcessError) as exc:
            self.failures.append(_describe_failure(exc))
            return None
        if not any(ch.isalnum() for ch in text):
            self.empty += 1
            return None
        self.recognised += 1
        return text

    def _read_page(self, number: int, dpi: int) -> str:
        ghostscript, tesseract = self.tools  # type: ignore[misc]
        assert self.scratch is not None
        image = os.path.join(self.scratch, f"page-{number}.png")
        try:
            # -dSAFER: the page may come from anyone; Ghostscript must not touch files for it.
            subprocess.run(
                [ghostscript, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pnggray", f"-r{dpi}",
                 f"-dFirstPage={number}", f"-dLastPage={number}", "-o", image, self.path],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                timeout=self._remaining(), check=True,
            )
            done = subprocess.run(
                [tesseract, image, "stdout", "-l", _LANGUAGE],
                stdin=subprocess.DEVNULL, capture_output=True, timeout=self._remaining(), check=True,
                env={**os.environ, **_ENVIRONMENT},
            )
        finally:
            if os.path.exists(image):
                os.unlink(image)
        return done.stdout.decode("utf-8", "replace")

    def _remaining(self) -> float:
        return max(0.1, self.deadline - time.monotonic())

    def finish(self) -> None:
        """Clean up and tell the report about scanned pages that gave no text."""
        if self.scratch:
            shutil.rmtree(self.scratch, ignore_errors=True)
        if self.output.ocr_seconds <= 0 and self.skipped:
            self.output.note(f"text recognition (OCR) is turned off, so {_pages(self.skipped)} "
                             "that look scanned were not read")
        elif self.tools is None and self.skipped:
            self.output.note(f"text recognition (OCR) is not installed here (it needs tesseract and "
                             f"ghostscript), so {_pages(self.skipped)} that look scanned were not read")
        elif self.skipped:
            self.output.note(f"text recognition stopped after {self.output.ocr_seconds:g} s: "
                             f"{_pages(self.skipped)} that look scanned were not read")
        if self.empty:
            self.output.note(f"text recognition found no words on {_pages(self.empty)} that look scanned")
        if self.failures:
            self.output.note(f"text recognition failed on {_pages(len(self.failures))} ({self.failures[0]})")


def _resolution(points: float) -> int:
    """Return the dpi to draw a page at: 300, or less for a page too large to draw at 300."""
    if points <= 0:
        return _DPI
    return max(30, min(_DPI, int(_MAX_PIXELS * 72 / points)))


def _pages(count: int) -> str:
    return f"{count} page" if count == 1 else f"{count} pages"


def _describe_failure(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError):
        said = (exc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
        program = os.path.basename(str(exc.cmd[0])) if exc.cmd else "a program"
        return f"{program} exit code {exc.returncode}" + (f": {said[-1][:120]}" if said else "")
    return " ".join(str(exc).split())[:160] or type(exc).__name__
