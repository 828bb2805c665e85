"""A repository's life, not its first day: hundreds of changes, each committed and applied on its own.

Real database, real index, the product's own services and its indexer's path; Whoosh merges
segments along the way. Afterwards every item is found exactly by those who may see it, and
check-index finds no difference.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from sqlalchemy import select

from indexer.search import SearchRequest, search
from repository.db import transaction
from repository.models import Item
from repository.services import moderation
from repository.services.accounts import get_user_by_email
from repository.services.changes import record_change
from repository.services.deposits import update_item
from repository.services.embargoes import lift_due_embargoes
from repository.services.items import AuthorData, ItemData, create_item
from tests.conftest import apply_changes
from tests.indexer.test_index_life import unique_words

from .people import make_user, pdf_bytes, sign_in

ANONYMOUS = ["public"]


def described(item: Item, **changes) -> ItemData:
    """Return the item's description as ItemData, with some fields changed."""
    data = ItemData(title=item.title, type=item.type, authors=[AuthorData(a.name) for a in item.authors],
                    abstract=item.abstract, year=item.year, access=item.access, embargo_until=item.embargo_until,
                    themes=[t.slug for t in item.themes], places=[p.name for p in item.places])
    for name, value in changes.items():
        setattr(data, name, value)
    return data


def found_by(res, word: str, principals: list[str]) -> set[int]:
    return {int(h.id) for h in search(res.index, SearchRequest(q=word, principals=principals, per_page=100)).hits}


def test_three_hundred_changes_each_on_its_own(app, res, runner):
    make_user(res, "ed@example.org", "editor")
    with res.sessions() as session:
        editor = get_user_by_email(session, "ed@example.org")
        everyone = ["public", "registered", "editors", f"user:{editor.id}"]
    rng = random.Random(20)
    words = iter(unique_words(1000, seed=8))
    word_of: dict[int, str] = {}  # item -> the one word only its current title holds
    retired: list[str] = []  # words no item holds any more
    segments, merges, kinds = [], 0, set()
    for _ in range(300):
        with transaction(res.sessions) as session:
            published = list(session.scalars(select(Item).where(Item.status == "published")))
            actor = session.merge(editor)
            roll = rng.random()
            if roll < 0.35 or len(published) < 8:
                kind, word = "add", next(words)
                access = rng.choice(["open", "open", "restricted", "embargoed"])
                item = create_item(session, ItemData(
                    title=f"Report on {word}", authors=[AuthorData("Ann Example")], year=2016, access=access,
                    abstract="Information sharing between agencies.", themes=["families"],
                    embargo_until=date.today() + timedelta(days=30) if access == "embargoed" else None))
                word_of[item.id] = word
            else:
                item = rng.choice(published)
                if roll < 0.55:
                    kind, word = "edit", next(words)
                    retired.append(word_of[item.id])
                    word_of[item.id] = word
                    update_item(session, item, described(item, title=f"Report on {word}"), actor)
                elif roll < 0.7:
                    kind = "access"
                    access = "restricted" if item.access in ("open", "embargoed") else "open"
                    update_item(session, item, described(item, access=access, embargo_until=None), actor)
                elif roll < 0.8:
                    kind = "embargo lifted"
                    item.access, item.embargo_until = "embargoed", date.today() - timedelta(days=1)
                    record_change(session, [item.id], "edited")
                    session.flush()
                    lift_due_embargoes(session, date.today())
                elif roll < 0.9:
                    kind = "withdrawal"
                    moderation.withdraw(session, item, actor, "Replaced by a newer report.")
                else:
                    kind = "reindex of one item"
                    record_change(session, [item.id], "reindex")
        kinds.add(kind)
        apply_changes(res)
        count = res.index.segment_count()
        merges += bool(segments and count < segments[-1])
        segments.append(count)

    assert kinds == {"add", "edit", "access", "embargo lifted", "withdrawal", "reindex of one item"}
    assert merges >= 10, segments  # Whoosh merged segments again and again along the way
    with res.sessions() as session:
        items = {item.id: item for item in session.scalars(select(Item))}
    for item_id, word in word_of.items():
        item = items[item_id]
        shown = item.status == "published"
        public = shown and item.access in ("open", "embargoed")
        assert (item_id in found_by(res, word, ANONYMOUS)) == public, (item_id, item.status, item.access)
        assert (item_id in found_by(res, word, everyone)) == shown, (item_id, item.status)
    for word in retired:
        assert found_by(res, word, everyone) == set()
    result = runner.invoke(args=["check-index"])
    assert result.exit_code == 0, result.output
    assert "agree" in result.output


def test_thirty_deposits_published_edited_and_withdrawn_through_the_site(app, client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    depositor, editor = app.test_client(), app.test_client()
    sign_in(depositor, "dep@example.org")
    sign_in(editor, "ed@example.org")
    statuses: list[int] = []
    words = unique_words(60, seed=3)
    ids = []
    for n in range(30):
        pdf = pdf_bytes(tmp_path, [f"Paper {n} on information sharing. Its own word is {words[n]}."], f"p{n}.pdf")
        upload = depositor.post("/deposit/new", data={"file": (io.BytesIO(pdf), f"p{n}.pdf")},
                                content_type="multipart/form-data")
        statuses.append(upload.status_code)
        item_id = int(upload.headers["Location"].split("/")[-2])
        form = {"type": "paper", "title": f"Paper {n} about {words[n]}", "authors": "Dee Positor", "abstract": "",
                "summary": "", "year": "2016", "event": "", "places": "", "licence": "", "access": "open",
                "embargo_until": "", "readers": "", "submit_for_review": "y"}
        statuses.append(depositor.post(f"/deposit/{item_id}/edit", data=form).status_code)
        statuses.append(editor.post(f"/moderation/items/{item_id}/publish").status_code)
        apply_changes(res)
        assert client.get(f"/api/v1/search?q={words[n]}").get_json()["total"] == 1
        ids.append(item_id)
    for n, item_id in enumerate(ids):
        form = {"type": "paper", "title": f"Paper {n} renamed {words[30 + n]}", "authors": "Dee Positor",
                "abstract": "", "summary": "", "year": "2016", "event": "", "places": "", "licence": "",
                "access": "open", "embargo_until": "", "readers": "", "save": "y"}
        statuses.append(editor.post(f"/moderation/items/{item_id}/edit", data=form).status_code)
        apply_changes(res)
        assert client.get(f"/api/v1/search?q={words[30 + n]}").get_json()["total"] == 1
    for item_id in ids:
        statuses.append(editor.post(f"/moderation/items/{item_id}/withdraw",
                                    data={"reason": "Withdrawn by the test."}).status_code)
        apply_changes(res)
    assert set(statuses) <= {200, 302}, statuses
    assert client.get("/api/v1/search?q=information").get_json()["total"] == 0
    assert res.index.doc_count() == 0
