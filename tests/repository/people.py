"""Helpers for the accounts, deposit and access tests: people, PDFs, signing in."""

from __future__ import annotations

import re
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

