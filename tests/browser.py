"""A real browser for tests: the app served on a local port, driven in headless Chromium.

Uses Debian's `chromium` through Playwright (never Playwright's own browser download)
and axe-core from node_modules for accessibility checks. Every request the page makes
is watched: anything not to the local server is blocked and recorded.
"""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from werkzeug.serving import WSGIRequestHandler, make_server

PROJECT_ROOT = Path(__file__).resolve().parent.parent
AXE_PATH = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's best practices (heading order, landmarks).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


class BrowserMissing(RuntimeError):
    """Chromium or axe-core is not installed; the message says how to get them."""


def chromium_path() -> str:
    """Return the path of Debian's chromium, or raise BrowserMissing."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise BrowserMissing("chromium is not installed: run `make test` (it installs the Debian package "
                             "`chromium`) or `apt-get install -y chromium`")
    return found


def axe_source() -> str:
    """Return axe-core's script, or raise BrowserMissing."""
    if not AXE_PATH.is_file():
        raise BrowserMissing(f"axe-core is missing at {AXE_PATH}: run `make assets` (npm ci)")
    return AXE_PATH.read_text(encoding="utf-8")


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args) -> None:  # one line per asset would bury test output
        pass


class LiveServer:
    """The Flask app served by werkzeug in a thread on 127.0.0.1 and a free port."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)


@dataclass
class PageVisit:
    """What happened when the browser loaded one page."""

    status: int
    outside_requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    failed_assets: list[str] = field(default_factory=list)  # stylesheets, scripts, images that did not load


class Browser:
    """A headless Chromium with one page, confined to the local server."""

    def __init__(self, playwright, base_url: str):
        self.base_url = base_url
        self._host = urlsplit(base_url).netloc
        self.browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                                  headless=True)
        self.context = self.browser.new_context()
        self.page = self.context.new_page()
        self.outside: list[str] = []
        self.console: list[str] = []
        self.failed: list[str] = []
        self.context.route("**/*", self._route)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(str(error)))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed load is reported per resource by _response; an error page's own status is expected.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console.append(message.text)

    def _response(self, response) -> None:
        if response.request.resource_type != "document" and response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def new_context(self, **options):
        """Return another browser context (e.g. without JavaScript), confined like the first."""
        context = self.browser.new_context(**options)
        context.route("**/*", self._route)
        return context

    def _route(self, route) -> None:
        # No request may leave the machine: block and record anything not to our server.
        if urlsplit(route.request.url).netloc == self._host:
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def visit(self, path: str) -> PageVisit:
        """Load `path` and wait for the page to settle."""
        self.outside.clear()
        self.console.clear()
        self.failed.clear()
        response = self.page.goto(self.base_url + path, wait_until="load")
        self.page.wait_for_load_state("networkidle")
        return PageVisit(response.status if response else 0, list(self.outside), list(self.console),
                         list(self.failed))

    def axe(self, tags: list[str] | None = None) -> list[dict]:
        """Run axe-core on the current page; return its violations (empty when accessible)."""
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, so the page's CSP does not apply to it.
            self.page.evaluate(axe_source())
        return self.page.evaluate(
            "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})).violations",
            tags or AXE_TAGS,
        )

    def assert_clean(self, where: str) -> None:
        """Assert that the current page has no axe violations, outside requests, script errors or failed assets."""
        violations = self.axe()
        assert not violations, f"{where}:\n{describe_violations(violations)}"
        assert not self.outside, self.outside
        assert not self.console, self.console
        assert not self.failed, self.failed

    def check(self, path: str, expected: int = 200) -> None:
        """Load `path`, expect its status, and assert the page is clean."""
        visit = self.visit(path)
        assert visit.status == expected, path
        self.assert_clean(path)

    def submit(self, where: str, button: str = "main form button.govuk-button >> nth=0") -> None:
        """Press a form's button, and assert the page that comes back is clean."""
        self.page.click(button)
        self.page.wait_for_load_state("networkidle")
        self.assert_clean(where)

    def sign_in(self, email: str, password: str) -> None:
        """Sign in afresh (the cookies of whoever was signed in are dropped)."""
        self.context.clear_cookies()
        sign_in(self.page, self.base_url, email, password)
        self.page.wait_for_load_state("networkidle")

    def close(self) -> None:
        """Close the browser."""
        self.context.close()
        self.browser.close()


@contextmanager
def browse(app) -> Iterator[Browser]:
    """Serve `app` and yield a Browser pointed at it."""
    from playwright.sync_api import sync_playwright

    chromium_path()
    with LiveServer(app) as server, sync_playwright() as playwright:
        browser = Browser(playwright, server.url)
        try:
            yield browser
        finally:
            browser.close()


def sign_in(page, base_url: str, email: str, password: str) -> None:
    """Sign in through the form on `page`, in any browser context (with or without JavaScript)."""
    page.goto(base_url + "/account/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("main form button.govuk-button")
    page.wait_for_load_state("load")


def describe_violations(violations: list[dict]) -> str:
    """Return axe violations as readable lines for an assertion message."""
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} -> {targets}")
    return "\n".join(lines)
