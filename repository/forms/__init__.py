"""Flask-WTF forms: each carries a CSRF token and the checks a person's input needs."""

from __future__ import annotations

from typing import Iterable

from wtforms.fields.choices import SelectChoice


def options(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """Return (value, label) pairs as the choices WTForms 3.3+ expects."""
    return [SelectChoice(value, label) for value, label in pairs]
