"""Measure how much hidden items move what an anonymous visitor sees, with each kind of statistics.

    python -m bench.hidden DIR [--restricted 0.1] [--seed 12] [--procs 2]

DIR is a BEIR collection (SciFact: corpus.jsonl, queries.jsonl, qrels/test.tsv). Its documents
are indexed as open items; then a share of them is copied as restricted items (new ids, readers
an editor and one user) into a second index. Each judged query is run as an anonymous visitor
on both. Printed, for ranking statistics over every live document (what Whoosh does) and over
the documents everyone may see (the product's default): how many queries' top 10 differ from
the index without the hidden copies (order, or the set of documents), nDCG@10 of the anonymous
results, and search time per query (first pass, then warm). One JSON line per setting.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from bench.relevance import evaluate, read_corpus, read_qrels, read_queries
from indexer.search import SearchRequest, search
from indexer.search.schema import Ranking
from indexer.search.store import IndexStore

TOP = 10


def _restricted_copies(docs: list[dict], share: float, seed: int) -> list[dict]:
    rng = random.Random(seed)
    chosen = rng.sample(docs, int(len(docs) * share))
    return [{**doc, "id": f"hidden-{n}", "access": "restricted", "readers": ["editors", "user:1"]}
            for n, doc in enumerate(chosen)]


def _top(store: IndexStore, queries: dict[str, str], qids: list[str]) -> tuple[dict[str, list[str]], list[float]]:
    tops, seconds = {}, []
    for qid in qids:
        started = time.perf_counter()
        result = search(store, SearchRequest(q=queries[qid], per_page=TOP, highlight=False, facets=False,
                                             suggest=False))
        seconds.append(time.perf_counter() - started)
        tops[qid] = [hit.id for hit in result.hits]
    return tops, seconds


def _ms(values: list[float], share: float) -> float:
    return round(1000 * sorted(values)[min(len(values) - 1, int(share * len(values)))], 1)


def measure(folder: Path, share: float, seed: int, procs: int) -> list[dict]:
    queries = read_queries(folder)
    qrels = read_qrels(folder, "test")
    qids = [q for q in qrels if q in queries]
    docs = list(read_corpus(folder))
    hidden = _restricted_copies(docs, share, seed)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        IndexStore(Path(tmp) / "open").rebuild(iter(docs), procs=procs)
        IndexStore(Path(tmp) / "hidden").rebuild(iter(docs + hidden), procs=procs)
        for name, readers in (("every live document", None), ("documents everyone may see", "public")):
            ranking = replace(Ranking(), statistics_readers=readers)
            baseline, _ = _top(IndexStore(Path(tmp) / "open", ranking=ranking), queries, qids)
            store = IndexStore(Path(tmp) / "hidden", ranking=ranking)
            first_tops, first = _top(store, queries, qids)
            _, warm = _top(store, queries, qids)
            order = sum(first_tops[q] != baseline[q] for q in qids)
            members = sum(set(first_tops[q]) != set(baseline[q]) for q in qids)
            run = {q: {d: float(TOP - rank) for rank, d in enumerate(first_tops[q])} for q in qids}
            base_run = {q: {d: float(TOP - rank) for rank, d in enumerate(baseline[q])} for q in qids}
            lines.append({
                "statistics over": name, "documents": len(docs), "hidden copies": len(hidden),
                "queries": len(qids), "top 10 order changed": order, "top 10 documents changed": members,
                "share changed": round(order / len(qids), 3),
                "ndcg@10 without hidden": evaluate(qrels, base_run)["ndcg@10"],
                "ndcg@10 with hidden": evaluate(qrels, run)["ndcg@10"],
                "first pass p50 ms": _ms(first, 0.5), "first pass p95 ms": _ms(first, 0.95),
                "warm p50 ms": round(1000 * statistics.median(warm), 1), "warm p95 ms": _ms(warm, 0.95),
            })
            store.close()
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hidden", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="BEIR collection folder")
    parser.add_argument("--restricted", type=float, default=0.1, help="share of documents copied as hidden items")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args(argv)
    if not (args.folder / "corpus.jsonl").is_file():
        print(f"no corpus.jsonl in {args.folder}", file=sys.stderr)
        return 2
    for line in measure(args.folder, args.restricted, args.seed, args.procs):
        print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
