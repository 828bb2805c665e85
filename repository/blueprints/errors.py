"""Error pages in the site's design; JSON errors under /api/."""

from __future__ import annotations

import errno

from flask import Flask, current_app, g, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from indexer.search import IndexUnreadable

STORAGE_UNAVAILABLE = ("The site cannot save anything just now: its storage is full or cannot be written. "
                       "Nothing you sent has been saved. Try again later; the people who run the site "
                       "have been told.")
# SQLite's words, and PostgreSQL's SQLSTATEs (25006 read-only transaction, class 53 out of resources).
_SQLITE_STORAGE = ("readonly database", "disk is full", "disk i/o error", "unable to open database file")
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM}


def storage_failure(error: BaseException) -> str | None:
    """Return what went wrong when `error` means the disk or database cannot be written, else None."""
    if isinstance(error, OSError) and error.errno in _STORAGE_ERRNOS:
        return f"{error.strerror or error} ({error.filename or 'no file named'})"
    if isinstance(error, DBAPIError):
        sqlstate = getattr(error.orig, "sqlstate", None) or ""
        if sqlstate == "25006" or sqlstate.startswith("53"):
            return f"database: {str(error.orig).strip().splitlines()[0]} (SQLSTATE {sqlstate})"
        text = str(error.orig).lower()
        if any(words in text for words in _SQLITE_STORAGE):
            return f"database: {str(error.orig).strip()}"
    return None


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

    @app.errorhandler(OSError)
    @app.errorhandler(DBAPIError)
    def _storage_error(error: Exception):
        session = g.get("db_session")
        if session is not None:
            session.rollback()  # the page below reads the signed-in person again
        cause = storage_failure(error)
        if cause is None:
            current_app.logger.error("Exception on %s [%s]", request.path, request.method, exc_info=error)
            return _server_error(error)
        current_app.logger.error("cannot save on %s %s: %s", request.method, request.path, cause, exc_info=error)
        if _wants_json():
            return jsonify({"error": STORAGE_UNAVAILABLE}), 503
        return render_template("errors/generic.html", error=ServiceUnavailable(), message=STORAGE_UNAVAILABLE), 503

    @app.errorhandler(500)
    def _server_error(error):
        if _wants_json():
            return jsonify({"error": "something went wrong on our side; try again later"}), 500
        return render_template("errors/500.html"), 500
