"""Ingest throughput: end-to-end pages per second, against raw single-process pypdf.

    python -m bench.ingest DIR [--jobs N] [--rounds N]

For a folder of scans (pages read by OCR), it also prints how many pages were recognised
and the OCR rate: recognised pages per second of the end-to-end run (nothing else in such
a run takes noticeable time). The raw baseline reads PDFs only; other formats in DIR are
ingested end to end but not in the baseline.

Both figures come from the same run on the same files, so the ratio holds on a noisy
shared machine. They are measured in pairs, one after the other, `--rounds` times (3
by default), each in a fresh Python process (a process that has loaded the app reads
PDFs 20 % slower: its garbage collector has four times as many objects to walk). The
ratio printed is the median of the pairs' ratios, so one disturbed run does not decide
it; the rates are the medians of their runs.

The raw baseline is the least work anyone could do: one process, pypdf's
extract_text on every page, nothing stored. End-to-end is the product's own
bulk ingest into a fresh instance: extraction in child processes with limits,
normalisation, metadata and theme suggestion, the database, stored files and the index.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
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
                counts["ocr_pages"] = counts.get("ocr_pages", 0) + outcome.ocr_pages
                pages += outcome.pages or 0
            seconds = time.perf_counter() - started
            res.engine.dispose()
    return pages, seconds, counts


def measure(kind: str, folder: Path, jobs: int) -> dict:
    """Run one measurement ("raw" or "end-to-end") in a fresh process; return its figures."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.ingest", str(folder), "--jobs", str(jobs), "--only", kind],
        capture_output=True, text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"the {kind} measurement failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def main() -> None:
    """Print one JSON line: both rates (medians over the rounds) and the median ratio of the pairs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", choices=["raw", "end-to-end"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    paths = sorted(args.folder.rglob("*.pdf"))
    if not paths:
        raise SystemExit(f"no PDF files under {args.folder}")

    if args.only == "raw":
        raw_extract(paths[:3])  # warm the page cache and pypdf's imports
        pages, seconds = raw_extract(paths)
        print(json.dumps({"pages": pages, "seconds": seconds}))
        return
    if args.only == "end-to-end":
        pages, seconds, counts = end_to_end(paths, args.jobs)
        print(json.dumps({"pages": pages, "seconds": seconds, "outcomes": counts}))
        return

    raw_runs, runs = [], []
    for _ in range(max(1, args.rounds)):
        raw_runs.append(measure("raw", args.folder, args.jobs))
        runs.append(measure("end-to-end", args.folder, args.jobs))
    raw_pages, pages = raw_runs[0]["pages"], runs[0]["pages"]
    raw_seconds = statistics.median(run["seconds"] for run in raw_runs)
    seconds = statistics.median(run["seconds"] for run in runs)
    raw_rate = raw_pages / raw_seconds
    rate = pages / seconds
    ratios = [(e2e["pages"] / e2e["seconds"]) / (raw["pages"] / raw["seconds"])
              for raw, e2e in zip(raw_runs, runs, strict=True)]
    print(json.dumps({
        "files": len(paths),
        "cores": os.cpu_count(),
        "jobs": args.jobs,
        "rounds": len(runs),
        "raw_pages": raw_pages,
        "raw_seconds": round(raw_seconds, 2),
        "raw_pages_per_s": round(raw_rate, 1),
        "pages": pages,
        "seconds": round(seconds, 2),
        "end_to_end_pages_per_s": round(rate, 1),
        "ratio_to_raw": round(statistics.median(ratios), 2),
        "ratio_per_round": [round(ratio, 2) for ratio in ratios],
        "outcomes": runs[0]["outcomes"],
        **_ocr_figures(runs),
    }))


def _ocr_figures(runs: list[dict]) -> dict:
    """Return the OCR figures of the end-to-end runs, if any page was recognised."""
    recognised = runs[0]["outcomes"].get("ocr_pages", 0)
    if not recognised:
        return {}
    return {"ocr_pages": recognised,
            "ocr_pages_per_s": round(recognised / statistics.median(run["seconds"] for run in runs), 2)}


if __name__ == "__main__":
    main()
