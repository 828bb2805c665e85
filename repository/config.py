"""Settings: defaults, then instance/config.py, then environment variables."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Every setting, its default and what it does. The README documents each one and a test
# checks that it does.
DEFAULTS: dict[str, object] = {
    "SECRET_KEY": None,  # signs sessions and forms; generated into the instance folder if unset
    "DATABASE_URL": None,  # SQLAlchemy URL; unset means SQLite at instance/repository.db
    "INDEX_DIR": "index",  # the Whoosh index, relative to the instance folder
    "FILES_DIR": "files",  # stored documents, relative to the instance folder
    "INDEX_LOCK_TIMEOUT": 30.0,  # seconds the indexer, ingest or reindex waits for the index lock
    "INDEXER_POLL_SECONDS": 0.5,  # how often the indexer looks for changes (on PostgreSQL NOTIFY also wakes it)
    "CHANGE_LOG_DAYS": 30,  # change-log entries older than this are pruned (a node further behind rebuilds)
    "EXTRACT_SECONDS": 30.0,  # wall-time limit of one file's extraction
    "EXTRACT_MEMORY_MB": 1024,  # memory limit of the extraction child process (and the OCR programs it runs)
    "OCR_ENABLED": True,  # recognise the text of scanned PDF pages (needs tesseract and ghostscript)
    "OCR_SECONDS": 120.0,  # wall-time limit for recognising one file's scanned pages, on top of EXTRACT_SECONDS
    "MAX_UPLOAD_MB": 50,  # largest file accepted, by upload or by bulk ingest
    "UPLOADS_WAITING_MAX": 20,  # depositors' uploads waiting to be read before a new one gets "busy" (503)
    "SEARCH_PER_PAGE": 20,  # results per page
    "SESSION_COOKIE_SECURE": None,  # None: secure cookies everywhere but in debug mode
    "MAIL_SERVER": None,  # SMTP host for password-reset mail; unset: messages are written to the log
    "MAIL_PORT": 587,  # SMTP port
    "MAIL_USE_TLS": True,  # STARTTLS before sending
    "MAIL_USERNAME": None,  # SMTP login, if the server wants one
    "MAIL_PASSWORD": None,  # SMTP password
    "MAIL_FROM": "repository@localhost",  # sender address of the repository's mail
    "PASSWORD_RESET_MINUTES": 60,  # how long a password-reset link works (it works once)
    "EMAIL_CONFIRM_DAYS": 7,  # how long the link that confirms a new account's email address works
    "SIGNIN_MAX_FAILURES_PAIR": 5,  # failed sign-ins to one account from one address before that pauses
    "SIGNIN_MAX_FAILURES_ACCOUNT": 50,  # failed sign-ins to one account from all addresses before it pauses
    "SIGNIN_MAX_FAILURES_ADDRESS": 20,  # failed sign-ins from one network address before it pauses
    "SIGNIN_WINDOW_MINUTES": 15,  # the window those failures are counted in, and the pause
    "PROXY_COUNT": 0,  # reverse proxies in front of the app whose X-Forwarded-For is trusted
    "EMBARGO_CHECK_SECONDS": 300,  # how often the indexer service lifts ended embargoes; 0 turns it off
    "SITE_URL": "http://127.0.0.1:5000",  # the site's public address, for links in mail sent by commands
    "OAI_NAMESPACE": None,  # the host in OAI-PMH identifiers (oai:HOST:ID); unset: the host the request came to
    "OAI_ADMIN_EMAIL": None,  # the address OAI-PMH Identify gives; unset: MAIL_FROM
    "OAI_BATCH_SIZE": 100,  # records per OAI-PMH list response before a resumption token
    "FEED_ENTRIES": 50,  # entries in an Atom feed
    "EXPORT_MAX": 1000,  # results a CSV, RIS or BibTeX export of a search holds at most
    "ALERT_LINK_DAYS": 90,  # how long the unsubscribe link in an alert mail works
    "COPY_DECISION_DAYS": 14,  # how long the approve/refuse link mailed to a depositor works
    "COPY_LINK_DAYS": 7,  # how long the download link of an approved copy works (it works once)
    "COPY_REQUESTS_PER_DAY": 20,  # requests for a copy of one item accepted per day (the rest wait)
    "REGISTRATIONS_KEEP_DAYS": 30,  # registrations of interest are deleted this many days after their event
}

# Settings that may come from the environment as REPOSITORY_<NAME> (DATABASE_URL also bare).
ENVIRONMENT_PREFIX = "REPOSITORY_"


def instance_folder() -> Path:
    """Return the instance folder: $REPOSITORY_INSTANCE, else ./instance of the project."""
    configured = os.environ.get("REPOSITORY_INSTANCE")
    return Path(configured).resolve() if configured else PROJECT_ROOT / "instance"


def _coerce(value: str, default: object) -> object:
    if isinstance(default, bool) or default is None and value.lower() in ("true", "false"):
        return value.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(value)
    if isinstance(default, float):
        return float(value)
    return value


def default_database_url(instance: Path) -> str:
    """Return the database an instance uses when DATABASE_URL is not set: SQLite in its folder."""
    return f"sqlite:///{instance / 'repository.db'}"


def load_settings(app: Flask, overrides: dict | None = None) -> None:
    """Fill app.config from defaults, instance/config.py, the environment and `overrides`."""
    app.config.from_mapping(DEFAULTS)
    app.config.from_pyfile("config.py", silent=True)
    for name, default in DEFAULTS.items():
        raw = os.environ.get(ENVIRONMENT_PREFIX + name)
        if raw is None and name == "DATABASE_URL":
            raw = os.environ.get("DATABASE_URL")
        if raw is not None:
            app.config[name] = _coerce(raw, default)
    if overrides:
        app.config.update(overrides)

    instance = Path(app.instance_path)
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = default_database_url(instance)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = _persistent_secret(instance / "secret_key")
    if app.config["SESSION_COOKIE_SECURE"] is None:
        app.config["SESSION_COOKIE_SECURE"] = not (app.debug or app.testing)
    app.config["MAX_CONTENT_LENGTH"] = int(app.config["MAX_UPLOAD_MB"]) * 2**20 + 2**16
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"


def _persistent_secret(path: Path) -> str:
    """Read the instance's secret key, creating it once so sessions survive restarts."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
