"""The additional files' pages in a real headless Chromium: no axe-core violation, error states included;
and adding, relabelling and removing a file without JavaScript."""

from __future__ import annotations

import pytest

from indexer.extraction.extract import extract_file
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.services.accounts import get_user_by_email
from repository.services.additional_files import add_additional_file
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from tests.browser import browse, sign_in
from tests.conftest import apply_changes
from tests.indexer import office

from .people import PASSWORD, make_pdf, make_user

TEXT = "Information sharing between police and councils about domestic abuse, and what partners learnt."


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A draft and a published item, each with additional files (one restricted); a browser on them."""
    folder = tmp_path_factory.mktemp("a11y-files")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, instance_path=folder / "i")
    facts = {}
    with app.app_context():
        prepare_database()
        res = resources()
        make_user(res, "dep@example.org", "depositor", organisation="Leeds City Council")
        make_user(res, "editor@example.org", "editor")
        with transaction(res.sessions) as session:
            depositor = get_user_by_email(session, "dep@example.org")
            editor = get_user_by_email(session, "editor@example.org")
            for status in ("draft", "published"):
                item = create_item(session, ItemData(title=f"A {status} paper on sharing", year=2016, status=status,
                                                     authors=[AuthorData("Ada Lane")]), depositor=depositor)
                attach_file(session, item, extract_file(make_pdf(folder / f"{status}.pdf", [TEXT, status])),
                            res.files)
                for label, access in (("slides", "item"), ("data", "restricted")):
                    docx = office.word_docx(folder / f"{status}-{label}.docx", [f"{TEXT} {status} {label}."])
                    attached = add_additional_file(session, item, extract_file(docx), res.files,
                                                   depositor if status == "draft" else editor, label=label,
                                                   access=access, description="Seminar 4", file_name=docx.name)
                facts[status] = item.id
                facts[f"{status}-file"] = attached.id
        apply_changes(res)
    facts["folder"] = folder
    with browse(app) as browser:
        yield browser, facts
    app.extensions["repository"].engine.dispose()


def test_the_item_page_lists_its_files_accessibly(site):
    browser, facts = site
    browser.context.clear_cookies()
    browser.check(f"/items/{facts['published']}")
    content = browser.page.content()
    assert "Slides: Seminar 4" in content and "restricted: not available to you" in content


def test_the_depositors_and_editors_pages(site):
    browser, facts = site
    browser.context.clear_cookies()
    browser.sign_in("dep@example.org", PASSWORD)
    browser.check(f"/deposit/{facts['draft']}/edit")
    assert "Other files" in browser.page.content() and "Data: Seminar 4" in browser.page.content()
    browser.check(f"/deposit/{facts['draft']}/files/new")
    browser.page.click("main form button.govuk-button")
    browser.page.wait_for_load_state("networkidle")
    browser.assert_clean("add a file, with errors")
    assert browser.page.locator(".govuk-error-summary").count() == 1
    browser.check(f"/deposit/{facts['draft']}/files/{facts['draft-file']}")
    browser.check(f"/items/{facts['published']}")  # the depositor reads the restricted data too
    assert "Data: Seminar 4</a>" in browser.page.content()
    browser.context.clear_cookies()
    browser.sign_in("editor@example.org", PASSWORD)
    browser.check(f"/moderation/items/{facts['published']}")
    browser.check(f"/deposit/{facts['published']}/files/{facts['published-file']}")


def test_adding_relabelling_and_removing_work_without_javascript(site):
    browser, facts = site
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, browser.base_url, "dep@example.org", PASSWORD)
        page.goto(f"{browser.base_url}/deposit/{facts['draft']}/edit")
        page.click("text=Add a file")
        page.wait_for_load_state("load")
        easy = office.word_docx(facts["folder"] / "easy.docx", [TEXT + " In short words."])
        page.set_input_files("#file", str(easy))
        page.select_option("#label", "easy_read")
        page.fill("#description", "Large print")
        page.click("main form button.govuk-button")
        page.wait_for_load_state("load")
        assert "Easy-read version: Large print has been added" in page.content()
        page.click("a:has-text('Change or remove') >> nth=2")
        page.wait_for_load_state("load")
        page.select_option("#label", "other")
        page.click("main form button.govuk-button >> nth=0")
        page.wait_for_load_state("load")
        assert "Other: Large print has been saved" in page.content()
        page.click("a:has-text('Change or remove') >> nth=2")
        page.wait_for_load_state("load")
        page.click("text=Remove Other: Large print")
        page.wait_for_load_state("load")
        assert "Other: Large print has been removed" in page.content() and "Large print" not in \
            page.locator("#additional-files ~ dl").inner_text()
    finally:
        context.close()
