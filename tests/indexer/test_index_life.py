"""An index's life, not its first day: hundreds of small commits, merges, deletions, reopenings.

Whoosh merges small segments on commit (MERGE_SMALL) and rewrites everything on optimise;
each path reads every posting back and writes it again. These tests drive one index through
those paths and hold the product's fast read side (indexer.search.view) equal to stock Whoosh's
own answers at every stage.
"""

from __future__ import annotations

import random

import pytest
from whoosh import query as wq

from indexer.search import SearchRequest, search
from indexer.search.schema import TEXT_FIELDS
from indexer.search.store import DocumentRewritten, IndexStore, IndexWriteFailed
from tests.indexer.documents import make_doc

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "pha", "dro", "quil"]


def word(rng: random.Random) -> str:
    """Return a made-up word of four syllables (letters only, so it survives analysis whole)."""
    return "".join(rng.choice(SYLLABLES) for _ in range(4))


def unique_words(count: int, seed: int) -> list[str]:
    """Return `count` distinct made-up words."""
    rng, seen = random.Random(seed), []
    while len(seen) < count:
        candidate = word(rng)
        if candidate not in seen:
            seen.append(candidate)
    return seen


def found(store: IndexStore, q: str, principals=("public",)) -> set[str]:
    """Return the ids a query finds."""
    return {h.id for h in search(store, SearchRequest(q=q, principals=list(principals), per_page=100)).hits}


def stock_ids(searcher, field: str, text: str) -> list[int]:
    """Return the live docnums holding a term, read the plain Whoosh way."""
    return sorted(searcher.docs_for_query(wq.Term(field, text)))


def assert_view_equals_stock(store: IndexStore, terms: list[tuple[str, str]]) -> None:
    """The product's cached scores and bitmaps equal Whoosh's own for every term."""
    view = store.view()
    searcher = view.searcher
    for field, text in terms:
        expected = stock_ids(searcher, field, text)
        bits = view.term_bits(field, text)
        assert [d for d in range(view.size) if bits >> d & 1] == expected, (field, text)
        if field not in TEXT_FIELDS:  # keys are filtered on, never scored
            continue
        ids, scores = view.term_scores(field, text)
        assert sorted(ids.tolist()) == expected, (field, text)
        if expected:
            stock = {hit.docnum: hit.score for hit in searcher.search(wq.Term(field, text), limit=None)}
            ours = dict(zip(ids.tolist(), scores.tolist(), strict=True))
            assert ours == pytest.approx(stock, rel=1e-5), (field, text)


def test_hundreds_of_small_commits_merge_and_stay_correct(tmp_path):
    rng = random.Random(9)
    words = iter(unique_words(2000, seed=1))
    store = IndexStore(tmp_path / "ix")
    live: dict[str, str] = {}  # id -> the made-up word only that document holds
    gone: list[str] = []  # words of documents deleted or replaced
    segments, merges, next_id = [], 0, 0
    for commit in range(320):
        with store.writer() as writer:
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                action = rng.random()
                if action < 0.6 or len(live) < 5:
                    doc_id, next_id = str(next_id), next_id + 1
                elif action < 0.85:
                    doc_id = rng.choice(sorted(live))  # replace
                    gone.append(live.pop(doc_id))
                else:
                    doc_id = rng.choice(sorted(live))
                    gone.append(live.pop(doc_id))
                    writer.remove(doc_id)
                    continue
                if doc_id in writer.written:
                    continue
                unique = next(words)
                live[doc_id] = unique
                access = rng.choice(["open", "open", "restricted"])
                body = f"{unique} information sharing " * rng.randint(1, 30)
                writer.put(make_doc(doc_id, title=f"Report {unique}", body=body,
                                    access=access, readers=["public"] if access == "open" else ["editors"],
                                    themes=[rng.choice(["families", "domestic-abuse"])]))
            writer.commit(checkpoint={"seq": commit})
        count = store.segment_count()
        if segments and count < segments[-1]:
            merges += 1
        segments.append(count)
        if commit % 40 == 39:
            store = IndexStore(tmp_path / "ix")  # reopen, as a restarted process would
            sample = rng.sample(sorted(live), 10)
            assert all(live[i] in {live[j] for j in found(store, live[i], ["public", "editors"])} for i in sample)
    assert merges > 20, segments  # Whoosh merged segments again and again along the way
    assert max(segments) < 20
    assert store.checkpoint() == {"seq": 319}

    everyone = ["public", "editors"]
    assert store.doc_count() == len(live)
    for doc_id, unique in live.items():
        assert found(store, unique, everyone) == {doc_id}
    for unique in gone:
        assert found(store, unique, everyone) == set()
    assert set(store.fingerprints()) == set(live)
    sample = rng.sample(sorted(live.values()), 20)
    assert_view_equals_stock(store, [("text", w) for w in sample] + [("text", "inform"), ("exact", "sharing"),
                                                                      ("readers", "public"), ("themes", "families")])


def test_optimise_and_reopen_keep_every_document_and_score(tmp_path):
    words = unique_words(60, seed=2)
    docs = [make_doc(str(n), title=unique, body=f"{unique} genogram consent " * (n % 7 + 1))
            for n, unique in enumerate(words)]
    store = IndexStore(tmp_path / "ix")
    for doc in docs:
        store.add_or_replace([doc])
    store.delete([str(n) for n in range(0, 60, 3)])  # deletions spread over many segments
    store._ix.optimize()  # Whoosh's own optimise: every segment read and written again
    reopened = IndexStore(tmp_path / "ix")
    assert reopened.segment_count() == 1
    assert reopened.doc_count() == 40
    # Optimising purges deleted documents, so the index now scores as one built from the live ones
    # (within 1 %: a merge re-derives total field lengths from Whoosh's one-byte-per-document lengths).
    fresh = IndexStore(tmp_path / "fresh")
    fresh.add_or_replace([doc for n, doc in enumerate(docs) if n % 3])
    for q in ("genogram", "consent genogram", words[4], words[5], words[3]):
        ours = {h.id: h.score for h in search(reopened, SearchRequest(q=q, per_page=100)).hits}
        theirs = {h.id: h.score for h in search(fresh, SearchRequest(q=q, per_page=100)).hits}
        assert ours == pytest.approx(theirs, rel=0.01)
    assert_view_equals_stock(reopened, [("text", "genogram"), ("text", words[4]), ("title", words[5])])


def test_putting_one_document_twice_before_a_commit_is_refused(tmp_path):
    store = IndexStore(tmp_path)
    with store.writer() as writer:
        writer.put(make_doc("1", title="Leeds"))
        with pytest.raises(DocumentRewritten):
            writer.put(make_doc("1", title="Leeds again"))
        with pytest.raises(DocumentRewritten):
            writer.remove("1")
        writer.commit()
    assert store.doc_count() == 1


def test_a_failed_commit_lets_go_of_the_lock_and_writes_nothing(tmp_path, monkeypatch):
    store = IndexStore(tmp_path, lock_timeout=0.5)
    store.add_or_replace([make_doc("1", title="Leeds")], )
    writer = store.writer()
    writer.put(make_doc("2", title="Bradford"))

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer._writer, "commit", broken)
    with pytest.raises(IndexWriteFailed, match="No space left"):
        writer.commit(checkpoint={"seq": 2})
    assert store.checkpoint() is None  # nothing recorded for a write that failed
    assert found(store, "bradford") == set()
    # The lock is free: another writer (here a fresh store, as another process would) gets it at once.
    assert IndexStore(tmp_path, lock_timeout=0.1).add_or_replace([make_doc("3", title="Bradford")]) == 1
    assert found(store, "bradford") == {"3"}


def test_a_writer_dropped_without_commit_lets_go_of_the_lock(tmp_path):
    store = IndexStore(tmp_path, lock_timeout=0.1)
    writer = store.writer()
    writer.put(make_doc("1"))
    del writer
    assert store.add_or_replace([make_doc("2")]) == 1
