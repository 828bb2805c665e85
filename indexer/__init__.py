"""Two engines that never import each other, and import neither Flask nor repository/.

- indexer.extraction: text and suggested metadata out of a document, in killable child
  processes with time and memory limits (pypdf).
- indexer.search: the Whoosh index of items: its schema and analysis, the one writing
  path, and searching with filters, facets, snippets and suggestions.

Each package's __init__ is its public face; the application imports nothing else.
"""
