"""The account, deposit and moderation pages in a real headless Chromium: axe-core finds no
WCAG 2.2 A/AA violation, nothing leaves the machine, no script error; errors included."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.extraction.extract import extract_file
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.models import Upload
from repository.services import moderation
from repository.services.accounts import get_user_by_email
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from repository.services.readability import readability
from tests.browser import browse, describe_violations

from .people import PASSWORD, make_pdf, make_user


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app with a depositor's returned draft and a submission, and a browser on it."""
    folder = tmp_path_factory.mktemp("a11y")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, instance_path=folder / "i")
    with app.app_context():
        prepare_database()
        res = resources()
        make_user(res, "dep@example.org", "depositor", name="Dee Positor")
        make_user(res, "admin@example.org", "admin", name="Ada Admin")
        with transaction(res.sessions) as session:
            depositor = get_user_by_email(session, "dep@example.org")
            admin = get_user_by_email(session, "admin@example.org")
            depositor.organisation_claim = "Leeds City Council"
            ids = {}
            for name in ("draft", "submission"):
                pdf = make_pdf(folder / f"{name}.pdf", [f"Information sharing and consent, the {name} version."])
                item = create_item(session, ItemData(
                    title=f"Consent in multi-agency work ({name})", authors=[AuthorData("Dee Positor")],
                    status="submitted", access="embargoed", embargo_until=date(2031, 1, 1),
                    summary="Practitioners told us what helped them share. Clear rules helped most."),
                    depositor=depositor)
                attach_file(session, item, extract_file(pdf), res.files, original_name=pdf.name)
                ids[name] = item.id
            moderation.return_to_depositor(session, session.get(type(item), ids["draft"]), admin,
                                           "Please say which councils took part.")
            for state, message in (("reading", ""), ("refused", "The selected file cannot be deposited: "
                                                                "it is protected by a password")):
                upload = Upload(user_id=depositor.id, file_name="report.pdf", spool_name=f"{state}.upload",
                                state=state, message=message)
                session.add(upload)
                session.flush()
                ids[f"upload {state}"] = upload.id
    with browse(app) as browser:
        yield browser, ids
    app.extensions["repository"].engine.dispose()


def _sign_in(browser, email: str) -> None:
    browser.visit("/account/sign-in")
    browser.page.fill("#email", email)
    browser.page.fill("#password", PASSWORD)
    browser.page.click("form button.govuk-button")
    browser.page.wait_for_load_state("networkidle")


def _check(browser, path: str, expected: int = 200, *, submit_empty: bool = False) -> None:
    visit = browser.visit(path)
    assert visit.status == expected, path
    if submit_empty:
        # Send the form as it stands, to check the page with its error summary.
        browser.page.click("main form button.govuk-button >> nth=0")
        browser.page.wait_for_load_state("networkidle")
        assert browser.page.locator(".govuk-error-summary").count() == 1, path
    violations = browser.axe()
    assert not violations, f"{path}:\n{describe_violations(violations)}"
    assert not browser.outside, browser.outside
    assert not browser.console, browser.console
    assert not browser.failed, browser.failed


ANONYMOUS = [("/account/sign-in", 200, False), ("/account/sign-in", 200, True), ("/account/register", 200, False),
             ("/account/register", 200, True), ("/account/reset", 200, False),
             ("/account/reset/no-such-token", 404, False)]


@pytest.mark.parametrize("path, expected, submit_empty", ANONYMOUS)
def test_anonymous_account_pages(site, path, expected, submit_empty):
    browser, _ = site
    browser.context.clear_cookies()
    _check(browser, path, expected, submit_empty=submit_empty)


def test_depositor_pages(site):
    from playwright.sync_api import expect

    browser, ids = site
    browser.context.clear_cookies()
    _sign_in(browser, "dep@example.org")
    for path, submit_empty in (("/account/", False), ("/account/password", False), ("/account/password", True),
                               ("/deposit/", False), ("/deposit/new", False), ("/deposit/new", True),
                               (f"/deposit/{ids['draft']}/edit", False)):
        _check(browser, path, submit_empty=submit_empty)
    assert "Please say which councils took part." in browser.page.content()
    _check(browser, f"/deposit/uploads/{ids['upload reading']}")
    _check(browser, f"/deposit/uploads/{ids['upload refused']}", 422)
    _check(browser, f"/deposit/{ids['draft']}/edit")
    # With JavaScript, the reading age follows the summary as it is typed.
    browser.page.fill("#summary", "Interorganisational information exchange necessitates comprehensive, "
                                  "legislatively grounded governance arrangements.")
    expect(browser.page.locator("#reading-age")).to_contain_text("18 or over")
    for text in ("We met every week. We shared what we knew. It helped.",
                 "Councils, police and health visitors met every day to share worries about families. "
                 "Sharing early kept children safer, and staff needed clear rules about consent."):
        browser.page.fill("#summary", text)
        # The same words as the server shows on save.
        expect(browser.page.locator("#reading-age")).to_have_text(readability(text).describe())
    assert not browser.console, browser.console


def test_editor_and_administrator_pages(site):
    browser, ids = site
    browser.context.clear_cookies()
    _sign_in(browser, "admin@example.org")
    for path in ("/moderation/", f"/moderation/items/{ids['submission']}", f"/moderation/items/{ids['draft']}",
                 "/moderation/people"):
        _check(browser, path)
    # The search vocabulary: the list, the list with an empty group sent, and one group.
    _check(browser, "/moderation/synonyms/")
    _check(browser, "/moderation/synonyms/", submit_empty=True)
    _check(browser, "/moderation/synonyms/1")
