"""Run the app as a deployment does (gunicorn workers, the indexer service) and talk to it over HTTP."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests import databases

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on loopback that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(instance: Path, **settings: str) -> dict[str, str]:
    """Return the environment a server or command for this instance runs with."""
    env = {**os.environ, "REPOSITORY_INSTANCE": str(instance),
           # Plain HTTP on loopback: the session cookie cannot be Secure-only here.
           "REPOSITORY_SESSION_COOKIE_SECURE": "false"}
    database = databases.url_for(instance)
    if database:  # the run is on PostgreSQL: the process must use this instance's database
        env["DATABASE_URL"] = database
    env.update({f"REPOSITORY_{name}": value for name, value in settings.items()})
    return env


@contextmanager
def gunicorn(instance: Path, *, workers: int = 4, **settings: str) -> Iterator[str]:
    """Serve the app on a free loopback port with `workers` gunicorn workers; yield its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120",
         "repository:create_app()"],
        cwd=PROJECT, env=environment(instance, **settings), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/about", timeout=5).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start: " + process.stderr.read().decode()[-2000:]) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


class Browser:
    """A person at a browser: cookies kept, redirects not followed, every status recorded."""

    def __init__(self, base: str):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect())

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        """GET (or POST the form `data`); return (status, body)."""
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")

    def csrf(self, path: str) -> str:
        """Return the CSRF token of the form on the page at `path`."""
        status, page = self.request(path)
        match = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert match, f"no form on {path} ({status})"
        return match.group(1)

    def sign_in(self, email: str, password: str) -> int:
        """Sign in through the form; return the status of the POST (302 on success)."""
        token = self.csrf("/account/sign-in")
        status, _ = self.request("/account/sign-in", {"email": email, "password": password, "csrf_token": token})
        return status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
