"""Turn names into URL slugs."""

import re
import unicodedata


def slugify(text: str, *, max_length: int = 80) -> str:
    """Return a lowercase ASCII slug of `text` ('Brighton & Hove' -> 'brighton-hove')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "untitled"
