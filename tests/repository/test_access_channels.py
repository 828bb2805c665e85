"""The access matrix, continued: every channel that tells the world about items, for every level x kind of user.

Harvesting (OAI-PMH and its sets), the sitemap and feeds show what an anonymous visitor
may see whoever asks; the item API, exports and alert digests show what the person may
see; the usage report is for editors; a request-a-copy page opens only for those who
see the record but may not download the file. The made-up words of test_access_matrix
must appear in none of them for anyone who may not see the item.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import feedparser
import pytest
from lxml import etree
from sqlalchemy import delete, select

from repository.db import transaction
from repository.models import SavedSearch, SavedSearchItem
from repository.models.base import utcnow
from repository.search_params import parse_search_args
from repository.services import alerts
from repository.services.accounts import get_user_by_email
from tests.mailbox import body_of, smtp_server

from .test_access_matrix import (
    DOWNLOADS,
    LEVELS,
    OPENS_PAGE,
    SEES_RECORD,
    USERS,
    Level,
    _client,
    _text,
    build_matrix,
)

OAI = "{http://www.openarchives.org/OAI/2.0/}"
PUBLIC = SEES_RECORD["open"] & SEES_RECORD["embargoed"]  # everyone
PUBLIC_LEVELS = {level.name for level in LEVELS if "anonymous" in SEES_RECORD[level.name]}
CASES = [(level, who) for level in LEVELS for who in USERS]


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    """The access matrix's app and items, built afresh for this module."""
    app, ids = build_matrix(tmp_path_factory.mktemp("matrix"))
    yield app, ids
    app.extensions["repository"].engine.dispose()


def _slug(level: Level) -> str:
    return level.place.lower().replace(" ", "-")


@pytest.fixture(scope="module")
def digests(matrix):
    """Each signed-in person saved 'families' before the items came; return {person: text of their digest}."""
    app, _ids = matrix
    res = app.extensions["repository"]
    with app.app_context():
        with transaction(res.sessions) as session:
            for spec in USERS.values():
                if spec:
                    user = get_user_by_email(session, spec[0])
                    alerts.save_search(session, res.index, user, parse_search_args({"q": "families"}),
                                       name="Families", frequency="daily")
            # As if saved before the items were published: nothing is known yet.
            session.execute(delete(SavedSearchItem))
            for saved in session.scalars(select(SavedSearch)):
                saved.last_checked_at = utcnow() - timedelta(days=2)
        before = dict(app.config)
        from repository.commands.alerts import send_due_alerts

        with smtp_server(app) as mailbox, app.test_request_context(base_url="http://exchange.example"):
            counts = send_due_alerts()
            messages = mailbox.wait_for(len(USERS) - 1)
        app.config.update({key: before[key] for key in ("MAIL_SERVER", "MAIL_PORT", "MAIL_USE_TLS")})
    assert counts["sent"] == len(USERS) - 1, counts
    return {who: body_of(next(m for m in messages if m["To"] == spec[0])).lower()
            for who, spec in USERS.items() if spec}


@pytest.mark.parametrize("level, who", CASES, ids=[f"{lv.name}-{who.replace(' ', '_')}" for lv, who in CASES])
def test_every_channel_keeps_to_the_matrix(matrix, digests, level: Level, who: str):
    app, ids = matrix
    client = _client(app, who)
    item_id = ids[level.name]
    sees = who in SEES_RECORD[level.name]
    public = level.name in PUBLIC_LEVELS
    word = level.title_word

    # OAI-PMH: public records only, whoever asks; the once-open withdrawn item as deleted.
    listing = client.get("/oai?verb=ListRecords&metadataPrefix=oai_dc")
    headers = {int(h.findtext(f"{OAI}identifier").rsplit(":", 1)[1]): h.get("status")
               for h in etree.fromstring(listing.data).iter(f"{OAI}header")}
    if public:
        assert headers.get(item_id) is None and item_id in headers and word in _text(listing).lower()
    elif level.name == "withdrawn":
        assert headers.get(item_id) == "deleted" and word not in _text(listing).lower()
    else:
        assert item_id not in headers and word not in _text(listing).lower()
    record = client.get(f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:localhost:{item_id}")
    assert record.status_code == (200 if public or level.name == "withdrawn" else 404)
    sets = _text(client.get("/oai?verb=ListSets"))
    assert (f"place:{_slug(level)}" in sets) == public and (level.place in sets) == public

    # The sitemap lists public item pages only.
    sitemap = _text(client.get("/sitemaps/items-1.xml"))
    assert (f"/items/{item_id}</loc>" in sitemap) == public

    # Feeds: public whoever asks; a place known only from hidden items has none.
    for url in (f"/search.atom?q={word}", "/feed", "/search.atom?q=families"):
        entries = feedparser.parse(client.get(url).data).entries
        assert any(entry.link.endswith(f"/items/{item_id}") for entry in entries) == public, url
        # The feed's own title and address repeat the query: only the entries count.
        told = " ".join(f"{entry.title} {entry.get('summary', '')} {entry.get('author', '')}" for entry in entries)
        assert (word in told.lower()) == public, url
    place_feed = client.get(f"/places/{_slug(level)}.atom")
    assert place_feed.status_code == (200 if public else 404)
    assert public or level.place not in _text(place_feed)

    # The item API: as the item page; lists of places and themes count only what the person sees.
    answer = client.get(f"/api/v1/items/{item_id}")
    if level.name == "withdrawn":
        assert answer.status_code == {"editor": 200}.get(who, 410 if who in SEES_RECORD["open"] else 404)
    else:
        assert answer.status_code == (200 if who in OPENS_PAGE[level.name] else 404)
    if answer.status_code == 404:
        assert word not in _text(answer).lower()
    places = json.loads(_text(client.get("/api/v1/places")))["places"]
    assert any(place["slug"] == _slug(level) for place in places) == sees
    themes = _text(client.get("/api/v1/themes")) + _text(client.get("/api/v1/events"))
    assert sees or word not in themes.lower()

    # Exports are the person's own search results.
    for fmt in ("csv", "ris", "bib"):
        export = _text(client.get(f"/search.{fmt}?q={word}")).lower()
        assert (word in export) == sees, fmt
    rows = list(csv.DictReader(io.StringIO(_text(client.get("/search.csv?q=families")).lstrip("\ufeff"))))
    assert (str(item_id) in {row["id"] for row in rows}) == sees

    # Alert digests hold what the person may see when the mail is sent.
    if who in digests:
        assert (word in digests[who]) == sees

    # The usage report is for editors; nobody else learns the places it counts.
    report = client.get("/reports/usage")
    assert report.status_code == (200 if who == "editor" else 403 if USERS[who] else 302)
    if who != "editor":
        assert level.place not in _text(report) and word not in _text(report).lower()

    # Request a copy: only for those who see the record but may not download the file.
    asks = level.status == "published" and who in OPENS_PAGE[level.name] and who not in DOWNLOADS[level.name]
    page = client.get(f"/items/{item_id}/request-copy")
    assert page.status_code == (200 if asks else 404)
    if not asks:
        assert word not in _text(page).lower()
    item_page = client.get(f"/items/{item_id}")
    assert (f"/items/{item_id}/request-copy" in _text(item_page)) == asks


def test_the_matrix_asks_for_copies_where_it_should(matrix):
    """The other half: request-a-copy is not closed for everyone."""
    app, ids = matrix
    assert _client(app, "reader").get(f"/items/{ids['embargoed']}/request-copy").status_code == 200
    assert set(PUBLIC) == set(USERS)
