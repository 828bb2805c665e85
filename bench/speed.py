"""Measure index build time and search latency of the product's own search().

    python -m bench.speed SCIFACT_DIR [--scale 100000] [--scale-index DIR] [--scale-procs 2]

SciFact (5,183 documents) is indexed twice, with procs=1 and procs=2. With
--scale N, a generated N-document collection (bench.scale) is indexed once,
into --scale-index if given (an existing index there is reused, not rebuilt).
Latency is measured over the SciFact judged test queries with the search the
page runs: 20 hits, snippets, facet counts and a suggestion. On SciFact the
HTTP search page is timed too: a temporary instance of the Flask app holds the
documents as published items (title and abstract), indexed by the app's own
reindex_all, and GET /search?q=... goes through its test client. One JSON line
per measurement, then a Markdown table.
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
from indexer.search.store import IndexStore


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


def summarise(times: list[float], prefix: str = "") -> dict[str, float]:
    """Return p50/p95/p99/mean of millisecond timings, keys prefixed with prefix."""
    return {
        f"{prefix}p50_ms": round(statistics.median(times), 1),
        f"{prefix}p95_ms": round(percentile(times, 95), 1),
        f"{prefix}p99_ms": round(percentile(times, 99), 1),
        f"{prefix}mean_ms": round(statistics.fmean(times), 1),
    }


def latency(store: IndexStore, queries: list[str], **options) -> dict[str, float]:
    """Time search() per query after a short warm-up, then again warm; return ms percentiles.

    The first pass meets each word's postings for the first time; the second
    (warm_) pass repeats the queries, as the page timing does after its warm-up.
    """
    for q in queries[:5]:
        search(store, SearchRequest(q=q, **options))
    figures = {}
    for prefix in ("", "warm_"):
        times = []
        for q in queries:
            started = time.perf_counter()
            search(store, SearchRequest(q=q, **options))
            times.append((time.perf_counter() - started) * 1000)
        figures.update(summarise(times, prefix))
    return figures


def page_latency(folder: Path, instance: Path, queries: list[str]) -> dict[str, float]:
    """Time GET /search?q=... through the Flask app over a published copy of the corpus.

    The app is imported here so that the function benchmarks run without it.
    """
    from repository import create_app
    from repository.commands.database import prepare_database
    from repository.context import resources
    from repository.db import transaction
    from repository.services.indexing import reindex_all
    from repository.services.items import ItemData, create_item

    app = create_app({"SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}, instance_path=instance)
    started = time.perf_counter()
    with app.app_context():
        prepare_database()
        res = resources()
        with transaction(res.sessions) as session:
            for doc in read_corpus(folder):
                # A few SciFact documents have no title; an item needs one.
                create_item(session, ItemData(title=doc["title"] or doc["body"][:80] or doc["id"],
                                              abstract=doc["body"]))
        with res.sessions() as session:
            items = reindex_all(session, res.index)
    build_s = time.perf_counter() - started
    client = app.test_client()

    def fetch(q: str) -> None:
        response = client.get("/search", query_string={"q": q})
        if response.status_code != 200:
            raise RuntimeError(f"/search?q={q!r} answered {response.status_code}")

    # The first pass warms templates, searcher caches and database pages; it is
    # reported too (page_cold_), beside the function's first pass.
    figures = {"page_items": items, "page_build_s": round(build_s, 1)}
    for prefix in ("page_cold_", "page_"):
        times = []
        for q in queries:
            started = time.perf_counter()
            fetch(q)
            times.append((time.perf_counter() - started) * 1000)
        figures.update(summarise(times, prefix))
    with app.app_context():
        resources().index.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__.splitlines()[0])
    parser.add_argument("scifact", type=Path)
    parser.add_argument("--scale", type=int, default=0, help="also measure an N-document generated collection")
    parser.add_argument("--scale-index", type=Path, help="folder for the generated collection's index (reused)")
    parser.add_argument("--scale-procs", type=int, default=2)
    parser.add_argument("--skip-scifact", action="store_true", help="measure only the generated collection")
    parser.add_argument("--skip-page", action="store_true", help="do not time the HTTP search page")
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
                    if not args.skip_page:
                        row.update(page_latency(args.scifact, Path(tmp) / "instance", queries))
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

    def cell(r: dict, prefix: str) -> str:
        keys = [f"{prefix}p{n}_ms" for n in (50, 95, 99)]
        return " / ".join(str(r[k]) for k in keys) if keys[0] in r else ""

    print("\n| collection | docs | procs | build s | search() first pass | search() warm | "
          "page first pass | page warm |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['collection']} | {r['docs']:,} | {r['procs']} | {r.get('build_s')} | {cell(r, '')} | "
              f"{cell(r, 'warm_')} | {cell(r, 'page_cold_')} | {cell(r, 'page_')} |")
    print("(latency cells: p50 / p95 / p99 ms over the judged test queries)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
