"""Nodes under load: publish-to-searchable latency, and search pages per node under wrk.

    python -m bench.nodes ../shared/corpora/scifact [--docs N] [--publishes N] [--seconds S]

Two deployments are measured in one run, on this machine, over loopback:

- **embedded**: one node on SQLite, as `make run` serves it (gunicorn with 2 workers here,
  and the indexer service polling every INDEXER_POLL_SECONDS);
- **two nodes**: a throwaway PostgreSQL cluster (Debian's package), two gunicorn nodes with
  2 workers each, their own index folders and indexers (woken by NOTIFY), one file store.

Each holds the first N SciFact abstracts as published items. An editor then publishes
submissions one at a time through the site (node A); after each, the time until the item's
unique word is found through the search API is measured, on node A and on node B. Then wrk
requests search pages for SciFact queries (a Lua script cycles through them) on each node
alone and on both at once. Prints one JSON line per deployment; the README records them.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from pathlib import Path

from bench.relevance import read_corpus, read_queries

WRK_SCRIPT = """
-- Cycle through search queries, one per request.
local queries = {}
for line in io.lines("%s") do queries[#queries + 1] = line end
local n = 0
request = function()
  n = n %% #queries + 1
  return wrk.format("GET", "/search?q=" .. queries[n])
end
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def prepare(instance: Path, corpus: Path, docs: int, publishes: int, files: Path) -> list[tuple[int, str]]:
    """Publish `docs` SciFact abstracts and ingest `publishes` submissions; return (id, unique word) of each."""
    from sqlalchemy import select

    from repository import create_app
    from repository.commands.database import prepare_database
    from repository.db import transaction
    from repository.ingestion import Ingester, IngestOptions
    from repository.models import Item, ItemAuthor
    from repository.services.items import ItemData, create_item
    from tests.repository.people import make_pdf, make_user

    app = create_app({"SECRET_KEY": "bench", "FILES_DIR": str(files)}, instance_path=instance)
    with app.app_context():
        prepare_database()
    res = app.extensions["repository"]
    with transaction(res.sessions) as session:
        for n, doc in enumerate(read_corpus(corpus)):
            if n >= docs:
                break
            create_item(session, ItemData(title=doc["title"] or doc["id"], abstract=doc["body"]))
    papers = instance / "papers"
    papers.mkdir()
    words = {}
    for n in range(publishes):
        path = make_pdf(papers / f"p{n}.pdf", [f"Submission {n} about {marker(n)} and information sharing."])
        words[path.name] = marker(n)
    outcomes = list(Ingester(res.sessions, res.index, res.files, jobs=2).run(
        [papers / name for name in words], IngestOptions(status="submitted")))
    submissions = sorted((o.id, words[Path(o.path).name]) for o in outcomes if o.id)
    ids = [item_id for item_id, _ in submissions]
    with transaction(res.sessions) as session:
        for item in session.scalars(select(Item).where(Item.id.in_(ids))):
            item.authors.append(ItemAuthor(position=0, name="Ann Example"))
    make_user(res, "ed@example.org", "editor")
    res.index.close()
    res.engine.dispose()
    return submissions


def marker(n: int) -> str:
    """Return a word found in submission n alone (letters only, so analysis keeps it whole)."""
    return "zq" + "".join("abcdefghij"[int(c)] for c in str(n)) + "x"


def found(base: str, word: str) -> bool:
    with urllib.request.urlopen(f"{base}/api/v1/search?q={word}", timeout=30) as response:
        return json.load(response)["total"] > 0


def publish_latency(nodes: list, submissions: list[tuple[int, str]]) -> dict[str, float]:
    """Publish each submission through the first node; time until each node's search finds it."""
    from tests.repository.people import PASSWORD
    from tests.serving import Browser

    editor = Browser(nodes[0].base)
    if editor.sign_in("ed@example.org", PASSWORD) != 302:
        raise RuntimeError("the editor could not sign in")
    token = editor.csrf(f"/moderation/items/{submissions[0][0]}")
    seen: dict[str, list[float]] = {name: [] for name in ("A", "B")[:len(nodes)]}
    for item_id, word in submissions:
        started = time.perf_counter()
        status, _ = editor.request(f"/moderation/items/{item_id}/publish", {"csrf_token": token})
        if status != 302:
            raise RuntimeError(f"publishing item {item_id} answered {status}")
        waiting = dict(zip(seen, nodes, strict=False))
        while waiting:
            for name, running in list(waiting.items()):
                if found(running.base, word):
                    seen[name].append(time.perf_counter() - started)
                    del waiting[name]
            if time.perf_counter() - started > 60:
                raise RuntimeError(f"item {item_id} was not searchable after 60 s")
            time.sleep(0.02)
    figures = {}
    for name, times in seen.items():
        figures[f"publish_to_search_{name}_p50_ms"] = round(statistics.median(times) * 1000)
        figures[f"publish_to_search_{name}_p95_ms"] = round(percentile(times, 0.95) * 1000)
    return figures


def wrk(bases: list[str], script: Path, seconds: int, connections: int) -> list[dict[str, float]]:
    """Run wrk against each base URL at once; return requests/s and latency percentiles per URL."""
    runs = [subprocess.Popen(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                              base], stdout=subprocess.PIPE, text=True) for base in bases]
    figures = []
    for run in runs:
        out, _ = run.communicate()
        latency = dict(re.findall(r"^\s+(50|90|99)%\s+([\d.]+\w+)", out, re.M))
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        figures.append({
            "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50_ms": _ms(latency["50"]), "p90_ms": _ms(latency["90"]), "p99_ms": _ms(latency["99"]),
            "errors": int(errors.group(1)) if errors else 0,
        })
    return figures


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return round(float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit], 1)


def measure(label: str, nodes: list, submissions: list[tuple[int, str]], script: Path, seconds: int) -> dict:
    figures = {"deployment": label}
    figures.update(publish_latency(nodes, submissions))
    for name, running in zip("AB", nodes, strict=False):
        figures[f"search_{name}_alone"] = wrk([running.base], script, seconds, connections=4)[0]
    if len(nodes) > 1:
        figures["search_both_at_once"] = wrk([n.base for n in nodes], script, seconds, connections=4)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path, help="the SciFact folder (corpus.jsonl, queries.jsonl)")
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--publishes", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=15, help="how long each wrk run lasts")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install -y wrk` (make bench installs it)")

    from tests import databases
    from tests.serving import node

    with tempfile.TemporaryDirectory(prefix="bench-nodes-") as folder:
        folder = Path(folder)
        script = folder / "queries.lua"
        query_file = folder / "queries.txt"
        query_file.write_text("\n".join(urllib.parse.quote_plus(q) for q in read_queries(args.corpus).values()))
        script.write_text(WRK_SCRIPT % query_file)

        # The embedded default: SQLite, one node.
        embedded = folder / "embedded"
        submissions = prepare(embedded, args.corpus, args.docs, args.publishes, embedded / "files")
        with node(embedded, workers=2) as one:
            wait_until_built(one, args.docs)
            figures = measure("embedded: SQLite, one node", [one], submissions, script, args.seconds)
            print(json.dumps(figures), flush=True)

        # Two nodes on PostgreSQL.
        cluster = databases.PostgresCluster()
        cluster.start()
        try:
            databases.current = databases.Databases(cluster)
            databases.current.prepare_template()
            shared = folder / "shared"
            url = databases.url_for(shared)
            from repository import config

            config.default_database_url = databases.current.url_for
            submissions = prepare(shared, args.corpus, args.docs, args.publishes, shared / "files")
            settings = {"DATABASE_URL": url, "FILES_DIR": str(shared / "files"), "SECRET_KEY": "bench"}
            with ExitStack() as stack:
                pair = [stack.enter_context(node(folder / name, workers=2, **settings)) for name in ("a", "b")]
                for running in pair:
                    wait_until_built(running, args.docs)
                print(json.dumps(measure("two nodes: PostgreSQL", pair, submissions, script, args.seconds)), flush=True)
        finally:
            databases.current = None
            cluster.stop()
    return 0


def wait_until_built(running, docs: int, timeout: float = 600) -> None:
    """Wait until the node's search lists every published abstract."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"{running.base}/api/v1/search?q=", timeout=30) as response:
                if json.load(response)["total"] >= docs:
                    return
        except OSError:
            pass  # the index is still being built
        if time.monotonic() > deadline:
            raise RuntimeError(f"{running.instance.name}: the index was not built in {timeout:.0f} s")
        time.sleep(0.5)


if __name__ == "__main__":
    raise SystemExit(main())
