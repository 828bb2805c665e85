"""Measure index build time and search latency of the product's own search().

    python -m bench.speed SCIFACT_DIR [--scale 100000] [--scale-index DIR] [--scale-procs 2]

SciFact (5,183 documents) is indexed twice, with procs=1 and procs=2. With
--scale N, a generated N-document collection (bench.scale) is indexed once,
into --scale-index if given (an existing index there is reused, not rebuilt).
Latency is measured over the SciFact judged test queries with the search the
page runs: 20 hits, snippets, facet counts and a suggestion. One JSON line per
measurement, then a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench.relevance import read_corpus, read_qrels, read_queries
from bench.scale import generate
from indexer.search import SearchRequest, search
from indexer.store import IndexStore


def build(path: Path, docs, procs: int) -> tuple[IndexStore, float]:
    """Build an index from docs and return the store and the seconds taken."""
    store = IndexStore(path)
    started = time.perf_counter()
    store.rebuild(docs, procs=procs)
    return store, time.perf_counter() - started


def percentile(values: list[float], pct: float) -> float:
    """Return the pct-th percentile (nearest rank) of values."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency(store: IndexStore, queries: list[str], **options) -> dict[str, float]:
    """Time search() once per query after a short warm-up; return ms percentiles."""
    for q in queries[:5]:
        search(store, SearchRequest(q=q, **options))
    times = []
    for q in queries:
        started = time.perf_counter()
        search(store, SearchRequest(q=q, **options))
        times.append((time.perf_counter() - started) * 1000)
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "p99_ms": round(percentile(times, 99), 1),
        "mean_ms": round(statistics.fmean(times), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.splitlines()[0])
    parser.add_argument("scifact", type=Path)
    parser.add_argument("--scale", type=int, default=0, help="also measure an N-document generated collection")
    parser.add_argument("--scale-index", type=Path, help="folder for the generated collection's index (reused)")
    parser.add_argument("--scale-procs", type=int, default=2)
    parser.add_argument("--skip-scifact", action="store_true", help="measure only the generated collection")
    args = parser.parse_args(argv)

    qrels = read_qrels(args.scifact, "test")
    all_queries = read_queries(args.scifact)
    queries = [all_queries[q] for q in qrels if q in all_queries]
    page = {"per_page": 20, "highlight": True, "facets": True, "suggest": True}
    rows = []

    def report(row: dict) -> None:
        rows.append(row)
        print(json.dumps(row), flush=True)

    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_scifact:
            for procs in (1, 2):
                store, seconds = build(Path(tmp) / f"scifact-{procs}", read_corpus(args.scifact), procs)
                row = {"collection": "scifact", "docs": store.doc_count(), "procs": procs, "build_s": round(seconds, 1)}
                if procs == 1:
                    row.update(latency(store, queries, **page))
                report(row)
                store.close()
        if args.scale:
            path = args.scale_index or Path(tmp) / "scale"
            store = IndexStore(path)
            row = {"collection": f"generated-{args.scale // 1000}k", "procs": args.scale_procs}
            if store.doc_count() == 0:
                store, seconds = build(path, generate(args.scifact, args.scale), args.scale_procs)
                row["build_s"] = round(seconds, 1)
            else:
                row["build_s"] = None  # reused an index built earlier
            row["docs"] = store.doc_count()
            row.update(latency(store, queries, **page))
            report(row)
            store.close()

    print("\n| collection | docs | procs | build s | p50 ms | p95 ms | p99 ms |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['collection']} | {r['docs']:,} | {r['procs']} | {r.get('build_s')} | "
              f"{r.get('p50_ms', '')} | {r.get('p95_ms', '')} | {r.get('p99_ms', '')} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
