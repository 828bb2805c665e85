"""Web pages and the JSON API, one blueprint per area."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    """Register every blueprint on `app`."""
    from . import api, api_records, browse, exports, feeds, harvest, items, main
    from .errors import register_error_pages
    from .templating import configure_templates

    configure_templates(app)
    register_error_pages(app)
    for module in (main, browse, items, api, api_records, harvest, feeds, exports):
        app.register_blueprint(module.bp)

    from . import (
        accounts,
        additional_files,
        alerts,
        copies,
        curation,
        deposit,
        moderation,
        reports,
        seminars,
        vocabulary,
    )

    for module in (accounts, deposit, additional_files, moderation, curation, vocabulary, alerts, reports, copies,
                   seminars):
        app.register_blueprint(module.bp)
