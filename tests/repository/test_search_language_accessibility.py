"""The search page's corrections and notes in a real headless Chromium: axe-core finds no WCAG 2.2 A/AA violation."""

from __future__ import annotations

import pytest

from tests.browser import browse, describe_violations

PAGES = {
    "a correction searched": "/search?q=safegaurding+chidren",
    "searched exactly as typed": "/search?q=safegaurding+chidren&exact=1",
    "an unknown field": "/search?q=colour%3Ablue+consent",
    "an unknown theme": "/search?q=theme%3A%22knitting+circles%22+consent",
    "years the wrong way round": "/search?q=consent&from=2016&to=2014",
    "a trailing star": "/search?q=dom*",
}


@pytest.fixture(scope="module")
def browser(demo_app):
    """Return one browser on the demo app for the whole module (starting Chromium is slow)."""
    with browse(demo_app) as session:
        yield session


@pytest.mark.parametrize("name", list(PAGES))
def test_search_messages_have_no_accessibility_violations(browser, name):
    visit = browser.visit(PAGES[name])
    assert visit.status == 200
    violations = browser.axe()
    assert not violations, f"{name}:\n{describe_violations(violations)}"
    assert not visit.outside_requests and not visit.console_errors and not visit.failed_assets
