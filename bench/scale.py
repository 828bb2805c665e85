"""Generate a large, deterministic collection of index documents from SciFact text.

    python -m bench.scale SCIFACT_DIR OUT.jsonl [--docs 100000] [--seed 7]
    python -m bench.scale SCIFACT_DIR OUT_DIR --known-item title|sentence

Each document recombines real SciFact sentences: a title made from one title
plus words of another, and a body of two to five abstracts, so term statistics
stay natural. Facet fields (type, themes, places, event, year, authors) and
access are filled from small fixed vocabularies; one in twenty documents is
restricted to a made-up reader so access filtering has work to do.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path

TYPES = ["paper", "report", "case-study", "slides", "briefing"]
THEMES = ["families", "troubled-families", "domestic-abuse", "information-sharing", "consent",
          "data-protection", "health", "policing", "education", "housing", "early-help", "evaluation"]
PLACES = ["leeds", "bradford", "blackpool", "manchester", "liverpool", "newcastle", "bristol", "london"]
EVENTS = [None, None, "seminar-1-london", "seminar-2-leeds", "seminar-3-blackpool", "seminar-4-manchester"]
FIRST = ["Ann", "Ben", "Carla", "Dev", "Ella", "Femi", "Grace", "Hari", "Isla", "Jon", "Kemi", "Liam"]
LAST = ["Example", "Person", "Shah", "Jones", "Okafor", "Smith", "Nowak", "Patel", "Brown", "Kaur"]


def load_scifact(folder: Path) -> list[tuple[str, str]]:
    """Return (title, text) pairs of the SciFact corpus in file order."""
    with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
        return [(row.get("title") or "", row.get("text") or "") for row in map(json.loads, handle)]


def generate(folder: Path, docs: int = 100_000, seed: int = 7) -> Iterator[dict]:
    """Yield docs index documents recombined from SciFact; same seed, same output."""
    source = load_scifact(folder)
    rng = random.Random(seed)
    for n in range(docs):
        title, text = source[n % len(source)]
        other_title, _ = source[rng.randrange(len(source))]
        extra = " ".join(other_title.split()[:rng.randint(0, 4)])
        bodies = [text] + [source[rng.randrange(len(source))][1] for _ in range(rng.randint(1, 4))]
        year = rng.randint(2005, 2024)
        restricted = rng.random() < 0.05
        yield {
            "id": f"s{n}",
            "type": rng.choice(TYPES),
            "title": f"{title} {extra}".strip(),
            "abstract": text[:600],
            "summary": "",
            "body": "\n\n".join(bodies),
            "authors": sorted({f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 4))}),
            "themes": sorted(set(rng.sample(THEMES, rng.randint(1, 3)))),
            "event": rng.choice(EVENTS),
            "places": sorted(set(rng.sample(PLACES, rng.randint(0, 2)))),
            "year": year,
            "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "access": "restricted" if restricted else "open",
            "readers": [f"user:{rng.randint(1, 50)}", "editors"] if restricted else ["public"],
        }


_SENTENCE_END = re.compile(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])")


def known_item(folder: Path, out: Path, queries: int = 1000, seed: int = 11, mode: str = "title") -> None:
    """Write a BEIR-style known-item collection: each query has one right document.

    mode "title": a document's title is the query; no document keeps its title.
    mode "sentence": one middle sentence of the abstract is the query and is
    removed from the document; titles stay, so title weighting is exercised.
    """
    with open(folder / "corpus.jsonl", encoding="utf-8") as handle:
        rows = [json.loads(line) for line in handle]
    rng = random.Random(seed)
    questions: dict[str, str] = {}
    if mode == "title":
        for r in rng.sample([r for r in rows if len((r.get("title") or "").split()) >= 4], queries):
            questions[r["_id"]] = r["title"]
        for r in rows:  # no document keeps its title, so the answer is not singled out
            r["title"] = ""
    else:
        usable = []
        for r in rows:
            sentences = _SENTENCE_END.split(r.get("text") or "")
            if len(sentences) >= 4:
                usable.append((r, sentences))
        for r, sentences in rng.sample(usable, queries):
            pick = rng.randrange(1, len(sentences) - 1)
            questions[r["_id"]] = sentences[pick]
            r["text"] = " ".join(sentences[:pick] + sentences[pick + 1:])
    (out / "qrels").mkdir(parents=True, exist_ok=True)
    with open(out / "corpus.jsonl", "w", encoding="utf-8") as handle:
        for r in rows:
            title = r.get("title") or ""
            handle.write(json.dumps({"_id": r["_id"], "title": title, "text": r.get("text") or ""}) + "\n")
    with open(out / "queries.jsonl", "w", encoding="utf-8") as handle:
        for doc_id, text in questions.items():
            handle.write(json.dumps({"_id": f"k{doc_id}", "text": text}) + "\n")
    with open(out / "qrels" / "test.tsv", "w", encoding="utf-8") as handle:
        handle.write("query-id\tcorpus-id\tscore\n")
        for doc_id in questions:
            handle.write(f"k{doc_id}\t{doc_id}\t1\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.splitlines()[0])
    parser.add_argument("scifact", type=Path)
    parser.add_argument("out", type=Path, help="JSONL file (or folder with --known-item)")
    parser.add_argument("--known-item", choices=("title", "sentence"),
                        help="write a known-item collection (BEIR layout) instead: title or sentence as query")
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.known_item:
        known_item(args.scifact, args.out, mode=args.known_item)
        print(f"wrote a known-item collection to {args.out}")
        return 0
    with open(args.out, "w", encoding="utf-8") as handle:
        for doc in generate(args.scifact, args.docs, args.seed):
            handle.write(json.dumps(doc) + "\n")
    print(f"wrote {args.docs} documents to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
