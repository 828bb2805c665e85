"""Several nodes of one deployment: one PostgreSQL, shared files, an index and an indexer each.

What a consortium's deployment lives through: a publish on node A is found on node B; node
B's indexer is killed with SIGKILL while editors publish and edit through both nodes and
readers search; restarted, it converges, and both nodes answer the judged SciFact queries
alike (the same documents in the same order, scores equal within tests/ranking.py's
tolerance); a third node started with no index builds it from the database while it serves.
"""

from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import select

from bench.relevance import read_corpus, read_qrels, read_queries
from indexer.search import IndexStore, SearchRequest, search
from repository import create_app
from repository.db import transaction
from repository.ingestion import Ingester, IngestOptions
from repository.models import Item, ItemAuthor
from repository.services.indexing import compare_index
from repository.services.items import ItemData, create_item
from tests import databases
from tests.ranking import assert_same_ranking
from tests.serving import Browser, Node, node

from .people import PASSWORD, make_pdf, make_user

pytestmark = pytest.mark.postgresql_only(
    "nodes on several machines share a database server; an SQLite file belongs to one machine")

SCIFACT = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "scifact"
QUERIES = 60  # judged SciFact test queries compared across nodes
DISTRACTORS = 300  # unjudged SciFact abstracts beside the judged ones
PUBLISHES = 50
EDITS = 10


def _load_scifact(res) -> list[str]:
    """Publish the judged documents of QUERIES test queries and some others; return the queries."""
    queries = read_queries(SCIFACT)
    qrels = read_qrels(SCIFACT, "test")
    chosen = sorted(qrels)[:QUERIES]
    wanted = {doc for qid in chosen for doc in qrels[qid]}
    with transaction(res.sessions) as session:
        others = 0
        for doc in read_corpus(SCIFACT):
            if doc["id"] not in wanted:
                if others >= DISTRACTORS:
                    continue
                others += 1
            create_item(session, ItemData(title=doc["title"] or doc["id"], abstract=doc["body"]))
    return [queries[qid] for qid in chosen]


def _submissions(res, folder: Path, count: int, word: str) -> list[int]:
    """Ingest `count` papers containing `word` as submissions awaiting an editor; return their ids."""
    folder.mkdir()
    paths = [make_pdf(folder / f"{word}-{n}.pdf", [f"Submission {n}: a study of {word} and sharing records."])
             for n in range(count)]
    outcomes = list(Ingester(res.sessions, res.index, res.files, jobs=2).run(paths, IngestOptions(status="submitted")))
    assert {o.status for o in outcomes} == {"ingested"}
    ids = sorted(o.id for o in outcomes)
    with transaction(res.sessions) as session:
        for item in session.scalars(select(Item).where(Item.id.in_(ids))):  # these files name no author
            item.authors.append(ItemAuthor(position=0, name="Ann Example"))
    return ids


def _search(base: str, q: str, per_page: int = 10) -> dict:
    query = urllib.parse.urlencode({"q": q, "per_page": per_page})
    with urllib.request.urlopen(f"{base}/api/v1/search?{query}", timeout=60) as response:
        return json.load(response)


def _ids(base: str, q: str) -> list[int]:
    return [row["id"] for row in _search(base, q)["results"]]


def _wait_until_in_step(running: Node, shared_url: str, files: Path, timeout: float = 180) -> None:
    """Wait until the node's index agrees with the database (what check-index reports)."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": shared_url, "FILES_DIR": str(files)},
                     instance_path=running.instance)
    res = app.extensions["repository"]
    deadline = time.monotonic() + timeout
    try:
        while True:
            with res.sessions() as session:
                differences = compare_index(session, res.index)
            if (not differences.rebuild_reason and not differences.pending and not differences.missing
                    and not differences.extra and not differences.stale):
                return
            assert time.monotonic() < deadline, f"{running.instance.name} never caught up: {differences}"
            time.sleep(0.5)
    finally:
        res.index.close()
        res.engine.dispose()


def _assert_same_results(nodes: list[Node], queries: list[str]) -> None:
    """Each node's site finds as many, and its index ranks the same documents the same way."""
    stores = [IndexStore(running.instance / "index") for running in nodes]
    try:
        for q in queries:
            totals = {_search(running.base, q)["total"] for running in nodes}
            assert len(totals) == 1, (q, totals)
            first, *others = (search(store, SearchRequest(q=q, per_page=100)).hits for store in stores)
            for hits in others:
                assert_same_ranking(first, hits, q)
    finally:
        for store in stores:
            store.close()


@pytest.mark.skipif(not SCIFACT.is_dir(), reason="the SciFact corpus is not beside the checkout")
def test_nodes_share_one_database_and_converge_after_kill_dash_nine(tmp_path):
    shared = tmp_path / "shared"
    shared_url = databases.url_for(shared)
    files = shared / "files"
    owner = create_app({"TESTING": True, "SECRET_KEY": "t", "FILES_DIR": str(files)}, instance_path=shared)
    res = owner.extensions["repository"]
    with owner.app_context():
        from repository.commands.database import prepare_database

        prepare_database()
    queries = _load_scifact(res)
    first = _submissions(res, tmp_path / "first", 1, "quillerby")[0]
    batch = _submissions(res, tmp_path / "batch", PUBLISHES, "tarnwick")
    make_user(res, "ed@example.org", "editor")
    res.engine.dispose()
    settings = {"DATABASE_URL": shared_url, "FILES_DIR": str(files), "SECRET_KEY": "one-deployment"}

    with node(tmp_path / "node-a", **settings) as a, node(tmp_path / "node-b", **settings) as b:
        _wait_until_in_step(a, shared_url, files)
        _wait_until_in_step(b, shared_url, files)

        # Published through node A, found through node B.
        editor_a, editor_b = Browser(a.base), Browser(b.base)
        assert editor_a.sign_in("ed@example.org", PASSWORD) == 302
        assert editor_b.sign_in("ed@example.org", PASSWORD) == 302
        token_a = editor_a.csrf(f"/moderation/items/{first}")
        token_b = editor_b.csrf(f"/moderation/items/{first}")
        assert editor_a.request(f"/moderation/items/{first}/publish", {"csrf_token": token_a})[0] == 302
        deadline = time.monotonic() + 30
        while _ids(b.base, "quillerby") != [first]:
            assert time.monotonic() < deadline, "a publish on node A never reached node B's search"
            time.sleep(0.1)
        with urllib.request.urlopen(f"{b.base}/items/{first}/file.pdf", timeout=60) as response:
            assert response.read().startswith(b"%PDF-")  # the file stored through the shared folder

        # Node B's indexer is killed while both nodes publish and edit and readers search.
        def publish(n_and_id: tuple[int, int]) -> int:
            n, item_id = n_and_id
            editor, token = (editor_a, token_a) if n % 2 else (editor_b, token_b)
            return editor.request(f"/moderation/items/{item_id}/publish", {"csrf_token": token})[0]

        def edit(n: int) -> int:
            item_id = batch[n]
            editor, token = (editor_b, token_b) if n % 2 else (editor_a, token_a)
            return editor.request(f"/moderation/items/{item_id}/edit", {
                "csrf_token": token, "type": "paper", "title": f"Edited submission {n} on sharing records",
                "authors": "Ann Example\nBen Example", "abstract": f"Revised: tarnwick and brackenfold {n}.",
                "access": "open", "licence": "CC-BY-4.0", "event": ""})[0]

        def read(n: int) -> int:
            with urllib.request.urlopen(f"{(a, b)[n % 2].base}/search?q=tarnwick", timeout=60) as response:
                return response.status

        with ThreadPoolExecutor(max_workers=20) as pool:
            published = pool.map(publish, enumerate(batch))
            reads = pool.map(read, range(40))
            time.sleep(1.0)
            b.kill_indexer()
            published, reads = list(published), list(reads)
            edits = list(pool.map(edit, range(EDITS)))
        assert published == [302] * PUBLISHES
        assert edits == [302] * EDITS
        assert reads == [200] * 40
        b.start_indexer()
        _wait_until_in_step(a, shared_url, files)
        _wait_until_in_step(b, shared_url, files)
        assert _search(a.base, "tarnwick", 100)["total"] == PUBLISHES
        assert _search(b.base, "brackenfold", 100)["total"] == EDITS
        _assert_same_results([a, b], queries)

        # A third node starts with no index: it serves at once and catches up.
        with node(tmp_path / "node-c", **settings) as c:
            with urllib.request.urlopen(f"{c.base}/search?q=tarnwick", timeout=60) as response:
                assert response.status == 200
            _wait_until_in_step(c, shared_url, files)
            _assert_same_results([a, c], queries[:20])
