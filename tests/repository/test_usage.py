"""Usage figures through the real item pages and downloads, and the editors' report."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from repository.db import transaction
from repository.models import UsageEvent, UsageSalt
from repository.services import usage

from .people import make_user, sign_in

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
CRAWLERS = ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
            "python-requests/2.32.3", "curl/8.5.0", "Wget/1.21", "")


def _figures(client, item_id: int, **kw) -> tuple[int, int]:
    page = client.get(f"/items/{item_id}", **kw).get_data(as_text=True)
    match = re.search(r"Viewed ([\d,]+) times?, downloaded ([\d,]+) times?", page)
    assert match, "no usage figures on the item page"
    return int(match.group(1)), int(match.group(2))


def _reader(app, address: str, agent: str = FIREFOX):
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)
    return client


@pytest.fixture
def paper(make_item):
    return make_item(title="Consent in family work", pages=["Consent and information sharing with families."])


def test_views_and_downloads_move_for_people_and_not_for_crawlers(app, paper):
    # Figures are read back as a crawler sees the page, which counts nothing, so no step
    # of the test depends on how quickly the one before it ran.
    looker = _reader(app, "203.0.113.9", CRAWLERS[0])
    first = _reader(app, "192.0.2.10")
    assert _figures(first, paper) == (1, 0)  # this view counts itself
    assert first.get(f"/items/{paper}/file.pdf").status_code == 200
    assert _figures(looker, paper) == (1, 1)
    second = _reader(app, "198.51.100.7")
    assert _figures(second, paper) == (2, 1)
    assert second.get(f"/items/{paper}/file.pdf").status_code == 200
    for agent in CRAWLERS:
        crawler = _reader(app, "203.0.113.5", agent)
        crawler.get(f"/items/{paper}")
        assert crawler.get(f"/items/{paper}/file.pdf").status_code == 200
    # HEAD requests and prefetches are not reading either.
    _reader(app, "192.0.2.99").head(f"/items/{paper}")
    _reader(app, "192.0.2.98").get(f"/items/{paper}", headers={"Sec-Purpose": "prefetch"})
    assert _figures(looker, paper) == (2, 2)


def test_a_double_click_within_thirty_seconds_counts_once(res, paper):
    start = datetime(2026, 11, 3, 9, 0, 0, tzinfo=timezone.utc)
    with transaction(res.sessions) as session:
        counted = [usage.record_use(session, paper, "view", address="192.0.2.1", user_agent=FIREFOX,
                                    now=start + timedelta(seconds=offset)) for offset in (0, 10, 29, 31, 45, 62)]
        # A different visitor is a different click, whenever it comes.
        other = usage.record_use(session, paper, "view", address="192.0.2.2", user_agent=FIREFOX, now=start)
    assert counted == [True, False, False, True, False, True] and other


def test_no_address_is_kept_and_old_salts_are_forgotten(res, paper):
    day_one = datetime(2026, 11, 3, 23, 59, tzinfo=timezone.utc)
    with transaction(res.sessions) as session:
        usage.record_use(session, paper, "view", address="192.0.2.77", user_agent=FIREFOX, now=day_one)
        usage.record_use(session, paper, "view", address="192.0.2.77", user_agent=FIREFOX,
                         now=day_one + timedelta(minutes=2))  # after midnight: a new salt, a new hash
    with res.sessions() as session:
        assert [salt.day.isoformat() for salt in session.scalars(select(UsageSalt))] == ["2026-11-04"]
        visitors = session.scalars(select(UsageEvent.visitor)).all()
        assert len(set(visitors)) == 2 and all(len(v) == 64 for v in visitors)
        for table in ("usage_events", "usage_salts"):
            dump = " ".join(str(row) for row in session.execute(text(f"SELECT * FROM {table}")))
            assert "192.0.2.77" not in dump and FIREFOX not in dump


def test_the_editors_report_by_month_theme_and_place(app, res, make_item):
    make_user(res, "editor@example.org", "editor")
    make_user(res, "reader@example.org", "reader")
    blackpool = make_item(title="MARAC in Blackpool", themes=["domestic-abuse"], places=["Blackpool"])
    leeds = make_item(title="Front door in Leeds", themes=["families"], places=["Leeds"])
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    for number in range(3):
        _reader(app, f"192.0.2.{number}").get(f"/items/{blackpool}")
    _reader(app, "192.0.2.50").get(f"/items/{leeds}")
    editor = app.test_client()
    sign_in(editor, "editor@example.org")
    page = editor.get("/reports/usage")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(rf'<th scope="row" class="govuk-table__header">{month}</th>\s*<td[^>]*>4</td>', html)
    assert re.search(r'Blackpool</th>\s*<td[^>]*>3</td>', html) and re.search(r'Leeds</th>\s*<td[^>]*>1</td>', html)
    download = editor.get(f"/reports/usage.csv?from={month}&to={month}")
    assert download.content_type.startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert {(r["theme"], r["place"], r["views"]) for r in rows} == {("Domestic abuse", "Blackpool", "3"),
                                                                   ("Families", "Leeds", "1")}
    assert editor.get("/reports/usage?from=2026-13").status_code == 400
    assert editor.get("/reports/usage?from=2026-05&to=2026-01").status_code == 400
    reader = app.test_client()
    sign_in(reader, "reader@example.org")
    assert reader.get("/reports/usage").status_code == 403
    assert reader.get("/reports/usage.csv").status_code == 403
    assert app.test_client().get("/reports/usage").status_code == 302  # to the sign-in page
