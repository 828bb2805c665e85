"""The seminar pages in a real headless Chromium: no axe-core violation, nothing leaves the machine,
no script error, error states included; and the editor's and the visitor's journeys without JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.services import registrations, seminars
from repository.services.items import AuthorData, ItemData, create_item
from tests.browser import browse, sign_in
from tests.conftest import apply_changes

from .people import PASSWORD, make_user

TODAY = date.today()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An upcoming and a past seminar with programmes, a presented paper, a registration; a browser on it."""
    folder = tmp_path_factory.mktemp("a11y-seminars")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, instance_path=folder / "i")
    facts = {}
    with app.app_context():
        prepare_database()
        res = resources()
        make_user(res, "editor@example.org", "editor", name="Eddie Editor")
        with transaction(res.sessions) as session:
            paper = create_item(session, ItemData(title="Sharing records with schools",
                                                  authors=[AuthorData("Ada Lane")], year=2016))
            upcoming = seminars.create_event(session, seminars.EventData(
                name="Seminar 9: Schools", date=TODAY + timedelta(days=30), venue="Civic Hall", place="Leeds",
                host="Aire Valley University", description="Schools as partners."), None)
            past = seminars.create_event(session, seminars.EventData(
                name="Seminar 8: Records", date=TODAY - timedelta(days=30), place="Bradford"), None)
            seminars.add_session(session, upcoming, seminars.SessionData(
                title="Opening", speakers=[("Ada Lane", "Aire Valley University")]), None)
            part = seminars.add_session(session, past, seminars.SessionData(
                title="Records panel", item_ids=[paper.id], speakers=[("Kim Ash", "")]), None)
            registration, _new = registrations.register_interest(session, upcoming, registrations.RegistrationData(
                name="Pat Practitioner", email="pat@example.org", organisation="Leeds", consent=True), TODAY)
            facts.update(paper=paper.id, upcoming=upcoming.slug, past=past.slug, session=part.id,
                         withdraw=registrations.withdraw_token("t", registration))
        apply_changes(res)
    with browse(app) as browser:
        yield browser, facts
    app.extensions["repository"].engine.dispose()


def test_visitor_pages(site):
    browser, facts = site
    browser.context.clear_cookies()
    browser.check("/events")
    browser.check(f"/events/{facts['upcoming']}")
    browser.check(f"/events/{facts['past']}")
    assert "Sharing records with schools" in browser.page.content()
    browser.check(f"/items/{facts['paper']}")
    assert "Presented at" in browser.page.content()
    browser.check(f"/events/{facts['past']}/register", 410)
    browser.check(f"/events/{facts['upcoming']}/register")
    browser.submit("registration with errors")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.page.fill("#name", "Sam Second")
    browser.page.fill("#email", "sam@example.org")
    browser.page.check("#consent")
    browser.submit("registered")
    assert "Registration received" in browser.page.content()
    browser.check(f"/events/withdraw/{facts['withdraw']}")
    browser.submit("withdrawn")
    assert "Registration withdrawn" in browser.page.content()
    browser.check(f"/events/withdraw/{facts['withdraw']}", 404)


def test_editor_pages(site):
    browser, facts = site
    browser.context.clear_cookies()
    browser.sign_in("editor@example.org", PASSWORD)
    browser.check("/events")
    browser.check("/events/new")
    browser.page.fill("#date", "not a date")
    browser.submit("new event with errors")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.check(f"/events/{facts['upcoming']}/edit")
    browser.check(f"/events/{facts['upcoming']}/sessions/new")
    browser.page.fill("#starts_at", "25:00")
    browser.submit("new session with errors")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.check(f"/events/{facts['past']}/sessions/{facts['session']}/edit")
    browser.check(f"/events/{facts['upcoming']}/registrations")
    assert "pat@example.org" in browser.page.content() or "sam@example.org" in browser.page.content()


def test_the_journeys_work_without_javascript(site):
    browser, facts = site
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, browser.base_url, "editor@example.org", PASSWORD)
        page.goto(browser.base_url + "/events/new")
        page.fill("#name", "Seminar 10: No script needed")
        page.fill("#date", (TODAY + timedelta(days=7)).isoformat())
        page.click("main form button.govuk-button")
        page.wait_for_load_state("load")
        assert "/edit" in page.url and "Add its programme below" in page.content()
        page.click("text=Add a session")
        page.wait_for_load_state("load")
        page.fill("#title", "Only session")
        page.fill("#starts_at", "10:00")
        page.fill("#items", str(facts["paper"]))
        page.click("main form button.govuk-button")
        page.wait_for_load_state("load")
        assert "Session added" in page.content() and "Sharing records with schools" in page.content()
        context.clear_cookies()
        page.goto(browser.base_url + "/events")
        page.click("text=Seminar 10: No script needed")
        page.wait_for_load_state("load")
        page.click("text=Register your interest")
        page.wait_for_load_state("load")
        page.fill("#name", "No Script")
        page.fill("#email", "noscript@example.org")
        page.check("#consent")
        page.click("main form button.govuk-button")
        page.wait_for_load_state("load")
        assert "Registration received" in page.content()
    finally:
        context.close()
