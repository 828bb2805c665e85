"""Extraction: text and suggested metadata out of a document, in a killable child process."""

from indexer.extraction.extract import Extraction, extract_file, extract_many, precheck
from indexer.extraction.formats import ACCEPTED, FORMATS, NOT_ACCEPTED, SUFFIXES, Format, sniff
from indexer.extraction.metadata import Suggestion
from indexer.extraction.source import Limits, Source, hash_file
from indexer.extraction.themes import suggest_themes

__all__ = [
    "ACCEPTED", "FORMATS", "NOT_ACCEPTED", "SUFFIXES", "Extraction", "Format", "Limits", "Source", "Suggestion",
    "extract_file", "extract_many", "hash_file", "precheck", "sniff", "suggest_themes",
]
