"""When the index cannot be written: no 500, no lock left behind, nothing more visible than asked, a repair."""

from __future__ import annotations

import threading

import pytest
from whoosh.writing import SegmentWriter

from indexer.search.store import IndexStore
from repository.follower import IndexFollower, follow
from repository.models import Item
from tests.conftest import apply_changes

from .people import make_user, sign_in

WORD = "marrowlith"


@pytest.fixture
def full_disk(monkeypatch):
    """Return a switch that makes every index commit fail as a full disk would; undo() ends it."""

    def no_space(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    class Disk:
        def fill(self):
            monkeypatch.setattr(SegmentWriter, "commit", no_space)

        def undo(self):
            monkeypatch.undo()

    return Disk()


def one_round(res) -> None:
    """Run the indexer service's loop for one round."""
    stop = threading.Event()
    follow(IndexFollower(res.sessions, res.index), stop=stop, wait=lambda _seconds: stop.set())


def _review_form(item: Item, access: str) -> dict:
    return {"type": "paper", "title": item.title, "authors": "Ann Example", "abstract": item.abstract or "",
            "summary": "", "year": "2015", "event": "", "places": "", "licence": "", "access": access,
            "embargo_until": "", "readers": "", "save": "y"}


def test_a_failing_index_write_shows_no_500_is_reported_and_reindex_repairs_it(
        app, client, res, runner, make_item, full_disk, caplog):
    item_id = make_item(title=f"Refuge referrals and {WORD}", abstract="Victims' services in Blackpool.")
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "ed@example.org")
    with res.sessions() as session:
        item = session.get(Item, item_id)
    full_disk.fill()

    # An editor restricts the item while the index cannot be written: the page works.
    response = client.post(f"/moderation/items/{item_id}/edit", data=_review_form(item, "restricted"))
    assert response.status_code == 302
    with caplog.at_level("ERROR", logger="repository.indexer"):
        one_round(res)
    assert "could not update the search index" in caplog.text and "No space left on device" in caplog.text

    # The failed write let go of the lock: another writer gets it at once.
    with IndexStore(res.index_path, lock_timeout=0.1).writer() as writer:
        writer.cancel()
    # The index still says "open", but nobody finds the item until its change is applied.
    anonymous = app.test_client()
    assert anonymous.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 0
    assert "Refuge referrals" not in anonymous.get(f"/search?q={WORD}").get_data(as_text=True)
    assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 0  # the editor neither, for now

    report = runner.invoke(args=["check-index"])
    assert report.exit_code == 1
    assert "1 change(s) in the change log are not applied yet" in report.output
    assert "the indexer's last attempt failed" in report.output and "No space left on device" in report.output

    full_disk.undo()
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert runner.invoke(args=["check-index"]).exit_code == 0
    assert anonymous.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 0  # restricted now
    assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 1


def test_the_indexer_heals_by_itself_once_the_disk_has_room(app, res, make_item, full_disk):
    make_item(title="Family group conferences")
    item_id = make_item(title=f"Kinship care and {WORD}")
    assert apply_changes(res) == 0
    full_disk.fill()
    from repository.db import transaction
    from repository.services.changes import record_change

    with transaction(res.sessions) as session:
        session.get(Item, item_id).title = "Kinship care"
        record_change(session, [item_id], "edited")
    one_round(res)
    from indexer.search import SearchRequest, search

    assert search(res.index, SearchRequest(q=WORD)).total == 1  # the old entry: the write failed
    full_disk.undo()
    one_round(res)
    assert search(res.index, SearchRequest(q=WORD)).total == 0
    assert search(res.index, SearchRequest(q="kinship")).total == 1


def test_a_record_that_cannot_be_indexed_is_named_and_the_rest_goes_on(app, res, runner, make_item, monkeypatch):
    from repository.services import indexing

    good = make_item(title="Information sharing agreements")
    bad = make_item(title="A record the indexer chokes on")
    real = indexing.index_document

    def choke(item, today=None):
        if item.id == bad:
            raise ValueError("this record has something the index cannot take")
        return real(item, today)

    monkeypatch.setattr(indexing, "index_document", choke)
    from repository.db import transaction
    from repository.services.changes import record_change

    with transaction(res.sessions) as session:
        record_change(session, [good, bad], "edited")
    one_round(res)
    result = runner.invoke(args=["check-index"])
    assert f"item {bad}: cannot be indexed: this record has something the index cannot take" in result.output
    assert f"item {bad}: missing from the index" in result.output
    with res.sessions() as session:
        from repository.services.changes import latest_seq

        assert res.index.checkpoint()["seq"] == latest_seq(session)  # the log moved on
    from indexer.search import SearchRequest, search

    assert search(res.index, SearchRequest(q="agreements")).total == 1


def test_a_damaged_index_gives_a_clear_503_until_init_db_rebuilds_it(app, res, runner, make_item, tmp_path):
    from repository import create_app

    make_item(title=f"Multi-agency hubs and {WORD}")
    [toc] = res.index_path.glob("_search_*.toc")
    toc.write_bytes(b"not a table of contents")
    damaged = create_app({"TESTING": True, "SECRET_KEY": "t"}, instance_path=app.instance_path)
    client = damaged.test_client()
    page = client.get(f"/search?q={WORD}")
    assert page.status_code == 503 and "while its index is rebuilt" in page.get_data(as_text=True)
    assert client.get(f"/api/v1/search?q={WORD}").status_code == 503
    assert client.get("/about").status_code == 200
    rebuilt = runner.invoke(args=["init-db"])  # another process, as the indexer or init-db would be
    assert "rebuilt from the database (1 published item(s)): its files cannot be read" in rebuilt.output
    assert client.get(f"/api/v1/search?q={WORD}").get_json()["total"] == 1  # the site reopens it
    damaged.extensions["repository"].engine.dispose()
