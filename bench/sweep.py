"""Sweep a folder of PDFs through extraction and print what happened: `python -m bench.sweep DIR`."""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

from indexer.extraction.extract import Extraction, Limits, extract_many


def main(argv: list[str] | None = None) -> int:
    """Run the sweep and print counts per status and reason, the slowest files and the speed."""
    parser = argparse.ArgumentParser(prog="python -m bench.sweep", description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    parser.add_argument("--seconds", type=float, default=Limits.seconds, help="time limit per file")
    parser.add_argument("--memory-mb", type=int, default=Limits.memory_mb, help="memory limit per file")
    parser.add_argument("--slowest", type=int, default=10, help="how many of the slowest files to list")
    parser.add_argument("--all", action="store_true", help="list every file with its outcome")
    parser.add_argument("--files-per-worker", type=int, default=None,
                        help="replace each worker after this many files (1 = a fresh process per file)")
    args = parser.parse_args(argv)

    paths = sorted(p for p in args.folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    if not paths:
        print(f"no .pdf files under {args.folder}", file=sys.stderr)
        return 2
    limits = Limits(seconds=args.seconds, memory_mb=args.memory_mb)
    if args.files_per_worker:
        from indexer.extraction import extract

        extract._FILES_PER_WORKER = args.files_per_worker  # to measure what reusing workers buys
    started = time.perf_counter()
    results: list[Extraction] = []
    for result in extract_many(paths, jobs=args.jobs, limits=limits):
        results.append(result)
        if args.all:
            print(f"{result.status:8} {result.seconds:6.2f}s {result.page_count:5}p  "
                  f"{_relative(result.path, args.folder)}  {result.reason or ''}")
    wall = time.perf_counter() - started

    print(f"\n{len(results)} results for {len(paths)} files in {wall:.1f} s "
          f"(jobs={args.jobs or 'CPUs'}, limit {limits.seconds:g} s, {limits.memory_mb} MB)")
    missing = {str(p) for p in paths} - {r.path for r in results}
    if missing or len(results) != len(paths):
        print(f"MISSING RESULTS: {len(missing)}")
    statuses = Counter(r.status for r in results)
    print("\nstatus:", ", ".join(f"{k} {v}" for k, v in statuses.most_common()))
    print("\nreasons (messages grouped by their kind):")
    for reason, count in Counter(_kind(r) for r in results).most_common():
        print(f"  {count:5}  {reason}")
    pages = sum(len(r.pages) for r in results)
    page_errors = sum(len(r.page_errors) for r in results)
    print(f"\npages read: {pages} ({page_errors} pages failed) -> {pages / wall:.1f} pages/s wall")
    over = [r for r in results if r.seconds > limits.seconds + 1]
    print(f"files over the time limit: {len(over)}")
    print(f"\nslowest {args.slowest}:")
    for r in sorted(results, key=lambda r: -r.seconds)[: args.slowest]:
        print(f"  {r.seconds:6.2f}s {r.page_count:5}p {r.status:8} "
              f"{_relative(r.path, args.folder)}  {r.reason or ''}")
    return 0


def _kind(result: Extraction) -> str:
    """Group reasons: keep the words before any detail in brackets or after a colon's message."""
    if result.reason is None:
        return f"{result.status}: (no remark)"
    reason = re.sub(r"\d+(\.\d+)?", "N", result.reason)
    if reason.startswith(("damaged PDF:", "cannot read this PDF:")):
        head, _, detail = reason.partition(": ")
        reason = f"{head}: {detail[:60]}"
    return f"{result.status}: {reason}"


def _relative(path: str, folder: Path) -> str:
    try:
        return str(Path(path).relative_to(folder))
    except ValueError:
        return path


if __name__ == "__main__":
    sys.exit(main())
