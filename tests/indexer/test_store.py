"""The index store: the one writing path, the lock timeout, fingerprints, rebuilds."""

from __future__ import annotations

import threading
import time

import pytest

from indexer.search import SearchRequest, search
from indexer.search.store import IndexLocked, IndexStore, fingerprint
from tests.indexer.documents import make_doc


def ids_for(store: IndexStore, q: str, principals=("public",)) -> list[str]:
    """Return the ids a query finds."""
    return [h.id for h in search(store, SearchRequest(q=q, principals=list(principals))).hits]


def test_new_store_is_empty_and_reopens(tmp_path):
    store = IndexStore(tmp_path / "ix")
    assert store.doc_count() == 0
    store.add_or_replace([make_doc("1", title="Genogram consent")])
    again = IndexStore(tmp_path / "ix")
    assert ids_for(again, "genogram") == ["1"]


def test_add_or_replace_replaces_by_id(tmp_path):
    store = IndexStore(tmp_path)
    assert store.add_or_replace([make_doc("1", title="Early help hubs")]) == 1
    store.add_or_replace([make_doc("1", title="Multi-agency safeguarding hubs")])
    assert store.doc_count() == 1
    assert ids_for(store, "early") == []
    assert ids_for(store, "safeguarding") == ["1"]


def test_delete_removes_and_counts_only_present_ids(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("1", title="Leeds"), make_doc("2", title="Leeds too")])
    assert store.delete(["1", "99"]) == 1
    assert ids_for(store, "leeds") == ["2"]
    assert store.delete([]) == 0


def test_a_document_without_id_is_refused_before_writing(tmp_path):
    store = IndexStore(tmp_path)
    with pytest.raises(ValueError, match="id"):
        store.add_or_replace([make_doc("1"), make_doc("")])
    assert store.doc_count() == 0


def test_writer_waits_for_the_lock_then_writes(tmp_path):
    store = IndexStore(tmp_path, lock_timeout=10)
    other = IndexStore(tmp_path)
    held = other._ix.writer()  # another writer holds the lock for a moment

    def release():
        time.sleep(0.5)
        held.cancel()

    threading.Thread(target=release).start()
    started = time.monotonic()
    assert store.add_or_replace([make_doc("1", title="Bradford")]) == 1
    assert time.monotonic() - started >= 0.4
    assert ids_for(store, "bradford") == ["1"]


def test_writer_gives_up_with_index_locked(tmp_path):
    store = IndexStore(tmp_path, lock_timeout=0.3)
    held = IndexStore(tmp_path)._ix.writer()
    try:
        with pytest.raises(IndexLocked, match="another process"):
            store.add_or_replace([make_doc("1")])
        with pytest.raises(IndexLocked):
            store.delete(["1"])
    finally:
        held.cancel()
    assert store.add_or_replace([make_doc("1")]) == 1


def test_failed_write_cancels_and_releases_the_lock(tmp_path):
    store = IndexStore(tmp_path, lock_timeout=0.5)

    def docs():
        yield make_doc("1")
        raise RuntimeError("database went away")

    with pytest.raises(RuntimeError):
        store.rebuild(docs())
    assert store.add_or_replace([make_doc("2", title="Manchester")]) == 1
    assert ids_for(store, "manchester") == ["2"]


def test_fingerprints_are_stored_at_write_time(tmp_path):
    store = IndexStore(tmp_path)
    a, b = make_doc("1", title="One"), make_doc("2", title="Two")
    store.add_or_replace([a, b])
    assert store.fingerprints() == {"1": fingerprint(a), "2": fingerprint(b)}
    changed = make_doc("1", title="One, revised")
    assert fingerprint(changed) != fingerprint(a)
    store.add_or_replace([changed])
    assert store.fingerprints()["1"] == fingerprint(changed)


def test_fingerprint_ignores_key_order():
    a = make_doc("1", title="Same")
    b = dict(reversed(list(a.items())))
    assert fingerprint(a) == fingerprint(b)


@pytest.mark.parametrize("procs", [1, 2])
def test_rebuild_empties_then_writes_all(tmp_path, procs):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("old", title="Withdrawn report")])
    docs = [make_doc(str(i), title=f"Case study {i} Blackpool") for i in range(60)]
    assert store.rebuild(docs, procs=procs) == 60
    assert store.doc_count() == 60
    assert "old" not in store.fingerprints()
    assert search(store, SearchRequest(q="blackpool", per_page=100)).total == 60


def test_cached_searcher_sees_new_writes(tmp_path):
    store = IndexStore(tmp_path)
    store.add_or_replace([make_doc("1", title="Leeds")])
    first = store.view()
    assert store.view() is first  # unchanged index: the same searcher is reused
    IndexStore(tmp_path).add_or_replace([make_doc("2", title="Leeds again")])
    assert sorted(ids_for(store, "leeds")) == ["1", "2"]


def test_rebuild_replaces_an_index_made_with_an_older_schema(tmp_path):
    from whoosh import fields, index

    old_schema = fields.Schema(id=fields.ID(stored=True), body=fields.TEXT())
    old = index.create_in(str(tmp_path), old_schema, indexname="items")
    with old.writer() as writer:
        writer.add_document(id="old", body="obsolete layout")
    store = IndexStore(tmp_path)
    assert store.outdated
    assert store.rebuild([make_doc("1", title="Leeds case study")]) == 1
    assert not store.outdated
    assert ids_for(store, "leeds") == ["1"]
    assert not IndexStore(tmp_path).outdated


def test_a_writer_holds_the_lock_until_it_commits_and_records_its_checkpoint(tmp_path):
    store = IndexStore(tmp_path, lock_timeout=0.3)
    writer = store.writer()
    writer.put(make_doc("1", title="Blackpool"))
    writer.put(make_doc("2", title="Blackpool again"))
    assert ids_for(store, "blackpool") == []  # not committed yet
    with pytest.raises(IndexLocked):
        IndexStore(tmp_path, lock_timeout=0.2).add_or_replace([make_doc("9")])
    writer.commit(checkpoint={"seq": 7, "source": "test"})
    assert sorted(ids_for(store, "blackpool")) == ["1", "2"]
    assert IndexStore(tmp_path).checkpoint() == {"seq": 7, "source": "test"}
    assert store.add_or_replace([make_doc("3", title="Leeds")]) == 1  # lock released
    assert store.checkpoint() == {"seq": 7, "source": "test"}  # a write without one keeps the last


def test_leaving_a_writer_block_without_commit_cancels(tmp_path):
    store = IndexStore(tmp_path, lock_timeout=0.2)
    with pytest.raises(RuntimeError):
        with store.writer() as writer:
            writer.put(make_doc("1", title="Bradford"))
            raise RuntimeError("the caller failed half-way")
    assert ids_for(store, "bradford") == []
    assert store.add_or_replace([make_doc("2", title="Bradford")]) == 1


def test_rebuild_records_its_checkpoint(tmp_path):
    store = IndexStore(tmp_path)
    store.rebuild([make_doc("1", title="Leeds")], checkpoint={"seq": 3})
    assert store.checkpoint() == {"seq": 3}
    (tmp_path / "checkpoint.json").write_text("{not json")
    assert store.checkpoint() is None  # a damaged checkpoint reads as none: the caller rebuilds
