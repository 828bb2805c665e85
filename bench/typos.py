"""Measure how much ranking quality misspelt queries lose through the product's search.

    python -m bench.typos DIR [--qrels test|train] [--seed N]
    python -m bench.typos --titles FOLDER TSV [--seed N]

DIR is a BEIR collection read as bench.relevance reads it. With --titles, the documents
under FOLDER are read by the product's extraction (no OCR), indexed WITHOUT their titles,
and each judged title of TSV (file<TAB>title, header row) is a query whose one relevant
document is its file: a known-item search for a report by the title people remember.

Every query is run twice through indexer.search.search() with suggestions on, as the
search page runs it: as written, and misspelt by a seeded generator of the typing errors
people make (a dropped, doubled, swapped or neighbouring-key letter in one or two words of
five letters or more). Prints one JSON line: nDCG@10 clean and misspelt, the loss, how many
queries were misspelt, how many of those the search corrected, and the mean time a query (100
hits, no snippets or facets, with its spelling checked). With --synonyms, every
search carries the repository's seed vocabulary of synonyms, as the site's searches do.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.relevance import evaluate, read_corpus, read_qrels, read_queries, run_queries
from indexer.search import SearchRequest, search
from indexer.search.store import IndexStore

SEED = 13
MIN_TYPO_LENGTH = 5

# Letters beside each letter on a UK QWERTY keyboard (same row and the rows above and below).
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
NEIGHBOURS: dict[str, str] = {}
for _r, _row in enumerate(_ROWS):
    for _c, _letter in enumerate(_row):
        near = {_row[i] for i in (_c - 1, _c + 1) if 0 <= i < len(_row)}
        for _other in (_r - 1, _r + 1):
            if 0 <= _other < len(_ROWS):
                near |= {_ROWS[_other][i] for i in (_c - 1, _c, _c + 1) if 0 <= i < len(_ROWS[_other])}
        NEIGHBOURS[_letter] = "".join(sorted(near))

_WORD = re.compile(r"[A-Za-z]+")


def misspell_word(word: str, rng: random.Random) -> str:
    """Return word with one typing error: a letter dropped, doubled, swapped with the next, or a neighbour key."""
    inner = range(1, len(word) - 1)  # the first and last letters are rarely the ones mistyped
    at = rng.choice(inner)
    kind = rng.choice(("drop", "double", "swap", "neighbour"))
    if kind == "drop":
        return word[:at] + word[at + 1:]
    if kind == "double":
        return word[:at] + word[at] + word[at:]
    if kind == "swap" and word[at] != word[at + 1]:
        return word[:at] + word[at + 1] + word[at] + word[at + 2:]
    letter = word[at].lower()
    typed = rng.choice(NEIGHBOURS.get(letter, letter))
    return word[:at] + (typed.upper() if word[at].isupper() else typed) + word[at + 1:]


def misspell(text: str, rng: random.Random) -> str:
    """Return text with one or two of its words of MIN_TYPO_LENGTH letters or more misspelt (unchanged if none)."""
    spans = [m.span() for m in _WORD.finditer(text) if len(m.group(0)) >= MIN_TYPO_LENGTH]
    if not spans:
        return text
    chosen = sorted(rng.sample(spans, min(len(spans), rng.choice((1, 2)))), reverse=True)
    for start, end in chosen:
        text = text[:start] + misspell_word(text[start:end], rng) + text[end:]
    return text


def misspelt_queries(queries: dict[str, str], qids, seed: int) -> dict[str, str]:
    """Return the misspelt form of each query; each query has its own generator, so no query moves another."""
    return {qid: misspell(queries[qid], random.Random(f"{seed}:{qid}")) for qid in qids}


def read_titled_documents(folder: Path, titles: dict[str, str]) -> Iterator[dict]:
    """Yield index documents for the judged files under folder: their text only, titles left out."""
    from indexer.extraction import extract_many
    from indexer.extraction.source import Limits

    paths = sorted(p for p in folder.rglob("*") if p.name in titles)
    for extraction in extract_many(paths, jobs=1, limits=Limits(ocr=False, max_pages=200, seconds=60)):
        text = extraction.text
        if extraction.status != "ok" or not text.strip():
            continue
        yield {
            "id": Path(extraction.path).name, "type": "", "title": "", "abstract": "", "summary": "", "body": text,
            "authors": [], "themes": [], "event": None, "places": [], "year": None, "date": None,
            "access": "open", "readers": ["public"],
        }


def read_titles(tsv: Path) -> dict[str, str]:
    """Return file name -> judged title from a two-column table with a header row."""
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = csv.reader(handle, delimiter="\t")
        next(rows)
        return {name: title for name, title, *_ in rows if title and title != "-"}


def corrected_count(store: IndexStore, queries: dict[str, str], synonyms: tuple[tuple[str, ...], ...]) -> int:
    """Count the queries the search answered for a corrected spelling."""
    count = 0
    options = {"synonyms": synonyms} if synonyms else {}  # as in bench.relevance.run_queries
    for text in queries.values():
        result = search(store, SearchRequest(q=text, per_page=1, highlight=False, facets=False, **options))
        count += bool(getattr(result, "searched_for", None))
    return count


def measure(documents, queries: dict[str, str], qrels: dict[str, dict[str, int]], seed: int,
            synonyms: tuple[tuple[str, ...], ...] = ()) -> dict:
    """Index the documents, run the clean and misspelt queries and return the figures."""
    qids = [q for q in qrels if q in queries]
    typed = misspelt_queries(queries, qids, seed)
    changed = {qid: text for qid, text in typed.items() if text != queries[qid]}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = IndexStore(Path(tmp) / "index")
        store.rebuild(documents)
        timer = time.perf_counter()
        clean = evaluate(qrels, run_queries(store, queries, qids, suggest=True, synonyms=synonyms))
        clean_ms = (time.perf_counter() - timer) * 1000 / max(1, len(qids))
        timer = time.perf_counter()
        misspelt = evaluate(qrels, run_queries(store, typed, qids, suggest=True, synonyms=synonyms))
        misspelt_ms = (time.perf_counter() - timer) * 1000 / max(1, len(qids))
        corrected = corrected_count(store, changed, synonyms)
        store.close()
    return {
        "ndcg@10_clean": clean["ndcg@10"], "ndcg@10_misspelt": misspelt["ndcg@10"],
        "loss": round(clean["ndcg@10"] - misspelt["ndcg@10"], 4),
        "queries": len(qids), "misspelt": len(changed), "corrected": corrected,
        "ms_per_query_clean": round(clean_ms, 1), "ms_per_query_misspelt": round(misspelt_ms, 1),
        "seed": seed, "synonym_groups": len(synonyms), "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.typos", description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, nargs="?", help="BEIR collection folder")
    parser.add_argument("--qrels", default="test", choices=("test", "train"), help="judgement split")
    parser.add_argument("--titles", nargs=2, type=Path, metavar=("FOLDER", "TSV"),
                        help="known-item search: documents under FOLDER, judged titles in TSV as queries")
    parser.add_argument("--seed", type=int, default=SEED, help="seed of the misspelling generator")
    parser.add_argument("--synonyms", action="store_true", help="search with the repository's seed synonyms")
    parser.add_argument("--show", type=int, default=0, metavar="N", help="print the first N misspelt queries")
    args = parser.parse_args(argv)
    if args.titles:
        folder, tsv = args.titles
        titles = read_titles(tsv)
        documents = list(read_titled_documents(folder, titles))
        found = {doc["id"] for doc in documents}
        queries = {name: title for name, title in titles.items() if name in found}
        qrels = {name: {name: 1} for name in queries}
    elif args.folder and (args.folder / "corpus.jsonl").is_file():
        documents, queries, qrels = read_corpus(args.folder), read_queries(args.folder), read_qrels(args.folder,
                                                                                                   args.qrels)
    else:
        print("give a BEIR folder holding corpus.jsonl, or --titles FOLDER TSV", file=sys.stderr)
        return 2
    for qid, text in list(misspelt_queries(queries, [q for q in qrels if q in queries], args.seed).items())[:args.show]:
        print(f"{queries[qid]!r} -> {text!r}", file=sys.stderr)
    synonyms: tuple[tuple[str, ...], ...] = ()
    if args.synonyms:
        from repository.synonyms_seed import SEED_SYNONYMS

        synonyms = tuple(SEED_SYNONYMS)
    print(json.dumps(measure(documents, queries, qrels, args.seed, synonyms)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
