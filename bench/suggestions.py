"""Score suggested authors and abstracts against judged ones, and how well "unsure" marks the wrong ones.

    python -m bench.suggestions DIR [DIR ...] [--jobs N]

Every document under the folders (subfolders included; .pdf, .docx, .doc, .odt, .pptx) goes
through indexer.extraction.extract_many. Judgements are bench/authors.tsv, bench/abstracts.tsv
and bench/policy_titles.tsv (header row; file<TAB>judged; alternatives separated by " || ";
"-" means nothing should be suggested). Text is compared as lowercase words of letters and
digits (bench.titles.words).

- authors: a hit when the suggested names are the judged names, in any order; name
  precision and recall are counted over all judged files as well;
- abstracts: a hit when the suggestion starts with a judged opening (or is empty where "-"
  is judged); "toc" counts suggestions that hold a table of contents (dot leaders or the
  word Contents among their first words);
- unsure: for title, authors and abstract, how often a guess marked unsure was wrong, and
  how often an unmarked one was.

Prints one JSON line with the figures and the misses.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

from bench.titles import is_hit as title_hit
from bench.titles import words
from indexer.extraction import SUFFIXES, extract_many

BENCH = Path(__file__).resolve().parent


def read_judged(tsv: Path) -> dict[str, list[str]]:
    """Return {file name: [judged alternative, ...]} from a two-column table with a header row."""
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return {row[0].strip(): [alt.strip() for alt in row[1].split(" || ")]
            for row in rows[1:] if len(row) >= 2 and row[0].strip()}


def _names(text: str) -> list[str]:
    return [" ".join(words(name)) for name in text.split(";") if words(name)]


def authors_hit(suggested: list[str], judged: list[str]) -> bool:
    """Return True if the suggested names are one judged alternative's names, in any order."""
    said = sorted(" ".join(words(name)) for name in suggested if words(name))
    return any(sorted(_names(alt)) == said if alt != "-" else not said for alt in judged)


def abstract_hit(suggested: str | None, judged: list[str]) -> bool:
    """Return True if the suggestion opens with a judged opening (or is empty where '-' is judged)."""
    said = words(suggested)
    for alt in judged:
        if alt == "-":
            if not said:
                return True
            continue
        wanted = words(alt)
        if wanted and said[: len(wanted)] == wanted:
            return True
    return False


def looks_like_contents(text: str | None) -> bool:
    """Return True for an abstract that is a table of contents: dot leaders, or 'Contents' at its start."""
    if not text:
        return False
    return bool(re.search(r"\.{5,}|…{3,}", text)) or "contents" in words(text)[:12]


def main(argv: list[str] | None = None) -> int:
    """Extract every document under the folders and print the scores as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.suggestions", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", type=Path, nargs="+")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    args = parser.parse_args(argv)
    for folder in args.folders:
        if not folder.is_dir():
            print(f"not a folder: {folder}", file=sys.stderr)
            return 2
    authors = read_judged(BENCH / "authors.tsv")
    abstracts = read_judged(BENCH / "abstracts.tsv")
    titles = {name: alts[0] for name, alts in read_judged(BENCH / "policy_titles.tsv").items()}

    paths = sorted(p for folder in args.folders for p in folder.rglob("*")
                   if p.is_file() and p.suffix.lower() in SUFFIXES)
    suggestions = {Path(r.path).name: r.suggestion for r in extract_many(paths, jobs=args.jobs)}

    figures: dict[str, dict] = {}
    author_misses, abstract_misses, toc = [], [], []
    hits = found = said_total = wanted_total = 0
    unsure = {field: {"unsure": 0, "unsure_wrong": 0, "sure": 0, "sure_wrong": 0}
              for field in ("title", "authors", "abstract")}

    def mark(field: str, suggestion, right: bool) -> None:
        if not getattr(suggestion, field):
            return
        kind = "unsure" if field in suggestion.unsure else "sure"
        unsure[field][kind] += 1
        unsure[field][f"{kind}_wrong"] += not right

    for name, judged in authors.items():
        if name not in suggestions:
            continue
        suggestion = suggestions[name]
        right = authors_hit(suggestion.authors, judged)
        hits += right
        mark("authors", suggestion, right)
        if not right:
            author_misses.append([name, suggestion.authors, " || ".join(judged)])
        said = {" ".join(words(n)) for n in suggestion.authors if words(n)}
        best = max((set(_names(alt)) for alt in judged if alt != "-"), key=lambda s: len(s & said), default=set())
        found += len(said & best)
        said_total += len(said)
        wanted_total += len(best)
    judged_authors = sum(name in suggestions for name in authors)
    figures["authors"] = {"judged": judged_authors, "hits": hits,
                          "name_precision": round(found / said_total, 3) if said_total else None,
                          "name_recall": round(found / wanted_total, 3) if wanted_total else None}

    hits = 0
    for name, judged in abstracts.items():
        if name not in suggestions:
            continue
        suggestion = suggestions[name]
        right = abstract_hit(suggestion.abstract, judged)
        hits += right
        mark("abstract", suggestion, right)
        if looks_like_contents(suggestion.abstract):
            toc.append(name)
        if not right:
            abstract_misses.append([name, (suggestion.abstract or "")[:120], " || ".join(judged)])
    figures["abstracts"] = {"judged": sum(name in suggestions for name in abstracts), "hits": hits,
                            "contents_suggested": len(toc)}

    for name, judged_title in titles.items():
        if name in suggestions:
            mark("title", suggestions[name], title_hit(suggestions[name].title, judged_title))
    figures["unsure"] = unsure
    print(json.dumps({"files": len(paths), **figures, "contents": toc, "author_misses": author_misses,
                      "abstract_misses": abstract_misses}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
