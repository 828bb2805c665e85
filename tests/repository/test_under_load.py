"""Many people at once, through gunicorn with four workers on SQLite: no errors, no lock fights."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, select

from indexer.search import SearchRequest, search
from repository.ingestion import Ingester, IngestOptions
from repository.models import Item, ItemAuthor
from tests.conftest import apply_changes
from tests.serving import Browser, gunicorn

from .people import PASSWORD, make_pdf, make_user

SUBMISSIONS = 40
READERS = 8


def _submissions(res, folder: Path) -> list[int]:
    """Ingest SUBMISSIONS papers as submissions waiting for an editor; return their ids."""
    folder.mkdir()
    paths = [make_pdf(folder / f"s{n}.pdf", [f"Submission {n} about information sharing and tallowmere."])
             for n in range(SUBMISSIONS)]
    outcomes = list(Ingester(res.sessions, res.index, res.files, jobs=2).run(paths, IngestOptions(status="submitted")))
    assert {o.status for o in outcomes} == {"ingested"}
    with res.sessions() as session:
        for item in session.scalars(select(Item)):  # a submission needs an author; these files name none
            item.authors.append(ItemAuthor(position=0, name="Ann Example"))
        session.commit()
    return sorted(o.id for o in outcomes)


def test_forty_publishes_and_forty_sign_ins_at_once_give_no_errors(app, res, tmp_path):
    ids = _submissions(res, tmp_path / "papers")
    make_user(res, "ed@example.org", "editor")
    for n in range(READERS):
        make_user(res, f"reader{n}@example.org", "reader")
    res.engine.dispose()  # the server's workers open their own connections
    with gunicorn(Path(app.instance_path)) as base:
        editor = Browser(base)
        assert editor.sign_in("ed@example.org", PASSWORD) == 302
        token = editor.csrf(f"/moderation/items/{ids[0]}")

        def publish(item_id: int) -> int:
            return editor.request(f"/moderation/items/{item_id}/publish", {"csrf_token": token})[0]

        def sign_in(n: int) -> int:
            return Browser(base).sign_in(f"reader{n % READERS}@example.org", PASSWORD)

        with ThreadPoolExecutor(max_workers=SUBMISSIONS * 2) as pool:
            published = pool.map(publish, ids)
            signed_in = pool.map(sign_in, range(SUBMISSIONS))
            published, signed_in = list(published), list(signed_in)
    assert published == [302] * SUBMISSIONS
    assert signed_in == [302] * SUBMISSIONS
    with res.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Item).where(Item.status == "published")) == SUBMISSIONS
    apply_changes(res)
    assert search(res.index, SearchRequest(q="tallowmere", per_page=100)).total == SUBMISSIONS
