"""The pages of alerts, request-a-copy and usage in a real headless Chromium: no axe-core violation,
nothing leaves the machine, no script error; error states and the pages after each step included."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.extraction.extract import extract_file
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.search_params import parse_search_args
from repository.services import alerts, copies, usage
from repository.services.accounts import get_user_by_email
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from tests.browser import browse
from tests.conftest import apply_changes

from .people import PASSWORD, make_pdf, make_user


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An open and an embargoed item, a reader with a saved search, a pending copy request; a browser on it."""
    folder = tmp_path_factory.mktemp("a11y-connected")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, instance_path=folder / "i")
    with app.app_context():
        prepare_database()
        res = resources()
        make_user(res, "owner@example.org", "depositor", name="Olive Owner")
        make_user(res, "reader@example.org", "reader", name="Rita Reader")
        make_user(res, "editor@example.org", "editor", name="Eddie Editor")
        ids, tokens = {}, {}
        with transaction(res.sessions) as session:
            owner = get_user_by_email(session, "owner@example.org")
            for name, access in (("open", "open"), ("embargoed", "embargoed")):
                pdf = make_pdf(folder / f"{name}.pdf",
                               [f"Domestic abuse and information sharing in Blackpool ({name})."])
                item = create_item(session, ItemData(
                    title=f"Sharing information about domestic abuse ({name})", authors=[AuthorData("Olive Owner")],
                    access=access, embargo_until=date(2099, 1, 1) if access == "embargoed" else None,
                    themes=["domestic-abuse"], places=["Blackpool"], year=2016), depositor=owner)
                attach_file(session, item, extract_file(pdf), res.files, original_name=pdf.name)
                ids[name] = item.id
        apply_changes(res)
        with transaction(res.sessions) as session:
            reader = get_user_by_email(session, "reader@example.org")
            saved = alerts.save_search(session, res.index, reader, parse_search_args({"theme": "domestic-abuse"}),
                                       name="Domestic abuse", frequency="weekly")
            tokens["unsubscribe"] = alerts.unsubscribe_token("t", saved)
            request = copies.request_copy(session, session.get(type(item), ids["embargoed"]), None, name="Pat Asker",
                                          email="pat@example.org", reason="For a training day.", per_day=20)
            tokens["decide"] = copies.decision_token("t", request, get_user_by_email(session, "owner@example.org"))
            # Readers in real browsers (the headless one is on the robots list and is not counted).
            for number in range(3):
                usage.record_use(session, ids["open"], "view", address=f"192.0.2.{number}",
                                 user_agent="Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")
    with browse(app) as browser:
        yield browser, ids, tokens
    app.extensions["repository"].engine.dispose()


def test_request_a_copy_pages(site):
    browser, ids, tokens = site
    browser.context.clear_cookies()
    browser.check(f"/items/{ids['embargoed']}")
    # Headless Chromium is on the COUNTER robots list, so it is not counted.
    assert "Request a copy of the file" in browser.page.content() and "Viewed 0 times" in browser.page.content()
    browser.check(f"/items/{ids['embargoed']}/request-copy")
    browser.submit("request with errors")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.page.fill("#name", "Sam Second")
    browser.page.fill("#email", "sam@example.org")
    browser.page.fill("#reason", "To plan our multi-agency meeting.")
    browser.submit("request sent")
    assert "Request sent" in browser.page.content()
    browser.check(f"/copies/decide/{tokens['decide']}")
    assert "Pat Asker" in browser.page.content()
    browser.submit("request approved")
    assert "Request approved" in browser.page.content()
    browser.check("/copies/not-a-real-token", 404)
    browser.check(f"/copies/decide/{tokens['decide']}x", 404)


def test_alert_pages(site):
    browser, ids, tokens = site
    browser.sign_in("reader@example.org", PASSWORD)
    browser.check("/account/")
    assert "Domestic abuse" in browser.page.content() and "Weekly" in browser.page.content()
    browser.check("/alerts/new?theme=domestic-abuse&place=blackpool")
    browser.page.fill("#name", "")
    browser.submit("save with errors")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.page.fill("#name", "Abuse in Blackpool")
    browser.page.check("input[name='frequency'][value='daily']")
    browser.submit("saved, back on the account page")
    assert "Search saved" in browser.page.content() and "Abuse in Blackpool" in browser.page.content()
    browser.context.clear_cookies()
    browser.check(f"/alerts/unsubscribe/{tokens['unsubscribe']}")
    browser.submit("unsubscribed")
    assert "Emails stopped" in browser.page.content()
    browser.check(f"/alerts/unsubscribe/{tokens['unsubscribe']}", 404)


def test_usage_report_and_search_page_with_its_channels(site):
    browser, ids, _tokens = site
    browser.sign_in("editor@example.org", PASSWORD)
    browser.check("/reports/usage")
    assert "By month" in browser.page.content() and "Blackpool" in browser.page.content()
    browser.check("/search?theme=domestic-abuse")
    assert "Atom feed of this search" in browser.page.content()
