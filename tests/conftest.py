"""Fixtures shared by every test: an application on a temporary instance folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from repository import create_app
from repository.commands.database import prepare_database
from repository.follower import IndexFollower
from tests import databases


def pytest_addoption(parser) -> None:
    parser.addoption("--database", choices=("sqlite", "postgresql"), default="sqlite",
                     help="run the suite on SQLite files (default) or on a throwaway PostgreSQL cluster")


def pytest_configure(config) -> None:
    config.addinivalue_line("markers", "sqlite_only(reason): meaningful on SQLite alone; the reason says why")
    config.addinivalue_line("markers", "postgresql_only(reason): meaningful on PostgreSQL alone")


def pytest_collection_modifyitems(config, items) -> None:
    backend = config.getoption("--database")
    other = "postgresql_only" if backend == "sqlite" else "sqlite_only"
    for item in items:
        marker = item.get_closest_marker(other)
        if marker is not None:
            item.add_marker(pytest.mark.skip(reason=f"not on {backend}: {marker.args[0]}"))


@pytest.fixture(scope="session", autouse=True)
def database_backend(request):
    """Run every app of the session on the chosen database (see tests/databases.py)."""
    if request.config.getoption("--database") != "postgresql":
        yield "sqlite"
        return
    from repository import config

    cluster = databases.PostgresCluster()
    cluster.start()
    try:
        databases.current = databases.Databases(cluster)
        databases.current.prepare_template()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(config, "default_database_url", databases.current.url_for)
            yield "postgresql"
    finally:
        databases.current = None
        cluster.stop()


@pytest.fixture(autouse=True)
def _drop_test_databases(tmp_path: Path):
    """Drop the PostgreSQL databases a test's instance folders had (nothing to do on SQLite)."""
    yield
    if databases.current is not None:
        databases.current.drop_below(tmp_path)


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
