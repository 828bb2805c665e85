"""Fixtures for the indexer tests: builders of real PDFs written into a temporary folder."""

from __future__ import annotations

import pytest

try:  # tests/ may or may not be a package, depending on how pytest imports it
    from . import pdfs as builders
except ImportError:
    import pdfs as builders  # type: ignore[no-redef]


@pytest.fixture
def pdfs():
    """Return the module of PDF builders (text_pdf, encrypted_pdf, image_only_pdf, ...)."""
    return builders
