"""Error pages in the site's design; JSON errors under /api/."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from indexer.search import IndexUnreadable

INDEX_UNAVAILABLE = ("Search is not available for a few minutes while its index is rebuilt. "
                     "Item pages still work; try the search again shortly.")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_pages(app: Flask) -> None:
    """Render 4xx and 5xx errors as pages (or JSON for the API), never a traceback."""

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        if _wants_json():
            return jsonify({"error": error.description or error.name}), status
        template = {404: "errors/404.html", 400: "errors/400.html", 410: "errors/404.html"}.get(
            status, "errors/generic.html")
        return render_template(template, error=error, message=error.description), status

    @app.errorhandler(IndexUnreadable)
    def _index_unreadable(error: IndexUnreadable):
        current_app.logger.error("search unavailable: %s", error)
        if _wants_json():
            return jsonify({"error": INDEX_UNAVAILABLE}), 503
        return render_template("errors/generic.html", error=ServiceUnavailable(), message=INDEX_UNAVAILABLE), 503

    @app.errorhandler(500)
    def _server_error(error):
        if _wants_json():
            return jsonify({"error": "something went wrong on our side; try again later"}), 500
        return render_template("errors/500.html"), 500
