"""Every page type in a real headless Chromium: axe-core finds no WCAG 2.2 A/AA violation,
no request leaves the machine, no script error, and search works with JavaScript off."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from repository.context import resources
from repository.models import Event, Item
from tests.browser import browse, describe_violations


@pytest.fixture(scope="module")
def browser(demo_app):
    """Return one browser on the demo app for the whole module (starting Chromium is slow)."""
    with browse(demo_app) as session:
        yield session


@pytest.fixture(scope="module")
def examples(demo_app) -> dict[str, str]:
    """Return a path for each page type that is not fixed in advance."""
    with demo_app.app_context():
        with resources().sessions() as session:
            open_items = select(Item.id).where(Item.status == "published", Item.access == "open").order_by(Item.id)
            paper = session.scalar(open_items.where(Item.type == "paper"))
            case_study = session.scalar(open_items.where(Item.type == "case_study"))
            event = session.scalar(select(Event.slug).order_by(Event.date))
    return {"paper": f"/items/{paper}", "case study": f"/items/{case_study}", "event": f"/events/{event}"}


PAGES = {
    "home": "/",
    "search with hits": "/search?q=information+sharing",
    "search without hits": "/search?q=xylophonequartz",
    "search with a suggestion": "/search?q=domestc+abuze",
    "search with filters": "/search?q=consent&theme=families&type=case_study&from=2013&to=2016&sort=newest",
    "search fallback": "/search?q=%22unclosed+quote",
    "search page 2": "/search?page=2",
    "theme index": "/themes",
    "theme": "/themes/families",
    "place index": "/places",
    "place": "/places/leeds",
    "event index": "/events",
    "author index": "/authors",
    "year index": "/years",
    "year": "/years/2015",
    "about": "/about",
    "search help": "/help/search",
    "accessibility statement": "/accessibility",
    "privacy notice": "/privacy",
    "contact": "/contact",
    "404": "/no/such/page",
    "400": "/search?page=0",
    "paper": None,
    "case study": None,
    "event": None,
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_accessibility_violations(browser, examples, name):
    path = PAGES[name] or examples[name]
    visit = browser.visit(path)
    expected = {"404": 404, "400": 400}.get(name, 200)
    assert visit.status == expected
    violations = browser.axe()
    assert not violations, f"{name} ({path}):\n{describe_violations(violations)}"
    assert not visit.outside_requests, f"requests left the machine: {visit.outside_requests}"
    assert not visit.console_errors, visit.console_errors
    assert not visit.failed_assets, visit.failed_assets


def test_pages_have_one_h1_a_skip_link_and_a_main_landmark(browser, examples):
    for path in ("/", "/search?q=marac", examples["paper"], "/themes/families"):
        browser.visit(path)
        page = browser.page
        assert page.locator("h1").count() == 1, path
        assert page.locator("a.govuk-skip-link[href='#main-content']").count() == 1
        assert page.locator("main#main-content").count() == 1


def test_the_skip_link_and_focus_are_visible_from_the_keyboard(browser):
    browser.visit("/")
    page = browser.page
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    # GOV.UK's focus style: a yellow background on the focused link.
    background = page.evaluate("() => getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)"


def test_search_and_filters_work_without_javascript(browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(browser.base_url + "/")
        page.fill("#home-q", "information sharing")
        page.click("button:has-text('Search')")
        page.wait_for_load_state("load")
        heading = page.text_content("#results-heading")
        assert "results for ‘information sharing’" in heading
        before = int(heading.split()[0])
        # Filter groups are GOV.UK details: closed until opened, without JavaScript too.
        assert not page.is_visible("input[name='type'][value='case_study']")
        page.click("details.app-filter-group summary:has-text('Type')")
        page.check("input[name='type'][value='case_study']")
        page.click("button:has-text('Apply filters')")
        page.wait_for_load_state("load")
        assert "type=case_study" in page.url
        after = int(page.text_content("#results-heading").split()[0])
        assert 0 < after < before
        page.select_option("#sort", "title")
        page.click("button:has-text('Sort')")
        page.wait_for_load_state("load")
        assert "sort=title" in page.url and "type=case_study" in page.url
    finally:
        context.close()
