"""Measure ranking quality of the product's own search on a BEIR collection.

    python -m bench.relevance DIR [--qrels test|train] [--ranking NAME=JSON ...] [--plain-whoosh]

DIR holds corpus.jsonl (_id, title, text), queries.jsonl (_id, text) and
qrels/<split>.tsv (header row; query-id, corpus-id, score). The collection is
indexed with the product's IndexStore and schema into a temporary folder and
every judged query goes through indexer.search.search() with default settings.
Prints one JSON line: ndcg@10, recall@100, mrr@10, queries, seconds.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path

import pytrec_eval

from indexer.search import SearchRequest, search
from indexer.search.schema import Ranking
from indexer.search.store import IndexStore

DEPTH = 100


def read_corpus(folder: Path) -> Iterator[dict]:
    """Yield index documents for a BEIR corpus: title and body, other fields empty."""
    with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            yield {
                "id": str(row["_id"]), "type": "", "title": row.get("title") or "", "abstract": "",
                "summary": "", "body": row.get("text") or "", "authors": [], "themes": [], "event": None,
                "places": [], "year": None, "date": None, "access": "open", "readers": ["public"],
            }


def read_queries(folder: Path) -> dict[str, str]:
    """Return query id -> query text."""
    with open(folder / "queries.jsonl", encoding="utf-8") as handle:
        return {str(row["_id"]): row["text"] for row in map(json.loads, handle)}


def read_qrels(folder: Path, split: str) -> dict[str, dict[str, int]]:
    """Return query id -> {doc id: relevance} from qrels/<split>.tsv."""
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels" / f"{split}.tsv", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)  # header row
        for qid, docid, score in reader:
            qrels.setdefault(qid, {})[docid] = int(score)
    return qrels


def run_queries(store: IndexStore, queries: dict[str, str], qids, *, suggest: bool = False,
                synonyms: tuple[tuple[str, ...], ...] = ()) -> dict[str, dict[str, float]]:
    """Run each query through the product's search; return a ranked run per query.

    Snippets and facets do not touch ranking and are off to save time; suggestions are off
    unless asked for, as they change ranking only when a misspelt query is corrected.
    """
    run: dict[str, dict[str, float]] = {}
    for qid in qids:
        # Synonyms only when given, so this runs against engines older than them too (before/after runs).
        options = {"synonyms": synonyms} if synonyms else {}
        result = search(store, SearchRequest(q=queries[qid], per_page=DEPTH, highlight=False, facets=False,
                                             suggest=suggest, **options))
        # Scores from rank, so ties cannot reorder documents inside the evaluator.
        run[qid] = {hit.id: float(DEPTH - rank) for rank, hit in enumerate(result.hits)}
    return run


def plain_whoosh_run(folder: Path, queries: dict[str, str], qids, index_dir: Path) -> dict[str, dict[str, float]]:
    """Baseline: stock Whoosh (StemmingAnalyzer, default BM25F, OR over title and text)."""
    from whoosh import fields, index, qparser
    from whoosh.analysis import StemmingAnalyzer

    schema = fields.Schema(id=fields.ID(stored=True, unique=True),
                           title=fields.TEXT(analyzer=StemmingAnalyzer()),
                           text=fields.TEXT(analyzer=StemmingAnalyzer()))
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), schema)
    with ix.writer(limitmb=256) as writer:
        for doc in read_corpus(folder):
            writer.add_document(id=doc["id"], title=doc["title"], text=doc["body"])
    parser = qparser.MultifieldParser(["title", "text"], schema, group=qparser.OrGroup)
    run: dict[str, dict[str, float]] = {}
    with ix.searcher() as searcher:
        for qid in qids:
            hits = searcher.search(parser.parse(queries[qid]), limit=DEPTH)
            run[qid] = {hit["id"]: float(DEPTH - rank) for rank, hit in enumerate(hits)}
    return run


def evaluate(qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]) -> dict[str, float]:
    """Return mean nDCG@10, recall@100 and MRR@10 over the judged queries."""
    full = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"})
    top10 = {q: {d: s for d, s in docs.items() if s > DEPTH - 10} for q, docs in run.items()}
    rr = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"})
    # A query with no hits still counts (as zero) in every mean.
    padded = {q: run.get(q) or {"__none__": 0.0} for q in qrels}
    padded10 = {q: top10.get(q) or {"__none__": 0.0} for q in qrels}
    per_query = full.evaluate(padded)
    per_query_rr = rr.evaluate(padded10)
    n = len(qrels)
    return {
        "ndcg@10": round(sum(m["ndcg_cut_10"] for m in per_query.values()) / n, 4),
        "recall@100": round(sum(m["recall_100"] for m in per_query.values()) / n, 4),
        "mrr@10": round(sum(m["recip_rank"] for m in per_query_rr.values()) / n, 4),
    }


def ranking_from(settings: list[str]) -> Ranking:
    """Return the product's Ranking with NAME=JSON overrides applied, e.g. coord=0 or idf="whoosh"."""
    overrides = {}
    known = {f.name for f in fields(Ranking)}
    for item in settings:
        name, _, raw = item.partition("=")
        if name not in known:
            raise SystemExit(f"unknown ranking setting {name!r}; choose from {', '.join(sorted(known))}")
        overrides[name] = json.loads(raw)
    return replace(Ranking(), **overrides)


def measure(folder: Path, split: str = "test", index_dir: Path | None = None, *, plain: bool = False,
            ranking: Ranking = Ranking()) -> dict:
    """Index the collection, run the judged queries and return the figures."""
    qrels = read_qrels(folder, split)
    queries = read_queries(folder)
    qids = [q for q in qrels if q in queries]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        if plain:
            run = plain_whoosh_run(folder, queries, qids, Path(tmp) / "plain")
        else:
            store = IndexStore(index_dir or Path(tmp) / "index", ranking=ranking)
            if not index_dir or store.doc_count() == 0:
                store.rebuild(read_corpus(folder))
            run = run_queries(store, queries, qids)
            store.close()
    figures = evaluate(qrels, run)
    figures["queries"] = len(qrels)
    figures["seconds"] = round(time.perf_counter() - started, 1)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.relevance", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="BEIR collection folder")
    parser.add_argument("--qrels", default="test", choices=("test", "train"), help="judgement split")
    parser.add_argument("--ranking", dest="settings", action="append", default=[], metavar="NAME=JSON",
                        help="change one ranking setting for an experiment (indexer.search.schema.Ranking)")
    parser.add_argument("--index", type=Path, help="reuse (or create) an index folder instead of a temporary one")
    parser.add_argument("--plain-whoosh", action="store_true",
                        help="measure the stock-Whoosh baseline instead of the product's search")
    args = parser.parse_args(argv)
    if not (args.folder / "corpus.jsonl").is_file():
        print(f"no corpus.jsonl in {args.folder}", file=sys.stderr)
        return 2
    print(json.dumps(measure(args.folder, args.qrels, args.index, plain=args.plain_whoosh,
                             ranking=ranking_from(args.settings))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
