"""Ingest throughput: end-to-end pages per second, against raw single-process pypdf.

    python -m bench.ingest DIR [--jobs N]

Both figures come from the same run on the same files, so the ratio holds on a noisy
shared machine. The raw baseline is the least work anyone could do: one process,
pypdf's extract_text on every page, nothing stored. End-to-end is the product's own
bulk ingest into a fresh instance: extraction in child processes with limits,
normalisation, metadata and theme suggestion, the database, stored files and the index.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader


def raw_extract(paths: list[Path]) -> tuple[int, float]:
    """Extract every page with pypdf in this process; return (pages, seconds)."""
    pages = 0
    started = time.perf_counter()
    for path in paths:
        try:
            reader = PdfReader(path)
            for page in reader.pages:
                try:
                    page.extract_text()
                except Exception:  # the baseline counts what a careless loop would
                    pass
                pages += 1
        except Exception:
            continue
    return pages, time.perf_counter() - started


def end_to_end(paths: list[Path], jobs: int) -> tuple[int, float, dict]:
    """Ingest `paths` into a fresh temporary instance; return (pages, seconds, counts)."""
    from repository import create_app
    from repository.commands.database import prepare_database
    from repository.context import resources
    from repository.ingestion import Ingester, IngestOptions

    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SECRET_KEY": "bench"}, instance_path=instance)
        with app.app_context():
            prepare_database()
            res = resources()
            ingester = Ingester(res.sessions, res.index, res.files, jobs=jobs)
            counts: dict[str, int] = {}
            pages = 0
            started = time.perf_counter()
            for outcome in ingester.run(paths, IngestOptions()):
                counts[outcome.status] = counts.get(outcome.status, 0) + 1
                pages += outcome.pages or 0
            seconds = time.perf_counter() - started
            res.engine.dispose()
    return pages, seconds, counts


def main() -> None:
    """Print one JSON line with both rates and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    args = parser.parse_args()
    paths = sorted(args.folder.rglob("*.pdf"))
    if not paths:
        raise SystemExit(f"no PDF files under {args.folder}")

    raw_extract(paths[:3])  # warm the page cache and imports for both sides
    raw_pages, raw_seconds = raw_extract(paths)
    pages, seconds, counts = end_to_end(paths, args.jobs)
    raw_rate = raw_pages / raw_seconds
    rate = pages / seconds
    print(json.dumps({
        "files": len(paths),
        "cores": os.cpu_count(),
        "jobs": args.jobs,
        "raw_pages": raw_pages,
        "raw_seconds": round(raw_seconds, 2),
        "raw_pages_per_s": round(raw_rate, 1),
        "pages": pages,
        "seconds": round(seconds, 2),
        "end_to_end_pages_per_s": round(rate, 1),
        "ratio_to_raw": round(rate / raw_rate, 2),
        "outcomes": counts,
    }))


if __name__ == "__main__":
    main()
