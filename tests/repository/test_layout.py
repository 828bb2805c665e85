"""Every page type on a phone and the header at its narrowest and widest, in a real headless Chromium.

At 375 px no page scrolls sideways and axe-core (WCAG 2.0, 2.1 and 2.2 A/AA, best practice)
finds nothing, for visitors, depositors and editors alike; the header's links never overlap
and signing out is on screen at 320 and 1280 px, with and without JavaScript.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from repository import create_app
from repository.commands.database import prepare_database
from repository.commands.demo import load_demo
from repository.context import resources
from repository.db import transaction
from repository.models import Event, Item, Upload
from repository.services.accounts import get_user_by_email
from repository.services.items import AuthorData, ItemData, create_item
from tests.browser import browse, describe_violations

from .people import PASSWORD, make_user

PHONE = {"width": 375, "height": 800}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The demo collection, a depositor with a draft and a refused upload, an administrator; a browser on it."""
    folder = tmp_path_factory.mktemp("layout")
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False}, instance_path=folder / "i")
    with app.app_context():
        prepare_database()
        res = resources()
        load_demo(res, folder / "demo")
        make_user(res, "dep@example.org", "depositor", name="Dee Positor")
        make_user(res, "admin@example.org", "admin", name="Ada Administrator-Longname")
        paths = {}
        with transaction(res.sessions) as session:
            depositor = get_user_by_email(session, "dep@example.org")
            draft = create_item(session, ItemData(
                title="Sharing information between councils, police forces, health visitors and schools",
                authors=[AuthorData("Dee Positor")], status="submitted", summary="What helped people share."),
                depositor=depositor)
            unsent = create_item(session, ItemData(title="A draft not yet sent", status="draft"), depositor=depositor)
            upload = Upload(user_id=depositor.id, file_name="a-very-long-file-name-without-any-spaces-at-all.pdf",
                            spool_name="refused.upload", state="refused",
                            message="The selected file cannot be deposited: it is protected by a password")
            session.add(upload)
            session.flush()
            published = select(Item.id).where(Item.status == "published", Item.access == "open").order_by(Item.id)
            paths["paper"] = f"/items/{session.scalar(published.where(Item.type == 'paper'))}"
            paths["paper from a search"] = paths["paper"] + "?q=sharing&results=q%3Dsharing%26sort%3Dtitle%26page%3D2"
            paths["case study"] = f"/items/{session.scalar(published.where(Item.type == 'case_study'))}"
            paths["event"] = f"/events/{session.scalar(select(Event.slug).order_by(Event.date))}"
            paths["submission"] = f"/moderation/items/{draft.id}"
            paths["edit"] = f"/deposit/{draft.id}/edit"
            paths["refused upload"] = f"/deposit/uploads/{upload.id}"
            paths["delete a draft"] = f"/deposit/{unsent.id}/delete"
    with browse(app) as browser:
        browser.page.set_viewport_size(PHONE)
        yield browser, paths
    app.extensions["repository"].engine.dispose()


def _sign_in(browser, email: str | None) -> None:
    browser.context.clear_cookies()
    if email is None:
        return
    browser.visit("/account/sign-in")
    browser.page.fill("#email", email)
    browser.page.fill("#password", PASSWORD)
    browser.page.click("main form button.govuk-button")
    browser.page.wait_for_load_state("networkidle")


VISITOR = {
    "home": "/", "search with hits": "/search?q=information+sharing",
    "search without hits": "/search?q=xylophonequartz",
    "search with filters": "/search?q=consent&theme=families&type=case_study&from=2013&to=2016&sort=newest",
    "paper": None, "paper from a search": None, "case study": None, "theme index": "/themes",
    "theme": "/themes/families", "place index": "/places",
    "place": "/places/leeds", "event index": "/events", "event": None, "author index": "/authors",
    "year index": "/years", "year": "/years/2015", "about": "/about", "search help": "/help/search",
    "accessibility statement": "/accessibility", "privacy notice": "/privacy", "contact": "/contact",
    "sign in": "/account/sign-in", "register": "/account/register", "password reset": "/account/reset",
    "404": "/no/such/page", "400": "/search?page=0",
    "upcoming event": "/events/seminar-9-schools", "register interest": "/events/seminar-9-schools/register",
}
DEPOSITOR = {"account": "/account/", "my deposits": "/deposit/", "deposit": "/deposit/new", "edit": None,
             "refused upload": None, "delete a draft": None, "item page signed in": None}
EDITOR = {"moderation queue": "/moderation/", "submission": None, "people": "/moderation/people",
          "new event": "/events/new", "event edit": "/events/seminar-9-schools/edit",
          "new session": "/events/seminar-9-schools/sessions/new",
          "registrations": "/events/seminar-9-schools/registrations", "themes": "/moderation/themes",
          "new theme": "/moderation/themes/new", "theme edit": "/moderation/themes/families",
          "places": "/moderation/places", "place edit": "/moderation/places/leeds"}
STATUS = {"404": 404, "400": 400, "refused upload": 422}
CASES = [(None, name, path) for name, path in VISITOR.items()] + \
    [("dep@example.org", name, path) for name, path in DEPOSITOR.items()] + \
    [("admin@example.org", name, path) for name, path in EDITOR.items()]


@pytest.mark.parametrize("who, name, path", CASES, ids=[name for _, name, _ in CASES])
def test_no_page_scrolls_sideways_on_a_phone_and_axe_finds_nothing(site, who, name, path):
    browser, paths = site
    if name == "item page signed in":
        path = paths["paper"]
    path = path or paths[name]
    if getattr(browser, "signed_in_as", "") != who:  # sign in once per person, not once per page
        _sign_in(browser, who)
        browser.signed_in_as = who
    visit = browser.visit(path)
    assert visit.status == STATUS.get(name, 200), path
    widths = browser.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] == PHONE["width"], f"{name} ({path}) is {widths[0]} px wide"
    violations = browser.axe()
    assert not violations, f"{name} ({path}) at {PHONE['width']} px:\n{describe_violations(violations)}"
    assert not visit.outside_requests and not visit.console_errors and not visit.failed_assets


HEADER_LINKS = "header a, header button:visible"


def _header_boxes(page) -> list[tuple[str, dict]]:
    """Return each visible header link's text and bounding box."""
    boxes = []
    for handle in page.locator(HEADER_LINKS).element_handles():
        box = handle.bounding_box()
        if box and box["width"] and handle.is_visible():
            boxes.append((handle.inner_text().strip(), box))
    return boxes


def _overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and \
        a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]


@pytest.mark.parametrize("width", [320, 1280])
@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without JavaScript"])
def test_the_signed_in_header_fits_and_offers_sign_out(site, width, javascript):
    browser, _paths = site
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(browser.base_url + "/account/sign-in")
        page.fill("#email", "admin@example.org")
        page.fill("#password", PASSWORD)
        page.click("main form button.govuk-button")
        page.wait_for_load_state("networkidle")
        page.goto(browser.base_url + "/search?q=consent")
        sign_out = page.locator("header button:has-text('Sign out')")
        assert sign_out.is_visible()
        box = sign_out.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= width
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        boxes = _header_boxes(page)
        texts = [text for text, _ in boxes]
        assert {"My deposits", "Review", "People", "Your account", "Sign out"} <= set(texts), texts
        for index, (text, box) in enumerate(boxes):
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, f"{text} is off the screen"
            for other, other_box in boxes[index + 1:]:
                assert not _overlap(box, other_box), f"{text} overlaps {other} at {width} px"
        # Links side by side keep a visible gap, so "My deposits" and "Your account" never read as one.
        account = [box for text, box in boxes if text in ("My deposits", "Review", "People", "Your account")]
        for left, right in zip(account, account[1:], strict=False):
            if abs(left["y"] - right["y"]) < 5:
                assert right["x"] - (left["x"] + left["width"]) >= 15, f"links run together at {width} px"
        sign_out.click()
        page.wait_for_load_state("networkidle")
        assert "You have signed out" in page.content()
        assert page.locator("header button:has-text('Sign out')").count() == 0
    finally:
        context.close()


def test_the_search_page_skips_to_results_and_folds_its_filters(site):
    browser, _paths = site
    for width in (375, 1280):
        browser.page.set_viewport_size({"width": width, "height": 900})
        browser.visit("/search?q=information+sharing&type=case_study")
        skip = browser.page.locator("a[href='#results-heading']")
        assert skip.is_visible(), width
        # From the search button, one Tab reaches the skip link; it moves focus past every filter.
        browser.page.focus("form.app-finder button[type=submit] >> nth=0")
        browser.page.keyboard.press("Tab")
        assert browser.page.evaluate("() => document.activeElement.getAttribute('href')") == "#results-heading"
        browser.page.keyboard.press("Enter")
        assert browser.page.evaluate("() => document.activeElement.id") == "results-heading"
        # Only the group with a chosen filter starts open.
        groups = browser.page.locator("details.app-filter-group")
        open_groups = [groups.nth(i).locator("summary").inner_text() for i in range(groups.count())
                       if groups.nth(i).get_attribute("open") is not None]
        assert len(open_groups) == 1 and open_groups[0].startswith("Type"), open_groups
    browser.page.set_viewport_size(PHONE)


def test_the_axe_check_does_apply_the_wcag_2_2_target_size_rule(site):
    browser, _paths = site
    # A control: links 12 px high packed together fail SC 2.5.8, so a clean page above is not an idle rule.
    browser.page.set_content(
        '<html lang="en"><head><title>Control</title></head><body><main><h1>Control</h1>'
        '<ul style="list-style: none; margin: 0; padding: 0; font-size: 10px; line-height: 12px">'
        '<li><a href="/a">A</a></li><li><a href="/b">B</a></li><li><a href="/c">C</a></li></ul></main></body></html>')
    assert [violation["id"] for violation in browser.axe()] == ["target-size"]
