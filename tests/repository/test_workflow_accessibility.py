"""The review-workflow and curation pages in a real headless Chromium: axe-core finds no WCAG 2.2 A/AA
violation, nothing leaves the machine, no script error; error states included."""

from __future__ import annotations

import pytest

from indexer.extraction.extract import extract_file
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.services.accounts import get_user_by_email
from repository.services.deposits import add_version
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from repository.services.places import ensure_place
from tests.browser import browse

from .people import PASSWORD, make_pdf, make_user


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app with a draft, a submission and a published item whose new version waits, and a browser on it."""
    folder = tmp_path_factory.mktemp("workflow-a11y")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, instance_path=folder / "i")
    with app.app_context():
        prepare_database()
        res = resources()
        make_user(res, "dep@example.org", "depositor", name="Dee Positor")
        make_user(res, "ed@example.org", "editor", name="Edna Editor")
        ids = {}
        with transaction(res.sessions) as session:
            depositor = get_user_by_email(session, "dep@example.org")
            depositor.organisation_claim = "Blackpool Council"
            for name, status in (("draft", "draft"), ("submission", "submitted"), ("published", "published")):
                pdf = make_pdf(folder / f"{name}.pdf", [f"Information sharing and consent in Blackpool, the {name}."])
                item = create_item(session, ItemData(
                    title=f"Consent in multi-agency work ({name})", authors=[AuthorData("Dee Positor")],
                    status=status, themes=["domestic-abuse"], places=["Blackpool", "Blackpool Council"]),
                    depositor=depositor)
                attach_file(session, item, extract_file(pdf), res.files, original_name=pdf.name)
                ids[name] = item.id
            published = session.get(type(item), ids["published"])
            pdf = make_pdf(folder / "v2.pdf", ["A second version about parking permits instead."])
            add_version(session, published, extract_file(pdf), res.files, depositor, file_name="v2.pdf")
            ensure_place(session, "Leeds", region="Yorkshire and the Humber")
    with browse(app) as browser:
        yield browser, ids
    app.extensions["repository"].engine.dispose()


def _check(browser, path: str, expected: int = 200, *, press: str | None = None, errors: bool = False) -> None:
    visit = browser.visit(path)
    assert visit.status == expected, path
    if press is not None:
        # Send one of the page's forms as it stands (the button's text names it), to check what comes back.
        browser.page.click(f"main button:has-text('{press}')")
        browser.page.wait_for_load_state("networkidle")
        assert (browser.page.locator(".govuk-error-summary").count() == 1) == errors, path
    browser.assert_clean(path)


def test_depositor_pages(site):
    browser, ids = site
    browser.sign_in("dep@example.org", PASSWORD)
    _check(browser, "/deposit/")
    assert "Take back" in browser.page.content() and "is with the editors" in browser.page.content()
    _check(browser, f"/deposit/{ids['draft']}/delete")
    _check(browser, f"/deposit/{ids['draft']}/edit")


def test_editor_review_of_a_new_version(site):
    browser, ids = site
    browser.sign_in("ed@example.org", PASSWORD)
    _check(browser, "/moderation/")
    _check(browser, f"/moderation/items/{ids['published']}")
    assert "A new version of the file is waiting for review" in browser.page.content()
    _check(browser, f"/moderation/items/{ids['published']}", press="Do not accept it", errors=True)
    _check(browser, "/moderation/people")


def test_editor_theme_and_place_pages(site):
    browser, _ = site
    browser.sign_in("ed@example.org", PASSWORD)
    _check(browser, "/moderation/themes")
    _check(browser, "/moderation/themes/new")
    _check(browser, "/moderation/themes/new", press="Add the theme", errors=True)
    _check(browser, "/moderation/themes/domestic-abuse")
    _check(browser, "/moderation/themes/domestic-abuse", press="Merge", errors=True)
    _check(browser, "/moderation/places")
    _check(browser, "/moderation/places/blackpool-council")
    _check(browser, "/moderation/places/blackpool-council", press="Merge", errors=True)
    browser.visit("/moderation/places/leeds")
    browser.page.fill("#ons_code", "not a code")
    browser.page.click("main button:has-text('Save the place')")
    browser.page.wait_for_load_state("networkidle")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.assert_clean("/moderation/places/leeds (error)")
