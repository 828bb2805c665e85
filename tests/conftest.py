"""Fixtures shared by every test: an application on a temporary instance folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from repository import create_app
from repository.commands.database import prepare_database
from repository.follower import IndexFollower


@pytest.fixture
def instance_dir(tmp_path: Path) -> Path:
    """Return an empty instance folder for one test."""
    path = tmp_path / "instance"
    path.mkdir()
    return path


@pytest.fixture
def app(instance_dir: Path):
    """Return an application with a fresh SQLite database and an empty index."""
    application = create_app(
        {"TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False, "INDEX_LOCK_TIMEOUT": 5.0},
        instance_path=instance_dir,
    )
    with application.app_context():
        prepare_database()
    yield application
    application.extensions["repository"].engine.dispose()


@pytest.fixture
def client(app):
    """Return a test client of `app`."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Return a CLI runner bound to `app`."""
    return app.test_cli_runner()


def apply_changes(res) -> int:
    """Apply the change log to the index of `res` (an app's Resources), as the indexer service would."""
    return IndexFollower(res.sessions, res.index).catch_up()


@pytest.fixture
def res(app):
    """Return the app's Resources (database, index, files).

    No app context is held open: a test client's requests must each get their own `g`
    (database session, signed-in user), as they do in production.
    """
    return app.extensions["repository"]
