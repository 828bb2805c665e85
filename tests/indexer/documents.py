"""Index documents for the store and search tests."""


def make_doc(item_id: str, **overrides) -> dict:
    """Return an index document with plain defaults."""
    doc = {
        "id": item_id, "type": "paper", "title": f"Item {item_id}", "abstract": "", "summary": "",
        "body": "", "authors": [], "themes": [], "event": None, "places": [], "year": None,
        "date": None, "access": "open", "readers": ["public"],
    }
    doc.update(overrides)
    return doc
