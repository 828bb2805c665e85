"""Extract text and metadata from PDFs, each in a child process with time and memory limits."""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from indexer.metadata import Suggestion, suggest_metadata
from indexer.normalise import normalise_text
from indexer.themes import suggest_themes

__all__ = [
    "Extraction",
    "Limits",
    "Suggestion",
    "extract_file",
    "extract_many",
    "normalise_text",
    "suggest_themes",
]

# How long a new worker may take to start Python and import pypdf before its file's clock runs.
_STARTUP_SECONDS = 60.0
# A worker is replaced after this many files so slow leaks in a parser cannot pile up.
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
    pool = _Pool(jobs, limits)
    source = iter(paths)
    exhausted = False
    try:
        while True:
            while not exhausted and pool.has_room():
                try:
                    path = str(next(source))
                except StopIteration:
                    exhausted = True
                    break
                early = _precheck(path, limits) or pool.submit(path)
                if early is not None:
                    yield from pool.hand_over([early])
            if not pool.busy():
                if exhausted:
                    return
                continue
            yield from pool.hand_over(pool.collect())
    finally:
        pool.close()


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
            return reject(f"not a PDF ({_describe_start(head)})", _hash_file(path), size)
    except FileNotFoundError:
        return reject("file not found")
    except OSError as exc:
        return reject(f"could not read the file ({exc.strerror or exc})")
    except ValueError:  # a path with a NUL byte in it
        return reject("could not read the file (the path is not valid)")
    return None


def _hash_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g} s"


class _Job:
    """What the parent has heard so far about the file a worker is reading."""

    def __init__(self, path: str, deadline: float) -> None:
        self.path = path
        self.deadline = deadline
        self.started = time.monotonic()
        self.sha256 = ""
        self.size = 0
        self.page_count = 0
        self.info: dict[str, str] = {}
        self.pages: list[str] = []
        self.page_errors: dict[int, str] = {}
        self.font_runs: list[tuple[float, str]] = []


class _Worker:
    """One child process that reads files one at a time.

    A plain subprocess running `python -m indexer._worker`, not multiprocessing: the child
    never re-imports the parent's __main__ (a script, a REPL, a WSGI server), so it starts
    the same way whatever started the parent.
    """

    def __init__(self, limits: Limits) -> None:
        ours, theirs = socket.socketpair()
        self.stderr = tempfile.TemporaryFile()
        package_root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "indexer._worker", str(theirs.fileno()),
                 str(limits.memory_mb), str(limits.max_pages), repr(limits.seconds)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.stderr, env=env,
            )
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.eof = False
        self.files = 0
        self.job: _Job | None = None

    def alive(self) -> bool:
        return self.process.poll() is None

    def last_words(self) -> str:
        """Return the last line the process wrote to stderr, if any (why it died)."""
        try:
            self.stderr.seek(0)
            lines = [line.strip() for line in self.stderr.read().decode("utf-8", "replace").splitlines()]
        except (OSError, ValueError):
            return ""
        return next((line for line in reversed(lines) if line), "")[:200]

    def stop(self, *, force: bool) -> None:
        """End the process: politely when idle, by SIGKILL when busy or stuck."""
        if not force:
            try:
                self.conn.send(None)
            except OSError:
                pass
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if self.alive():
            self.process.kill()
        self.process.wait()
        self.conn.close()
        self.stderr.close()


class _Pool:
    """Workers reused across files, replaced when one times out, crashes or retires."""

    def __init__(self, size: int, limits: Limits) -> None:
        self.size = size
        self.limits = limits
        self.workers: list[_Worker] = []

    def has_room(self) -> bool:
        return sum(w.job is not None for w in self.workers) < self.size

    def busy(self) -> list[_Worker]:
        return [w for w in self.workers if w.job is not None]

    def submit(self, path: str) -> Extraction | None:
        """Give `path` to an idle live worker, starting one if needed; a result if none starts."""
        for worker in [w for w in self.workers if w.job is None]:
            fresh = worker.files < _FILES_PER_WORKER
            if fresh and worker.alive() and self._send(worker, path):
                return None
            self._retire(worker, force=False)
        try:
            worker = _Worker(self.limits)
        except OSError as exc:  # out of processes or file descriptors: this file only
            return Extraction(path=path, sha256="", size=0, status="rejected",
                              reason=f"could not start the PDF reader ({exc.strerror or exc})")
        self.workers.append(worker)
        # If this send fails the new process died at once; collect() reports why.
        self._send(worker, path)
        return None

    def _send(self, worker: _Worker, path: str) -> bool:
        now = time.monotonic()
        grace = 0.0 if worker.ready else _STARTUP_SECONDS
        worker.job = _Job(path, now + grace + self.limits.seconds)
        try:
            worker.conn.send(os.path.abspath(path))  # the worker must not depend on our cwd
        except OSError:
            return False
        return True

    def hand_over(self, results: list[Extraction]) -> Iterator[Extraction]:
        """Yield results without charging the consumer's time to the files still being read."""
        for result in results:
            paused = time.monotonic()
            yield result
            delay = time.monotonic() - paused
            for worker in self.busy():
                worker.job.deadline += delay  # type: ignore[union-attr]

    def collect(self) -> list[Extraction]:
        """Wait until at least one busy worker finishes, fails or runs out of time."""
        busy = self.busy()
        timeout = max(0.0, min(w.job.deadline for w in busy) - time.monotonic())  # type: ignore[union-attr]
        # A worker that dies closes its socket, which wakes this wait as well.
        wait([w.conn for w in busy], timeout)
        finished = []
        for worker in busy:
            result = self._drain(worker)
            if result is None and worker.eof:
                try:  # its socket is closed, so the process is exiting or gone
                    worker.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                result = self._fail(worker, self._obituary(worker))
            if result is None and time.monotonic() >= worker.job.deadline:  # type: ignore[union-attr]
                result = self._fail(worker, f"timed out after {_seconds_text(self.limits.seconds)}")
            if result is not None:
                finished.append(result)
        return finished

    def _drain(self, worker: _Worker) -> Extraction | None:
        """Read every message waiting from `worker`; return the result once its file is done."""
        job = worker.job
        assert job is not None
        try:
            while worker.conn.poll():
                message = worker.conn.recv()
                kind = message[0]
                if kind == "ready":
                    worker.ready = True
                    job.deadline = min(job.deadline, message[1] + self.limits.seconds)
                elif kind == "start":
                    job.sha256, job.size = message[1], message[2]
                elif kind == "head":
                    job.page_count, job.info = message[1], message[2]
                elif kind == "page":
                    job.pages.append(message[2])
                    if message[3]:
                        job.page_errors[message[1]] = message[3]
                    if message[4]:
                        job.font_runs = message[4]
                elif kind == "end":
                    worker.job = None
                    worker.files += 1
                    return _conclude(job, message[1], message[2], self.limits)
        except Exception:  # noqa: BLE001  # EOF, a broken pipe or a garbled message: treat as dead
            worker.eof = True  # collect() reports it
        return None

    @staticmethod
    def _obituary(worker: _Worker) -> str:
        code = worker.process.returncode
        words = worker.last_words()
        if code is not None and code < 0:
            detail = f"killed by signal {-code}"
        else:
            detail = f"exit code {code}"
        if words:
            detail = f"{detail}: {words}"
        return f"the PDF reader stopped unexpectedly ({detail})"

    def _fail(self, worker: _Worker, reason: str) -> Extraction:
        """Kill `worker` and conclude its file with `reason`."""
        job = worker.job
        assert job is not None
        self._retire(worker, force=True)
        if not job.sha256:
            try:
                job.sha256 = _hash_file(job.path)
                job.size = os.path.getsize(job.path)
            except OSError:
                pass
        return _conclude(job, reason, time.monotonic() - job.started, self.limits)

    def _retire(self, worker: _Worker, *, force: bool = True) -> None:
        worker.job = None
        worker.stop(force=force)
        self.workers.remove(worker)

    def close(self) -> None:
        """Stop every worker; busy ones are killed."""
        for worker in list(self.workers):
            self._retire(worker, force=worker.job is not None)


def _conclude(job: _Job, error: str | None, seconds: float, limits: Limits) -> Extraction:
    """Decide the status and reason for a file from everything its worker reported."""
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
    except Exception:  # noqa: BLE001  # a guess that fails must not lose the extraction
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
