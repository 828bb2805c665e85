"""Bulk ingest: files in, extracted in parallel, recorded, stored and indexed.

Each file is committed on its own, with its change-log entry, so a failure part-way
through a batch loses nothing already ingested. The index follows the log in a thread
beside the extraction; if the process dies before the last commit, the entries wait in
the log and the indexer service, or the same command run again, applies them.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from indexer.extraction import SUFFIXES, Extraction, Limits, Source, extract_many, precheck
from indexer.search import IndexStore

from .follower import RETRYABLE, IndexFollower, MustRebuild
from .models import Item
from .services import audit, changes
from .services.indexing import applied_seq
from .services.items import ItemData, attach_file, create_item, find_file_by_sha, suggested_item_data
from .services.taxonomy import theme_vocabulary
from .storage import FileStore


@dataclass
class IngestOptions:
    """Settings that apply to every file of a batch."""

    type: str = "paper"
    themes: list[str] = field(default_factory=list)
    event: str | None = None
    place: str | None = None
    access: str = "open"
    status: str = "published"
    suggest_themes: bool = True


@dataclass
class IngestOutcome:
    """What happened to one input file; one per file, always."""

    path: str
    status: str  # ingested | duplicate | rejected
    reason: str | None = None
    pages: int | None = None
    id: int | None = None
    # Searchable when the batch ended (filled in when Ingester.run finishes); None for
    # files that made no published item.
    indexed: bool | None = None
    format: str | None = None  # what the file turned out to be (pdf, docx, pptx ...), once read
    ocr_pages: int = 0  # pages whose text was recognised from a scan

    def as_report(self) -> dict:
        """Return the JSON Lines report record."""
        return {"path": self.path, "status": self.status, "reason": self.reason,
                "pages": self.pages, "id": self.id, "indexed": self.indexed,
                "format": self.format, "ocr_pages": self.ocr_pages}


def collect_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the documents below them (by suffix); keep named files as given."""
    paths: list[Path] = []
    for entry in inputs:
        entry = Path(entry)
        if entry.is_dir():
            for root, dirs, names in os.walk(entry):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                paths.extend(
                    Path(root, name) for name in sorted(names)
                    if name.lower().endswith(SUFFIXES) and not name.startswith((".", "~$"))
                )
        else:
            paths.append(entry)
    return paths


def item_data_from(extraction: Extraction, options: IngestOptions, vocabulary: dict[str, list[str]]) -> ItemData:
    """Describe a bulk-ingested file from what extraction suggested and the batch options."""
    base = ItemData(title="", type=options.type, access=options.access, status=options.status,
                    themes=list(options.themes), places=[options.place] if options.place else [],
                    event=options.event)
    return suggested_item_data(extraction, vocabulary, base, themes_from_text=options.suggest_themes)


class IndexFeeder:
    """Applies the change log to the index in a thread of its own while extraction goes on.

    The parent process mostly waits on the extraction workers; analysing each recorded
    file for the index in that time, instead of after the last one, keeps both cores busy
    and leaves only the final commit for the end. The thread runs an IndexFollower (the
    indexer service's own path) with one writer kept open: it commits once the writer
    has been open for `commit_seconds`, whenever no file has come for `idle_seconds` (so
    a slow file never keeps the index locked), when asked, and at close. A write that
    fails is recorded in `errors`; its entries stay in the log for the next commit, the
    indexer service or the next run.
    """

    _WAKE, _COMMIT, _CLOSE = object(), object(), object()

    def __init__(self, follower: IndexFollower, *, commit_seconds: float = 10.0, idle_seconds: float = 5.0):
        self.follower = follower
        self.errors: list[str] = []
        self._commit_seconds = commit_seconds
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="index-feeder", daemon=True)
        self._thread.start()
        self.wake()  # entries an earlier run left behind are applied too

    def wake(self) -> None:
        """Tell the thread that new entries are in the log."""
        self._queue.put(self._WAKE)

    def commit(self) -> None:
        """Apply and commit what the log holds so far, in the thread, without waiting."""
        self._queue.put(self._COMMIT)

    def close(self) -> None:
        """Apply what the log holds, commit, and wait for the thread to finish."""
        self._queue.put(self._CLOSE)
        self._thread.join()

    def _run(self) -> None:
        while True:
            try:
                message = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                self._attempt(self.follower.commit)  # nothing is coming: let go of the lock
                continue
            self._attempt(self._apply)
            if message is self._CLOSE:
                self._attempt(self.follower.commit)
                return
            if message is self._COMMIT or self.follower.writer_age >= self._commit_seconds:
                self._attempt(self.follower.commit)

    def _apply(self) -> None:
        while self.follower.step():
            pass

    def _attempt(self, action: Callable[[], None]) -> None:
        try:
            action()
        except RETRYABLE + (MustRebuild,) as error:
            self.follower.cancel()  # whatever failed, nothing may keep holding the lock
            self.errors.append(str(error) or type(error).__name__)


# How many files per worker are still to be read when the feeder commits ahead of the end.
_COMMIT_AHEAD = 3


class Ingester:
    """Runs a batch: one Ingester per command or test, holding its stores.

    With an index, the batch feeds it as it goes, so its files are searchable when it ends;
    without one (a queued ingest's worker), the nodes' indexers apply the change log.
    """

    def __init__(self, sessions: sessionmaker[Session], index: IndexStore | None, files: FileStore,
                 *, limits: Limits | None = None, jobs: int | None = None):
        self.sessions = sessions
        self.index = index
        self.files = files
        self.limits = limits or Limits()
        self.jobs = jobs or os.cpu_count() or 1
        self.index_errors: list[str] = []
        self.unindexed: list[int] = []  # published items recorded in the database but not searchable

    def run(self, paths: list[Path], options: IngestOptions,
            describe: Callable[[Extraction], ItemData] | None = None) -> Iterator[IngestOutcome]:
        """Ingest `paths`, yielding one outcome per path as each is recorded.

        Whether an item is searchable is known once the batch's last commit is done: when
        the iteration ends, every outcome yielded has `indexed` set and `unindexed` lists
        the published items that are not searchable.
        """
        outcomes: list[IngestOutcome] = []
        with self.sessions() as session:
            vocabulary = theme_vocabulary(session)
        seen: dict[str, str] = {}
        to_extract: list[Source] = []
        for path in paths:
            checked = self._precheck(path, seen)
            if isinstance(checked, Source):
                to_extract.append(checked)
            else:
                outcomes.append(checked)
                yield checked
        # Largest first: a big file read last would keep one core busy while the others
        # idle at the end of the batch. Size is a rough guide to reading time, but a fair one.
        to_extract.sort(key=lambda source: source.size, reverse=True)

        follower = IndexFollower(self.sessions, self.index) if self.index is not None else None
        if follower is not None:
            try:
                follower.rebuild_if_needed(procs=self.jobs)
            except RETRYABLE as error:
                self.index_errors.append(str(error) or type(error).__name__)
        feeder = IndexFeeder(follower) if follower is not None else None
        unread = len(to_extract)
        # The app and its libraries outlive the batch: keep the collector from walking
        # them again and again while indexing churns through short-lived objects (one
        # full collection of a loaded app took 0.17 s, with every thread stopped).
        gc.freeze()
        try:
            for extraction in extract_many(to_extract, jobs=self.jobs, limits=self.limits):
                outcome = self._record(extraction, options, vocabulary, describe)
                outcomes.append(outcome)
                if outcome.status == "ingested" and feeder is not None:
                    feeder.wake()
                unread -= 1
                if unread == _COMMIT_AHEAD * self.jobs and feeder is not None:
                    # Commit while the last files are read, so the commit at the end
                    # holds only their few documents and the cores are not left idle.
                    feeder.commit()
                yield outcome
        finally:
            gc.unfreeze()
            if feeder is not None:
                feeder.close()
                self.index_errors.extend(feeder.errors)
        if follower is not None:
            self._settle(outcomes, follower.failed)

    def _settle(self, outcomes: list[IngestOutcome], failed: dict[int, str]) -> None:
        """Mark each outcome's item searchable or not, now that the batch has committed."""
        ids = [o.id for o in outcomes if o.id is not None]
        with self.sessions() as session:
            published = set(session.scalars(select(Item.id).where(Item.id.in_(ids), Item.status == "published")))
            seq = applied_seq(session, self.index)
            waiting = changes.items_changed_after(session, seq) if seq is not None else set(published)
        waiting |= set(failed)
        for outcome in outcomes:
            if outcome.id in published:
                outcome.indexed = outcome.id not in waiting
                if not outcome.indexed and outcome.id not in self.unindexed:
                    self.unindexed.append(outcome.id)

    def _precheck(self, path: Path, seen: dict[str, str]) -> Source | IngestOutcome:
        """Check and hash a file once, here; settle it at once if it is unreadable or a known duplicate.

        A file that passes goes to the worker as a Source with its hash, so it is neither
        checked nor hashed again there.
        """
        checked = precheck(path, self.limits, with_hash=True)
        if not isinstance(checked, Source):
            return IngestOutcome(str(path), "rejected", checked.reason)
        sha = checked.sha256
        if sha in seen:
            return IngestOutcome(str(path), "duplicate", f"same file as {seen[sha]} in this batch")
        with self.sessions() as session:
            stored = find_file_by_sha(session, sha)
            if stored is not None:
                return IngestOutcome(str(path), "duplicate", f"already stored as item {stored.item_id}",
                                     stored.page_count, stored.item_id, format=stored.format)
        seen[sha] = str(path)
        return checked

    def _record(self, extraction: Extraction, options: IngestOptions, vocabulary: dict,
                describe: Callable[[Extraction], ItemData] | None) -> IngestOutcome:
        """Store one extracted file and its item (with its change-log entry) in a transaction of its own."""
        if extraction.status != "ok":
            return IngestOutcome(extraction.path, "rejected", extraction.reason, extraction.page_count or None,
                                 format=extraction.format or None)
        data = describe(extraction) if describe else item_data_from(extraction, options, vocabulary)
        with self.sessions() as session:
            try:
                item = create_item(session, data)
                attach_file(session, item, extraction, self.files, original_name=Path(extraction.path).name)
                audit.record(session, item, None, "created", message="bulk ingest")
                session.commit()
            except Exception as error:  # one bad record must not stop the batch
                session.rollback()
                return IngestOutcome(extraction.path, "rejected", f"could not be recorded: {error}",
                                     format=extraction.format or None)
            return IngestOutcome(extraction.path, "ingested", extraction.reason, extraction.page_count, item.id,
                                 format=extraction.format, ocr_pages=len(extraction.ocr_pages))
