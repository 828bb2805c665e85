"""An item's additional files in the index: their own documents and readers, grouped into the item's hit."""

from __future__ import annotations

from indexer.search import SearchRequest, search
from indexer.search.store import IndexStore


def _item(item_id: str, files: list[dict], readers: tuple[str, ...] = ("public",)) -> dict:
    return {"id": item_id, "title": f"Sharing information {item_id}", "body": "Councils and police share risk.",
            "readers": list(readers), "year": 2015, "type": "paper", "files": files}


def test_a_file_is_found_by_its_readers_only_and_counted_with_its_item(tmp_path):
    store = IndexStore(tmp_path / "index")
    store.add_or_replace([
        _item("1", [{"id": 7, "label": "Slides", "body": "The quillwort pilot in Leeds.", "readers": ["user:5"]}]),
        _item("2", []),
    ])
    assert store.doc_count() == 2 and set(store.fingerprints()) == {"1", "2"}
    reader = search(store, SearchRequest(q="quillwort", principals=["public", "user:5"]))
    assert [hit.id for hit in reader.hits] == ["1"] and reader.total == 1
    assert reader.hits[0].found_in == ["Slides"] and reader.hits[0].snippets[0].startswith("Slides: ")
    assert dict(reader.facets["type"]) == {"paper": 1}
    other = search(store, SearchRequest(q="quillwort", principals=["public", "user:6"]))
    assert other.total == 0 and other.hits == [] and other.suggestion is None
    # A word in the item and in its file: one hit, and the other reader sees no snippet of the file.
    both = search(store, SearchRequest(q="quillwort councils", principals=["public", "user:6"]))
    assert both.total == 2 and all("quillwort" not in " ".join(hit.snippets) for hit in both.hits)
    assert search(store, SearchRequest(q="quillwort councils", principals=["public", "user:5"])).total == 2
    # Phrases and prefixes go through the other path, with the same rule.
    assert search(store, SearchRequest(q='"quillwort pilot"', principals=["public", "user:5"])).total == 1
    assert search(store, SearchRequest(q='"quillwort pilot"', principals=["public"])).total == 0
    assert search(store, SearchRequest(q="quillw*", principals=["public"])).total == 0
    # Sorted by date, a file's match still lists its item.
    assert [h.id for h in search(store, SearchRequest(q="quillwort", sort="newest",
                                                      principals=["user:5"])).hits] == []  # item not visible
    assert [h.id for h in search(store, SearchRequest(q="quillwort", sort="newest",
                                                      principals=["public", "user:5"])).hits] == ["1"]
    # A withheld item's files are withheld with it.
    assert search(store, SearchRequest(q="quillwort", principals=["public", "user:5"],
                                       withheld=frozenset({"1"}))).total == 0


def test_replacing_or_removing_an_item_replaces_or_removes_its_files(tmp_path):
    store = IndexStore(tmp_path / "index")
    data = {"id": 7, "label": "Data", "body": "marramgrass survey", "readers": ["public"]}
    notes = {"id": 8, "label": "Other", "body": "hobbleforth notes", "readers": ["public"]}
    store.add_or_replace([_item("1", [data, notes])])
    assert search(store, SearchRequest(q="hobbleforth")).total == 1
    store.add_or_replace([_item("1", [data])])
    assert search(store, SearchRequest(q="hobbleforth")).total == 0
    assert search(store, SearchRequest(q="marramgrass")).total == 1
    store.delete(["1"])
    assert search(store, SearchRequest(q="marramgrass")).total == 0 and store.doc_count() == 0
    # A rebuild writes the files too.
    store.rebuild([_item("3", [{"id": 9, "label": "Slides", "body": "hobbleforth again", "readers": ["public"]}])])
    assert [hit.id for hit in search(store, SearchRequest(q="hobbleforth")).hits] == ["3"]
    assert store.doc_count() == 1
