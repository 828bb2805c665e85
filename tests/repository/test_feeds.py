"""Atom feeds, read back with feedparser as feed readers do."""

from __future__ import annotations

import json
import re
from datetime import date

import feedparser
import pytest

from .people import make_user, sign_in


def _ids(feed) -> list[int]:
    return [int(re.search(r"/items/(\d+)$", entry.link).group(1)) for entry in feed.entries]


def _feed(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.content_type.startswith("application/atom+xml")
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.fixture
def blackpool(make_item):
    """Items on domestic abuse in Blackpool (some dated, some only a year), and others that must not show."""
    ids = {
        "2014": make_item(title="Refuges in Blackpool 2014", year=2014, themes=["domestic-abuse"],
                          places=["Blackpool"]),
        "2016-03": make_item(title="MARAC review", date=date(2016, 3, 1), themes=["domestic-abuse"],
                             places=["Blackpool"]),
        "2016-09": make_item(title="Health visitors and abuse", date=date(2016, 9, 1), themes=["domestic-abuse"],
                             places=["Blackpool"], abstract="What health visitors share."),
        "2015": make_item(title="Police notifications", year=2015, themes=["domestic-abuse"], places=["Blackpool"]),
        "leeds": make_item(title="Leeds front door", year=2017, themes=["domestic-abuse"], places=["Leeds"]),
        "families": make_item(title="Families in Blackpool", year=2018, themes=["families"], places=["Blackpool"]),
        "restricted": make_item(title="Refuge addresses in Blackpool", year=2019, access="restricted",
                                themes=["domestic-abuse"], places=["Blackpool"]),
        "registered": make_item(title="Members' notes on Blackpool", year=2019, access="registered",
                                themes=["domestic-abuse"], places=["Blackpool"]),
    }
    return ids


def test_a_theme_and_place_feed_lists_exactly_the_searchs_newest_results(app, client, blackpool):
    feed = _feed(client, "/search.atom?theme=domestic-abuse&place=blackpool")
    search = json.loads(client.get("/api/v1/search?theme=domestic-abuse&place=blackpool&sort=newest").data)
    assert _ids(feed) == [row["id"] for row in search["results"]]
    assert _ids(feed) == [blackpool[key] for key in ("2016-09", "2016-03", "2015", "2014")]
    assert feed.feed.title == "Information Sharing Exchange: search for theme Domestic abuse, place Blackpool"
    entry = feed.entries[0]
    assert entry.title == "Health visitors and abuse" and entry.summary == "What health visitors share."
    assert entry.author == "Ann Example" and entry.tags[0].term == "domestic-abuse"

    # Capped at FEED_ENTRIES, still newest first.
    app.config["FEED_ENTRIES"] = 2
    assert _ids(_feed(client, "/search.atom?theme=domestic-abuse&place=blackpool")) == [blackpool["2016-09"],
                                                                                       blackpool["2016-03"]]


def test_feeds_are_public_whoever_asks(app, client, res, blackpool):
    make_user(res, "editor@example.org", "editor")
    anonymous = _ids(_feed(client, "/search.atom?place=blackpool"))
    assert sign_in(client, "editor@example.org").status_code == 302
    editor_view = json.loads(client.get("/api/v1/search?place=blackpool").data)
    assert blackpool["restricted"] in [row["id"] for row in editor_view["results"]]
    assert _ids(_feed(client, "/search.atom?place=blackpool")) == anonymous
    assert blackpool["restricted"] not in anonymous and blackpool["registered"] not in anonymous


def test_theme_place_seminar_and_newest_feeds(app, client, make_item, blackpool):
    assert set(_ids(_feed(client, "/themes/domestic-abuse.atom"))) == {
        blackpool[key] for key in ("2014", "2016-03", "2016-09", "2015", "leeds")}
    assert set(_ids(_feed(client, "/places/leeds.atom"))) == {blackpool["leeds"]}
    newest = _feed(client, "/feed")
    assert _ids(newest)[0] == blackpool["families"] and blackpool["restricted"] not in _ids(newest)
    for missing in ("/themes/no-such-theme.atom", "/places/atlantis.atom", "/events/no-such-seminar.atom"):
        assert client.get(missing).status_code == 404, missing


def test_a_place_known_only_from_hidden_items_has_no_feed(client, make_item):
    make_item(title="Refuge in Ostrapel", access="restricted", places=["Ostrapel"])
    response = client.get("/places/ostrapel.atom")
    assert response.status_code == 404 and b"Ostrapel" not in response.data
    # A search for it answers, but says nothing the slug did not.
    feed = _feed(client, "/search.atom?place=ostrapel")
    assert feed.entries == [] and "Ostrapel" not in feed.feed.title


def test_pages_link_to_their_feeds(client, blackpool):
    pages = {"/search?q=abuse&place=blackpool": "/search.atom?q=abuse&place=blackpool",
             "/themes/domestic-abuse": "/themes/domestic-abuse.atom", "/places/blackpool": "/places/blackpool.atom",
             "/": "/feed"}
    for page, feed_url in pages.items():
        html = client.get(page).get_data(as_text=True)
        link = re.search(r'<link rel="alternate" type="application/atom\+xml" title="[^"]+" href="([^"]+)">', html)
        assert link and link.group(1).replace("&amp;", "&") == feed_url, page
        assert _feed(client, feed_url).feed.title


def test_bad_feed_parameters_get_a_400(client):
    for url in ("/search.atom?page=0", "/search.atom?from=abc", "/search.atom?q=" + "x" * 600,
                "/search.atom?sort=best"):
        assert client.get(url).status_code == 400, url


def test_a_feed_names_its_search_in_words(client, blackpool):
    title = _feed(client, "/search.atom?q=visitors&type=case_study&type=paper&access=open&from=2015").feed.title
    assert title == ("Information Sharing Exchange: search for ‘visitors’, type Case study or Seminar paper, "
                     "access Open to everyone, years 2015 to …")
