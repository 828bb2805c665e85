"""Index soak: many single-item writes through the product's own path, then check-index.

    python -m bench.soak [--writes N] [--seed S]

Each write is what a publish or an edit on the site does: one database transaction that
changes one item and logs it, then the indexer's follower applying that entry in a
commit of its own (so Whoosh merges segments as it goes). Prints one JSON line: writes
per second, the slowest commit, commit-time percentiles, the segment count sampled along
the way, the index size, and whether check-index found the index and database agreeing.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time

WORDS = ("information sharing consent safeguarding families domestic abuse police health council "
         "records standards agreement referral risk assessment practitioners hub data protection "
         "children schools housing probation victims partnership governance").split()


def text(rng: random.Random, words: int) -> str:
    """Return made-up prose of `words` words from the field's vocabulary."""
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def main() -> None:
    """Run the soak and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from repository import create_app
    from repository.commands.database import prepare_database
    from repository.context import resources
    from repository.db import transaction
    from repository.follower import IndexFollower
    from repository.models import Item
    from repository.services.changes import record_change
    from repository.services.indexing import compare_index
    from repository.services.items import AuthorData, ItemData, create_item

    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SECRET_KEY": "bench"}, instance_path=instance)
        with app.app_context():
            prepare_database()
            res = resources()
            follower = IndexFollower(res.sessions, res.index)
            follower.catch_up()
            ids: list[int] = []
            commits: list[float] = []
            segments: list[tuple[int, int]] = []
            started = time.perf_counter()
            for n in range(1, args.writes + 1):
                with transaction(res.sessions) as session:
                    if ids and rng.random() < 0.3:
                        item = session.get(Item, rng.choice(ids))  # an edit
                        item.abstract = text(rng, 150)
                        record_change(session, [item.id], "edited")
                    else:
                        item = create_item(session, ItemData(
                            title=text(rng, 8), authors=[AuthorData("Ann Example")], year=2010 + n % 10,
                            abstract=text(rng, 150), summary=text(rng, 60),
                            access=rng.choice(["open", "open", "open", "restricted"])))
                        ids.append(item.id)
                began = time.perf_counter()
                follower.catch_up()
                commits.append(time.perf_counter() - began)
                if n % max(1, args.writes // 20) == 0:
                    segments.append((n, res.index.segment_count()))
            seconds = time.perf_counter() - started
            with res.sessions() as session:
                differences = compare_index(session, res.index)
            size = res.index.size_bytes()
            res.engine.dispose()
    commits.sort()
    print(json.dumps({
        "writes": args.writes,
        "seconds": round(seconds, 2),
        "writes_per_s": round(args.writes / seconds, 1),
        "commit_p50_ms": round(statistics.median(commits) * 1000, 1),
        "commit_p95_ms": round(commits[int(len(commits) * 0.95) - 1] * 1000, 1),
        "slowest_commit_ms": round(commits[-1] * 1000, 1),
        "segments": segments,
        "index_mb": round(size / 2**20, 2),
        "check_index_clean": differences.clean,
    }))


if __name__ == "__main__":
    main()
