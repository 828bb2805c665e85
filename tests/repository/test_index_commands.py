"""`reindex` rebuilds the index from the database; `check-index` finds every difference."""

from __future__ import annotations

from sqlalchemy import select

from indexer.search import SearchRequest, search
from repository.models import Item
from tests.indexer.pdfs import text_pdf


def _ingest_two(runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text_pdf(folder / "a.pdf", ["Genograms in family work\nCara Person\n\nHow families draw their own genogram."])
    text_pdf(folder / "b.pdf", ["Nordic registers\nDag Example\n\nPersonal identity numbers in Denmark."])
    result = runner.invoke(args=["ingest", str(folder)])
    assert result.exit_code == 0, result.output


def test_check_index_is_clean_after_ingest(app, runner, tmp_path):
    _ingest_two(runner, tmp_path)
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_check_index_reports_missing_extra_and_stale(app, runner, res, tmp_path):
    _ingest_two(runner, tmp_path)
    with res.sessions() as session:
        first, second = session.scalars(select(Item).order_by(Item.id)).all()
        first.title = "A changed title"
        session.commit()
        first_id, second_id = first.id, second.id
    res.index.delete([str(second_id)])
    res.index.add_or_replace([{"id": "999", "title": "Orphan", "readers": ["public"]}])

    result = runner.invoke(args=["check-index"])

    assert result.exit_code == 1
    assert f"item {first_id}: out of date in the index" in result.output
    assert f"item {second_id}: missing from the index" in result.output
    assert "item 999: in the index but not published" in result.output
    assert "3 difference(s)" in result.output


def test_reindex_repairs_every_difference(app, runner, res, tmp_path):
    _ingest_two(runner, tmp_path)
    with res.sessions() as session:
        item = session.scalars(select(Item).order_by(Item.id)).first()
        item.title = "Family trees drawn by families"
        session.commit()
    res.index.add_or_replace([{"id": "999", "title": "Orphan", "readers": ["public"]}])

    result = runner.invoke(args=["reindex", "--procs", "1"])

    assert result.exit_code == 0, result.output
    assert "2 published item(s)" in result.output
    assert runner.invoke(args=["check-index"]).exit_code == 0
    assert search(res.index, SearchRequest(q="orphan")).total == 0
    assert [hit.id for hit in search(res.index, SearchRequest(q='"family trees"')).hits] == [str(item.id)]


def test_reindex_from_scratch_after_the_index_is_lost(app, runner, res, tmp_path):
    _ingest_two(runner, tmp_path)
    res.index.rebuild([])
    assert search(res.index, SearchRequest(q="genogram")).total == 0
    assert runner.invoke(args=["reindex"]).exit_code == 0
    assert search(res.index, SearchRequest(q="genogram")).total == 1


def test_check_index_on_a_new_empty_repository(app, runner):
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_commands_on_a_database_never_set_up_say_to_run_init_db(tmp_path):
    from repository import create_app

    bare = create_app({"TESTING": True, "SECRET_KEY": "test"}, instance_path=tmp_path / "bare")
    runner = bare.test_cli_runner()
    for args in (["check-index"], ["reindex"], ["ingest", str(tmp_path)], ["load-demo"],
                 ["set-role", "a@b.c", "editor"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert "run `flask --app repository init-db` first" in result.output, args
        assert "Traceback" not in result.output


def test_index_documents_do_not_depend_on_the_order_themes_were_given(app, runner, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text_pdf(folder / "c.pdf", ["Commissioning family services\nEve Example\n\nContracts for family support."])
    # Given in the reverse of taxonomy order; the database hands them back in taxonomy order.
    result = runner.invoke(args=["ingest", str(folder), "--theme", "commissioning", "--theme", "families"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["check-index"]).exit_code == 0


def test_an_index_from_an_older_version_is_reported_and_rebuilt_by_init_db(app, runner, res, tmp_path, monkeypatch):
    _ingest_two(runner, tmp_path)
    from whoosh import fields

    from indexer.search import store as store_module

    current = store_module.make_schema

    def newer_schema():  # the code now expects a field the index on disk lacks
        schema = current()
        schema.add("added_later", fields.ID())
        return schema

    monkeypatch.setattr(store_module, "make_schema", newer_schema)
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 1
    assert "older version" in result.output

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "rebuilt from the database (2 published item(s))" in result.output
    assert "added_later" in res.index.schema.names()
    assert runner.invoke(args=["check-index"]).exit_code == 0
    assert search(res.index, SearchRequest(q="genogram")).total == 1


def test_an_index_written_by_the_version_before_the_change_log_is_rebuilt_by_init_db(
        app, runner, res, tmp_path, monkeypatch):
    """That version wrote rare words' postings inline, which made every merge fail."""
    import whoosh.codec
    from whoosh.codec.whoosh3 import W3Codec, W3TermInfo

    from repository.db import transaction
    from repository.services.changes import record_change
    from repository.services.indexing import index_document
    from tests.conftest import apply_changes

    _ingest_two(runner, tmp_path)
    # Write the index again as that version did: inlined postings and no checkpoint.
    with monkeypatch.context() as old:
        old.setattr(W3TermInfo, "set_inline", W3TermInfo.set_inlined, raising=False)
        old.setattr(whoosh.codec, "default_codec", lambda: W3Codec(inlinelimit=8))
        with res.sessions() as session:
            res.index.rebuild([index_document(item) for item in session.scalars(select(Item))])
    (res.index_path / "checkpoint.json").unlink()
    [(segment, _)] = res.index.view().searcher.leaf_searchers()
    assert segment.reader().term_info("title", "genogram").is_inlined()

    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "rebuilt from the database (2 published item(s))" in result.output
    assert "before the change log" in result.output
    # Commit after commit, with merges, as the old index could not take.
    with res.sessions() as session:
        ids = list(session.scalars(select(Item.id)))
    for _ in range(12):
        with transaction(res.sessions) as session:
            record_change(session, ids, "edited")
        apply_changes(res)
    assert runner.invoke(args=["check-index"]).exit_code == 0
    assert search(res.index, SearchRequest(q="genogram")).total == 1
