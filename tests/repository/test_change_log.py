"""The change log: entries share their change's transaction, and an index that cannot follow rebuilds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from indexer.search import SearchRequest, search
from repository.db import transaction
from repository.models import ChangeLogState, IndexChange, Item
from repository.services import changes
from repository.services.indexing import rebuild_reason
from repository.services.items import ItemData, create_item
from tests.conftest import apply_changes


def entries(res) -> list[tuple[int, int, str]]:
    with res.sessions() as session:
        return [(c.seq, c.item_id, c.reason) for c in session.scalars(select(IndexChange).order_by(IndexChange.seq))]


def test_an_entry_is_written_with_its_change_and_not_without_it(app, res):
    with transaction(res.sessions) as session:
        published = create_item(session, ItemData(title="Early help in Leeds")).id
        create_item(session, ItemData(title="A draft", status="draft"))  # drafts are not searchable
    assert [(item, reason) for _, item, reason in entries(res)] == [(published, "created")]

    with pytest.raises(RuntimeError):
        with transaction(res.sessions) as session:
            create_item(session, ItemData(title="Never stored"))
            raise RuntimeError("the request failed after the change was made")
    assert len(entries(res)) == 1  # rolled back with the change
    session = res.sessions()
    changes.record_change(session, [published], "edited")
    session.close()  # closed without commit: the pending entry is forgotten, not carried over
    session = res.sessions()
    session.commit()
    session.close()
    assert len(entries(res)) == 1


def test_one_transaction_logs_each_item_once_in_commit_order(app, res):
    with transaction(res.sessions) as session:
        a = create_item(session, ItemData(title="Alpha")).id
        b = create_item(session, ItemData(title="Beta")).id
        changes.record_change(session, [b, a, b], "edited")
    with transaction(res.sessions) as session:
        changes.record_change(session, [a], "reindex")
    logged = entries(res)
    assert [item for _, item, _ in logged] == [a, b, a]
    assert [seq for seq, _, _ in logged] == sorted(seq for seq, _, _ in logged)


def test_an_index_rebuilds_when_it_cannot_follow_the_log(app, res):
    with transaction(res.sessions) as session:
        item_id = create_item(session, ItemData(title="Genograms and consent")).id
    apply_changes(res)
    with res.sessions() as session:
        assert rebuild_reason(session, res.index) is None

    # Another database: its log's numbers mean other changes.
    with transaction(res.sessions) as session:
        session.execute(update(ChangeLogState).values(source="another-database"))
    with res.sessions() as session:
        assert rebuild_reason(session, res.index) == "it was built from another database"
    apply_changes(res)

    # The log was pruned past where the index stands.
    checkpoint = res.index.checkpoint()
    with transaction(res.sessions) as session:
        create_item(session, ItemData(title="Bradford family hubs"))
    with transaction(res.sessions) as session:
        changes.prune(session, datetime.now(timezone.utc) + timedelta(days=1))
        assert changes.latest_seq(session) > checkpoint["seq"]
    with res.sessions() as session:
        assert "no longer holds" in rebuild_reason(session, res.index)
    apply_changes(res)
    assert search(res.index, SearchRequest(q="bradford")).total == 1

    # The database went back in time (restored from a backup): the index is ahead of it.
    res.index._write_checkpoint({**res.index.checkpoint(), "seq": res.index.checkpoint()["seq"] + 50})
    with res.sessions() as session:
        assert "ahead" in rebuild_reason(session, res.index)
    apply_changes(res)
    assert search(res.index, SearchRequest(q="genograms")).total == 1
    with res.sessions() as session:
        assert rebuild_reason(session, res.index) is None
        assert session.get(Item, item_id).status == "published"


def test_pruning_keeps_numbers_growing(app, res):
    with transaction(res.sessions) as session:
        create_item(session, ItemData(title="One"))
    with transaction(res.sessions) as session:
        assert changes.prune(session, datetime.now(timezone.utc) + timedelta(days=1)) == 1
    with transaction(res.sessions) as session:
        create_item(session, ItemData(title="Two"))
    [(seq, _, _)] = entries(res)
    assert seq == 2  # never a number handed out before, even with the log emptied
