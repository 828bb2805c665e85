"""Fixtures for page tests: the demo collection loaded once, and an item factory."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fpdf import FPDF

from indexer.extraction.extract import extract_file
from repository import create_app
from repository.commands.database import prepare_database
from repository.commands.demo import load_demo
from repository.context import resources
from repository.db import transaction
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from tests.conftest import apply_changes

TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "INDEX_LOCK_TIMEOUT": 5.0}


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory) -> Path:
    """Return an instance folder holding the demo collection (built once per test run)."""
    path = tmp_path_factory.mktemp("demo-instance")
    app = create_app(TEST_CONFIG, instance_path=path)
    with app.app_context():
        prepare_database()
        counts = load_demo(resources(), tmp_path_factory.mktemp("demo-pdfs"))
    assert counts["rejected"] == 0 and counts["ingested"] >= 30, counts
    app.extensions["repository"].engine.dispose()
    return path


@pytest.fixture(scope="session")
def demo_app(demo_instance: Path):
    """Return an app on the shared demo instance; tests using it must only read."""
    app = create_app(TEST_CONFIG, instance_path=demo_instance)
    yield app
    app.extensions["repository"].engine.dispose()


@pytest.fixture
def demo_client(demo_app):
    """Return a test client of the shared, read-only demo app."""
    return demo_app.test_client()


def write_pdf(path: Path, pages: list[str]) -> Path:
    """Write a PDF with one page of text per string (core font, so Latin-1 text)."""
    pdf = FPDF()
    pdf.set_subject(path.name)  # files are deduplicated by hash: each test file must differ
    pdf.set_font("Helvetica", size=11)
    for text in pages:
        pdf.add_page()
        pdf.multi_cell(0, 6, text)
    pdf.output(str(path))
    return path


@pytest.fixture
def make_item(app, tmp_path: Path):
    """Return a factory: make_item(pages=[...], **ItemData fields) -> item id, stored and indexed."""
    counter = iter(range(1, 10_000))

    def factory(*, pages: list[str] | None = None, authors: list[str] = ("Ann Example",), **fields) -> int:
        fields.setdefault("title", "An untitled test paper")
        fields.setdefault("year", 2015)
        if fields.get("access") == "embargoed":
            fields.setdefault("embargo_until", date(2099, 1, 1))
        data = ItemData(authors=[AuthorData(name) for name in authors], **fields)
        with app.app_context():
            res = resources()
            with transaction(res.sessions) as session:
                item = create_item(session, data)
                if pages:
                    pdf = write_pdf(tmp_path / f"item-{next(counter)}.pdf", pages)
                    extraction = extract_file(pdf)
                    assert extraction.status == "ok", extraction.reason
                    attach_file(session, item, extraction, res.files, original_name=pdf.name)
                item_id = item.id
        apply_changes(app.extensions["repository"])
        return item_id

    return factory
