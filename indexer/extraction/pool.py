"""Child processes that read documents one at a time, replaced when one times out, crashes or retires."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TypeVar

from indexer.extraction.source import Limits, Source, hash_file

# How long a new worker may take to start Python and import pypdf before its file's clock runs.
_STARTUP_SECONDS = 60.0
# The worker keeps to the OCR time itself; this is the margin before the parent kills it.
_OCR_GRACE = 10.0

Result = TypeVar("Result")


class Job:
    """What the parent has heard so far about the file a worker is reading."""

    def __init__(self, source: Source, deadline: float) -> None:
        self.source = source
        self.path = source.path
        self.deadline = deadline
        self.started = time.monotonic()
        self.sha256 = source.sha256
        self.size = source.size
        self.format = ""
        self.page_count = 0
        self.info: dict[str, str] = {}
        self.pages: list[str] = []
        self.page_errors: dict[int, str] = {}
        self.ocr_pages: list[int] = []
        self.notes: list[str] = []
        self.font_runs: list[tuple[float, str]] = []
        # Set when the file is done: why the worker gave up on it (None if it did not), and when.
        self.error: str | None = None
        self.seconds = 0.0


def _seconds_text(seconds: float) -> str:
    return f"{seconds:g} s"


class _Worker:
    """One child process that reads files one at a time.

    A plain subprocess running `python -m indexer.extraction._worker`, not multiprocessing: the child
    never re-imports the parent's __main__ (a script, a REPL, a WSGI server), so it starts
    the same way whatever started the parent. It leads a process group of its own, so the
    programs it runs (OCR, antiword) die with it, and its temporary files go in a folder
    of its own, removed when it stops however it ends.
    """

    def __init__(self, limits: Limits) -> None:
        ours, theirs = socket.socketpair()
        self.stderr = tempfile.TemporaryFile()
        self.scratch = tempfile.mkdtemp(prefix="extract-")
        package_root = str(Path(__file__).resolve().parent.parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env["TMPDIR"] = self.scratch
        ocr_seconds = limits.ocr_seconds if limits.ocr else 0.0
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "indexer.extraction._worker", str(theirs.fileno()),
                 str(limits.memory_mb), str(limits.max_pages), repr(limits.seconds), repr(ocr_seconds)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=self.stderr, env=env, start_new_session=True,
            )
        except BaseException:
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.eof = False
        self.files = 0
        self.job: Job | None = None

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
        if force or self.alive():
            try:  # the whole group: a program the worker started must not outlive it
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        self.process.wait()
        self.conn.close()
        self.stderr.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class Pool:
    """Workers reused across files, replaced when one times out, crashes or retires."""

    def __init__(self, size: int, limits: Limits, *, files_per_worker: int) -> None:
        self.size = size
        self.limits = limits
        self.files_per_worker = files_per_worker
        self.workers: list[_Worker] = []

    def has_room(self) -> bool:
        """Return True if fewer files are being read than there are workers allowed."""
        return sum(w.job is not None for w in self.workers) < self.size

    def busy(self) -> list[_Worker]:
        """Return the workers that are reading a file."""
        return [w for w in self.workers if w.job is not None]

    def submit(self, source: Source) -> str | None:
        """Give `source` to an idle live worker, starting one if needed; say why if none starts."""
        for worker in [w for w in self.workers if w.job is None]:
            fresh = worker.files < self.files_per_worker
            if fresh and worker.alive() and self._send(worker, source):
                return None
            self._retire(worker, force=False)
        try:
            worker = _Worker(self.limits)
        except OSError as exc:  # out of processes or file descriptors: this file only
            return f"could not start the document reader ({exc.strerror or exc})"
        self.workers.append(worker)
        # If this send fails the new process died at once; collect() reports why.
        self._send(worker, source)
        return None

    def _send(self, worker: _Worker, source: Source) -> bool:
        now = time.monotonic()
        grace = 0.0 if worker.ready else _STARTUP_SECONDS
        worker.job = Job(source, now + grace + self.limits.seconds)
        try:
            # An absolute path: the worker must not depend on our cwd.
            worker.conn.send((os.path.abspath(source.path), source.container, source.sha256))
        except OSError:
            return False
        return True

    def hand_over(self, results: list[Result]) -> Iterator[Result]:
        """Yield results without charging the consumer's time to the files still being read."""
        for result in results:
            paused = time.monotonic()
            yield result
            delay = time.monotonic() - paused
            for worker in self.busy():
                worker.job.deadline += delay  # type: ignore[union-attr]

    def collect(self) -> list[Job]:
        """Wait until at least one busy worker finishes, fails or runs out of time; return those jobs."""
        busy = self.busy()
        timeout = max(0.0, min(w.job.deadline for w in busy) - time.monotonic())  # type: ignore[union-attr]
        # A worker that dies closes its socket, which wakes this wait as well.
        wait([w.conn for w in busy], timeout)
        finished = []
        for worker in busy:
            job = self._drain(worker)
            if job is None and worker.eof:
                try:  # its socket is closed, so the process is exiting or gone
                    worker.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
                job = self._fail(worker, self._obituary(worker))
            if job is None and time.monotonic() >= worker.job.deadline:  # type: ignore[union-attr]
                job = self._fail(worker, f"timed out after {_seconds_text(self.limits.seconds)}")
            if job is not None:
                finished.append(job)
        return finished

    def _drain(self, worker: _Worker) -> Job | None:
        """Read every message waiting from `worker`; return its job once the file is done."""
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
                    job.format, job.page_count, job.info = message[1], message[2], message[3]
                elif kind == "ocr":
                    # Recognising scans has its own time, on top of the file's.
                    job.deadline = max(job.deadline, time.monotonic() + message[1] + _OCR_GRACE)
                elif kind == "page":
                    job.pages.append(message[2])
                    if message[3]:
                        job.page_errors[message[1]] = message[3]
                    if message[4]:
                        job.font_runs = message[4]
                    if message[5]:
                        job.ocr_pages.append(message[1])
                elif kind == "note":
                    job.notes.append(message[1])
                elif kind == "end":
                    worker.job = None
                    worker.files += 1
                    job.error, job.seconds = message[1], message[2]
                    return job
        except Exception:  # EOF, a broken pipe or a garbled message: treat as dead
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
        return f"the document reader stopped unexpectedly ({detail})"

    def _fail(self, worker: _Worker, reason: str) -> Job:
        """Kill `worker` and end its job with `reason`."""
        job = worker.job
        assert job is not None
        self._retire(worker, force=True)
        if not job.sha256:
            try:
                job.sha256 = hash_file(job.path)
                job.size = os.path.getsize(job.path)
            except OSError:
                pass
        job.error, job.seconds = reason, time.monotonic() - job.started
        return job

    def _retire(self, worker: _Worker, *, force: bool = True) -> None:
        worker.job = None
        worker.stop(force=force)
        self.workers.remove(worker)

    def close(self) -> None:
        """Stop every worker; busy ones are killed."""
        for worker in list(self.workers):
            self._retire(worker, force=worker.job is not None)
