"""Web pages and the JSON API, one blueprint per area."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint on `app`."""
