"""What the outward channels cost on a repository of N items: OAI-PMH, sitemap, feeds, exports, alerts.

    python -m bench.connected [--items N] [--seed S]

Builds a throwaway instance with N made-up items (no files; a tenth restricted, some
in each theme and place) through the product's services and index, then times, through
the Flask test client: the first description of every item for harvesting, a catch-up
with nothing new, a whole OAI-PMH ListRecords harvest (pages of OAI_BATCH_SIZE), the
sitemap, feeds, a CSV export at the cap, and saving and digesting a broad saved search.
Prints one JSON line of figures (seconds unless named otherwise).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from urllib.parse import quote

from bench.soak import text

THEMES = ("domestic-abuse", "families", "data-protection", "safeguarding-children", "multi-agency-working")
PLACES = ("Blackpool", "Leeds", "Bradford", "Manchester", "Sheffield", "Hull")


def _timed(call, repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times), 4)


def main() -> None:
    """Build the collection, time each channel and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from repository import create_app
    from repository.commands.database import prepare_database
    from repository.context import resources
    from repository.db import transaction
    from repository.follower import IndexFollower
    from repository.search_params import parse_search_args
    from repository.services import alerts, exposure
    from repository.services.accounts import create_user
    from repository.services.items import AuthorData, ItemData, create_item

    rng = random.Random(args.seed)
    figures: dict[str, object] = {"items": args.items}
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SECRET_KEY": "bench", "TESTING": True}, instance_path=instance)
        with app.app_context():
            prepare_database()
            res = resources()
            started = time.perf_counter()
            for start in range(0, args.items, 500):
                with transaction(res.sessions) as session:
                    for _ in range(start, min(args.items, start + 500)):
                        create_item(session, ItemData(
                            title=text(rng, 8), abstract=text(rng, 60),
                            authors=[AuthorData(f"Author {rng.randint(1, 400)}")],
                            year=rng.randint(2008, 2026), themes=rng.sample(THEMES, 2), places=[rng.choice(PLACES)],
                            access="restricted" if rng.random() < 0.1 else "open"))
            IndexFollower(res.sessions, res.index).catch_up()
            figures["build"] = round(time.perf_counter() - started, 1)
            with transaction(res.sessions) as session:
                reader = create_user(session, "reader@example.org", "Rita Reader", "correct horse battery")
            with transaction(res.sessions) as session:
                figures["describe every item (first harvest)"] = _timed(lambda: exposure.catch_up(session))
            with transaction(res.sessions) as session:
                figures["catch-up, nothing new"] = _timed(lambda: exposure.catch_up(session), repeat=20)

        client = app.test_client()
        pages, records, page_times = 0, 0, []
        url = "/oai?verb=ListRecords&metadataPrefix=oai_dc"
        harvest_started = time.perf_counter()
        while url:
            started = time.perf_counter()
            body = client.get(url).get_data(as_text=True)
            page_times.append(time.perf_counter() - started)
            pages += 1
            records += body.count("<record>")
            token = body.split("<resumptionToken>", 1)[1].split("<", 1)[0] if "<resumptionToken>" in body else ""
            url = f"/oai?verb=ListRecords&resumptionToken={quote(token, safe='')}" if token else ""
        figures["OAI harvest: records"] = records
        figures["OAI harvest: pages"] = pages
        figures["OAI harvest: total"] = round(time.perf_counter() - harvest_started, 2)
        figures["OAI harvest: page p50"] = round(statistics.median(page_times), 4)
        figures["OAI harvest: page max"] = round(max(page_times), 4)
        figures["sitemap (items-1.xml)"] = _timed(lambda: client.get("/sitemaps/items-1.xml"), repeat=5)
        figures["feed, theme x place (p50 of 20)"] = _timed(
            lambda: client.get("/search.atom?theme=domestic-abuse&place=blackpool"), repeat=20)
        figures["feed, newest (p50 of 20)"] = _timed(lambda: client.get("/feed"), repeat=20)
        figures["CSV export of 1,000 results"] = _timed(lambda: client.get("/search.csv?q=information"), repeat=3)

        with app.app_context():
            res = resources()
            with transaction(res.sessions) as session:
                user = session.merge(reader)
                params = parse_search_args({"theme": "families"})
                started = time.perf_counter()
                saved = alerts.save_search(session, res.index, user, params, name="Families", frequency="daily")
                figures["save a broad search (baseline)"] = round(time.perf_counter() - started, 4)
                figures["baseline items"] = len(alerts.matching_ids(session, res.index, user, params))
                figures["digest of a broad search"] = _timed(lambda: alerts.digest(session, res.index, saved), repeat=3)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
