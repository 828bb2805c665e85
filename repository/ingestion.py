"""Bulk ingest: files in, extracted in parallel, recorded, stored and indexed.

Each file is committed on its own, so a failure part-way through a batch loses
nothing already ingested. The index is written by a thread beside the extraction;
if the process dies between a commit and an index write, `check-index` reports it
and `reindex` repairs it, because the database is the source of truth.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from sqlalchemy.orm import Session, sessionmaker

from indexer.extract import Extraction, Limits, extract_many, hash_file
from indexer.store import IndexStore
from indexer.themes import suggest_themes

from .services import audit
from .services.indexing import index_document
from .services.items import AuthorData, ItemData, attach_file, create_item, find_file_by_sha
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

    def as_report(self) -> dict:
        """Return the JSON Lines report record."""
        return {"path": self.path, "status": self.status, "reason": self.reason,
                "pages": self.pages, "id": self.id}


def collect_paths(inputs: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the PDF files below them; keep named files as given."""
    paths: list[Path] = []
    for entry in inputs:
        entry = Path(entry)
        if entry.is_dir():
            for root, dirs, names in os.walk(entry):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                paths.extend(
                    Path(root, name) for name in sorted(names)
                    if name.lower().endswith(".pdf") and not name.startswith(".")
                )
        else:
            paths.append(entry)
    return paths


def item_data_from(extraction: Extraction, options: IngestOptions, vocabulary: dict[str, list[str]]) -> ItemData:
    """Describe a bulk-ingested file from what extraction suggested and the batch options."""
    suggestion = extraction.suggestion
    themes = list(options.themes)
    if options.suggest_themes:
        themes += [slug for slug in suggest_themes(extraction.text, vocabulary) if slug not in themes]
    return ItemData(
        title=suggestion.title or Path(extraction.path).stem.replace("_", " "),
        type=options.type,
        authors=[AuthorData(name=name) for name in suggestion.authors],
        abstract=suggestion.abstract or "",
        year=suggestion.year,
        access=options.access,
        status=options.status,
        themes=themes,
        places=[options.place] if options.place else [],
        event=options.event,
    )


class IndexFeeder:
    """Writes index documents in a thread of its own while extraction goes on.

    The parent process mostly waits on the extraction workers; analysing each document
    for the index in that time, instead of after the last file, keeps both cores busy
    and leaves only the final commit for the end. One thread means one writer, through
    the store's one writing path (a BulkWriter). The thread also commits whenever no
    document has come for `idle_seconds`, so a slow file never keeps the index locked
    (and what is added unsearchable) for longer than the bulk writer's commit interval.
    """

    _COMMIT, _CLOSE = object(), object()

    def __init__(self, store: IndexStore, *, idle_seconds: float = 5.0):
        self._bulk = store.bulk_writer()
        self._idle_seconds = idle_seconds
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="index-writer", daemon=True)
        self._thread.start()

    @property
    def errors(self) -> list[str]:
        return self._bulk.errors

    @property
    def unindexed(self) -> list[str]:
        return self._bulk.unindexed

    def add(self, document: dict) -> None:
        """Queue one document for the writer thread."""
        self._queue.put(document)

    def commit(self) -> None:
        """Commit what is queued so far, in the writer thread, without waiting."""
        self._queue.put(self._COMMIT)

    def close(self) -> None:
        """Write what is queued, commit, and wait for the writer thread to finish."""
        self._queue.put(self._CLOSE)
        self._thread.join()

    def _run(self) -> None:
        while True:
            try:
                message = self._queue.get(timeout=self._idle_seconds)
            except queue.Empty:
                self._bulk.commit()  # nothing is waiting: let go of the lock
                continue
            if message is self._CLOSE:
                self._bulk.close()
                return
            if message is self._COMMIT:
                self._bulk.commit()
            else:
                self._bulk.add(message)


# How many files per worker are still to be read when the feeder commits ahead of the end.
_COMMIT_AHEAD = 3


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # gone since the precheck: extraction will say so
        return 0


class Ingester:
    """Runs a batch: one Ingester per command or test, holding its stores."""

    def __init__(self, sessions: sessionmaker[Session], index: IndexStore, files: FileStore,
                 *, limits: Limits = Limits(), jobs: int | None = None):
        self.sessions = sessions
        self.index = index
        self.files = files
        self.limits = limits
        self.jobs = jobs or os.cpu_count() or 1
        self.index_errors: list[str] = []
        self.unindexed: list[str] = []  # ids recorded in the database but not in the index

    def run(self, paths: list[Path], options: IngestOptions,
            describe: Callable[[Extraction], ItemData] | None = None) -> Iterator[IngestOutcome]:
        """Ingest `paths`, yielding one outcome per path as each finishes."""
        with self.sessions() as session:
            vocabulary = theme_vocabulary(session)
        seen: dict[str, str] = {}
        to_extract: list[Path] = []
        for path in paths:
            outcome = self._precheck(path, seen)
            if outcome is None:
                to_extract.append(path)
            else:
                yield outcome
        # Largest first: a big file read last would keep one core busy while the others
        # idle at the end of the batch. Size is a rough guide to reading time, but a fair one.
        to_extract.sort(key=_size, reverse=True)

        feeder = IndexFeeder(self.index)
        unread = len(to_extract)
        # The app and its libraries outlive the batch: keep the collector from walking
        # them again and again while indexing churns through short-lived objects (one
        # full collection of a loaded app took 0.17 s, with every thread stopped).
        gc.freeze()
        try:
            for extraction in extract_many(to_extract, jobs=self.jobs, limits=self.limits):
                outcome, document = self._record(extraction, options, vocabulary, describe)
                if document is not None:
                    feeder.add(document)
                unread -= 1
                if unread == _COMMIT_AHEAD * self.jobs:
                    # Commit while the last files are read, so the commit at the end
                    # holds only their few documents and the cores are not left idle.
                    feeder.commit()
                yield outcome
        finally:
            feeder.close()
            gc.unfreeze()
            self.index_errors.extend(feeder.errors)
            self.unindexed.extend(feeder.unindexed)

    def _precheck(self, path: Path, seen: dict[str, str]) -> IngestOutcome | None:
        """Settle files that need no extraction: unreadable ones and known duplicates."""
        if not path.is_file():
            return IngestOutcome(str(path), "rejected", "not a file, or it does not exist")
        try:
            sha = hash_file(str(path))
        except OSError as error:
            return IngestOutcome(str(path), "rejected", f"cannot read the file: {error.strerror}")
        if sha in seen:
            return IngestOutcome(str(path), "duplicate", f"same file as {seen[sha]} in this batch")
        with self.sessions() as session:
            stored = find_file_by_sha(session, sha)
            if stored is not None:
                return IngestOutcome(str(path), "duplicate", f"already stored as item {stored.item_id}",
                                     stored.page_count, stored.item_id)
        seen[sha] = str(path)
        return None

    def _record(self, extraction: Extraction, options: IngestOptions, vocabulary: dict,
                describe: Callable[[Extraction], ItemData] | None) -> tuple[IngestOutcome, dict | None]:
        """Store one extracted file and its item in a transaction of its own.

        Returns the outcome and, for a published item, its index document.
        """
        if extraction.status != "ok":
            return IngestOutcome(extraction.path, "rejected", extraction.reason, extraction.page_count or None), None
        data = describe(extraction) if describe else item_data_from(extraction, options, vocabulary)
        with self.sessions() as session:
            try:
                item = create_item(session, data)
                attach_file(session, item, extraction, self.files, original_name=Path(extraction.path).name)
                audit.record(session, item, None, "created", message="bulk ingest")
                session.commit()
            except Exception as error:  # one bad record must not stop the batch
                session.rollback()
                return IngestOutcome(extraction.path, "rejected", f"could not be recorded: {error}"), None
            document = index_document(item) if item.status == "published" else None
            return IngestOutcome(extraction.path, "ingested", extraction.reason, extraction.page_count, item.id), document
