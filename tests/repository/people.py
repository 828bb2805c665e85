"""Helpers for the accounts, deposit and access tests: people, PDFs, signing in."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

from fpdf import FPDF

from repository.db import transaction
from repository.services.accounts import create_user, set_organisation

PASSWORD = "correct horse battery"


def make_user(res, email: str, role: str = "reader", *, organisation: str | None = None, name: str = ""):
    """Create and commit an account with the shared test password; return it."""
    with transaction(res.sessions) as session:
        user = create_user(session, email, name or email.split("@")[0].title(), PASSWORD, role=role)
        if organisation:
            set_organisation(session, user, organisation)
    return user


def make_pdf(path: Path, pages: list[str], *, title: str | None = None, author: str | None = None,
             encrypt_with: str | None = None) -> Path:
    """Write a text PDF with one page per string; optionally password-protected."""
    pdf = FPDF()
    pdf.set_subject(path.name)  # stored files are keyed by hash: each test file must differ
    pdf.set_font("Helvetica", size=11)
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    if encrypt_with:
        pdf.set_encryption(owner_password="owner-" + encrypt_with, user_password=encrypt_with)
    pdf.output(str(path))
    return path


def pdf_bytes(tmp_path: Path, pages: list[str], name: str = "paper.pdf", **options) -> bytes:
    """Return the bytes of a text PDF written by make_pdf."""
    return make_pdf(tmp_path / name, pages, **options).read_bytes()


def sign_in(client, email: str, password: str = PASSWORD, *, follow: bool = False):
    """Post the sign-in form (CSRF off in the default app) and return the response."""
    return client.post("/account/sign-in", data={"email": email, "password": password},
                       follow_redirects=follow)


def csrf_token(html: str) -> str:
    """Return the CSRF token embedded in a page's form."""
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
        re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)



def deposit_file(client, data: bytes, name: str = "paper.pdf", *, timeout: float = 120.0):
    """Upload a file as a new deposit and wait while it is read in the background.

    Returns the response that ends the wait: the redirect to the new draft, the upload
    form with the reason the file was refused, or the refusal of the upload itself.
    """
    response = client.post("/deposit/new", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    if response.status_code != 302 or "/deposit/uploads/" not in response.headers["Location"]:
        return response
    status_page = response.headers["Location"]
    # On PostgreSQL the job waits in procrastinate's queue: a worker runs here (on SQLite the
    # web process's own thread reads the file, and this waits for it).
    client.application.extensions["repository"].jobs.run_pending()
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(status_page)
        if response.status_code != 200 or b"We are reading your file" not in response.data:
            return response
        assert time.monotonic() < deadline, "the upload was never read"
        time.sleep(0.05)


def register(client, data: dict, *, password_field: str = "password"):
    """Register through the form, follow the confirmation link as the mail would, then sign in.

    Returns the sign-in response. The link is made as the app makes it (the mail itself
    goes to the log when no mail server is set).
    """
    from repository.services.accounts import confirmation_token, find_user_by_email

    response = client.post("/account/register", data={"confirm": data[password_field], **data})
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    app = client.application
    with app.extensions["repository"].sessions() as session:
        user = find_user_by_email(session, data["email"])
        token = confirmation_token(user, app.config["SECRET_KEY"])
    assert client.get(f"/account/confirm/{token}").status_code == 302
    return sign_in(client, data["email"], data[password_field])
