"""Ingest pipeline and search engine: PDF extraction, Whoosh schema, index writing and querying."""
