"""What editors' theme and place changes cost on a repository of N items: the request, and the index catching up.

    python -m bench.curation [--items N] [--seed S]

Builds a throwaway instance with N made-up items (no files; each in two themes of five and
one place of six) through the product's services and index. Then, through the Flask test
client as an editor: renaming a broad theme (its items, about 40 %, go to the change log),
merging one theme into another, and merging a place into another; after each, the time the
indexer takes to apply the change log. For scale, the same run times re-indexing every item
from scratch. Prints one JSON line of figures (seconds).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time

from bench.soak import text

THEMES = ("domestic-abuse", "families", "data-protection", "safeguarding-children", "multi-agency-working")
PLACES = ("Blackpool", "Blackpool Council", "Leeds", "Bradford", "Manchester", "Hull")


def _timed(call) -> tuple[float, object]:
    started = time.perf_counter()
    value = call()
    return round(time.perf_counter() - started, 3), value


def main() -> None:
    """Build the collection, time each editor's change and its catch-up, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    from repository import create_app
    from repository.commands.database import prepare_database
    from repository.context import resources
    from repository.db import transaction
    from repository.follower import IndexFollower
    from repository.services.accounts import create_user
    from repository.services.indexing import reindex_all
    from repository.services.items import AuthorData, ItemData, create_item

    rng = random.Random(args.seed)
    figures: dict[str, object] = {"items": args.items}
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"SECRET_KEY": "bench", "TESTING": True, "WTF_CSRF_ENABLED": False},
                         instance_path=instance)
        with app.app_context():
            prepare_database()
            res = resources()
            for start in range(0, args.items, 500):
                with transaction(res.sessions) as session:
                    for _ in range(start, min(args.items, start + 500)):
                        create_item(session, ItemData(
                            title=text(rng, 8), abstract=text(rng, 60), authors=[AuthorData("Ann Example")],
                            year=rng.randint(2008, 2026), themes=rng.sample(THEMES, 2),
                            places=[rng.choice(PLACES)]))
            follower = IndexFollower(res.sessions, res.index)
            follower.catch_up()
            with transaction(res.sessions) as session:
                create_user(session, "ed@example.org", "Edna Editor", "correct horse battery", role="editor")

        client = app.test_client()
        client.post("/account/sign-in", data={"email": "ed@example.org", "password": "correct horse battery"})
        steps = [
            ("rename a theme", "/moderation/themes/domestic-abuse",
             {"name": "Domestic violence and abuse", "description": "", "keywords": "domestic abuse", "parent": ""}),
            ("merge a theme", "/moderation/themes/families/merge", {"into": "data-protection"}),
            ("merge a place", "/moderation/places/blackpool-council/merge", {"into": "blackpool"}),
        ]
        for label, path, form in steps:
            seconds, response = _timed(lambda path=path, form=form: client.post(path, data=form))
            assert response.status_code == 302, (label, response.status_code)
            figures[f"{label}: request"] = seconds
            with app.app_context():
                seconds, applied = _timed(follower.catch_up)
            figures[f"{label}: index catch-up"] = seconds
            figures[f"{label}: change-log entries applied"] = applied
        with app.app_context(), res.sessions() as session:
            figures["reindex every item (for scale)"], _ = _timed(lambda: reindex_all(session, res.index, procs=1))
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
