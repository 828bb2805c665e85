"""Score suggested titles against judged ones.

    python -m bench.titles DIR TSV [--jobs N]

Every PDF under DIR (subfolders included) goes through indexer.extraction.extract.extract_many; its
suggestion.title is compared with the judged title in TSV (header row; file<TAB>title), matched
by file name. Both are normalised (case, accents, punctuation) to words. A guess is a hit if it
starts with the judged title, or if it is a prefix of the judged title holding at least 60% of
its words. Prints one JSON line: files, judged, hits, misses ([file, guess, judged], ...).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import unicodedata
from pathlib import Path

from indexer.extraction.extract import extract_many

PREFIX_SHARE = 0.6


def words(text: str | None) -> list[str]:
    """Return `text` as lowercase words of letters and digits only."""
    text = unicodedata.normalize("NFKD", text or "").lower()
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(ch if ch.isalnum() else " " for ch in text).split()


def is_hit(guess: str | None, judged: str) -> bool:
    """Return True if `guess` starts with `judged`, or is a long enough prefix of it."""
    said, wanted = words(guess), words(judged)
    if not said or not wanted:
        return False
    if said[: len(wanted)] == wanted:
        return True
    return wanted[: len(said)] == said and len(said) >= PREFIX_SHARE * len(wanted)


def read_judgements(tsv: Path) -> dict[str, str]:
    """Return {file name: judged title} from a file<TAB>title table with a header row."""
    with tsv.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return {row[0].strip(): row[1].strip() for row in rows[1:] if len(row) >= 2 and row[0].strip()}


def main(argv: list[str] | None = None) -> int:
    """Extract every PDF in the folder and print the title score as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.titles", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path)
    parser.add_argument("tsv", type=Path)
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: CPUs)")
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        print(f"not a folder: {args.folder}", file=sys.stderr)
        return 2
    try:
        judged = read_judgements(args.tsv)
    except OSError as exc:
        print(f"cannot read {args.tsv}: {exc.strerror or exc}", file=sys.stderr)
        return 2

    paths = sorted(p for p in args.folder.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf")
    guesses: dict[str, str | None] = {}
    for result in extract_many(paths, jobs=args.jobs):
        guesses[Path(result.path).name] = result.suggestion.title
    hits, misses = 0, []
    for name, title in judged.items():
        guess = guesses.get(name)
        if name in guesses and is_hit(guess, title):
            hits += 1
        else:
            # A judged file missing from DIR counts as a miss, so the score cannot flatter.
            misses.append([name, guess if name in guesses else "(file not found)", title])
    print(json.dumps({"files": len(paths), "judged": len(judged), "hits": hits, "misses": misses},
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
