"""Mistakes a person can put right, each carrying the form field it belongs to."""

from __future__ import annotations


class FieldError(ValueError):
    """A message fit to show a person, and the name of the form field it is about (None: the whole form)."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field
