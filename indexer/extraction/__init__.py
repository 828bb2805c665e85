"""Extraction: text and suggested metadata out of a document, in a killable child process."""

from indexer.extraction.extract import Extraction, Limits, extract_file, extract_many, hash_file
from indexer.extraction.metadata import Suggestion
from indexer.extraction.themes import suggest_themes

__all__ = ["Extraction", "Limits", "Suggestion", "extract_file", "extract_many", "hash_file", "suggest_themes"]
