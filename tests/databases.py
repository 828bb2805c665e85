"""The database the suite runs on: SQLite files, or a throwaway PostgreSQL cluster on loopback.

`pytest --database=postgresql` starts a cluster of Debian's PostgreSQL in a temporary folder on
a free port of 127.0.0.1 (as the `postgres` user when the tests run as root, since initdb
refuses root), builds one template database with the schema and the seed themes, and gives
every instance folder a database of its own, cloned from the template. A test's databases are
dropped when it ends; the cluster is stopped and deleted when the run ends.
"""

from __future__ import annotations

import gc
import glob
import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TEMPLATE = "repository_template"


def _server_bin(name: str) -> str:
    """Return the path of a PostgreSQL server program (Debian keeps them out of PATH)."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.access(os.path.join(folder, name), os.X_OK):
            return os.path.join(folder, name)
    found = shutil.which(name)
    if found:
        return found
    raise RuntimeError(f"PostgreSQL's {name} is not installed: run `make test` (it installs the Debian package "
                       "`postgresql`) or `apt-get install -y postgresql`")


class PostgresCluster:
    """A PostgreSQL server of its own, in a temporary folder, listening on loopback only."""

    def __init__(self) -> None:
        from tests.serving import free_port

        self.folder = Path(tempfile.mkdtemp(prefix="repository-pg-"))
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, text=True)

    def start(self) -> None:
        """Create the cluster and start its server (fsync off: nothing here must survive a crash)."""
        self._run(_server_bin("initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--no-sync")
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(_server_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
                  "-w", "start")

    def stop(self) -> None:
        """Stop the server and delete its folder."""
        try:
            self._run(_server_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        """Return the SQLAlchemy URL of one database of this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        """Run one statement outside a transaction (CREATE and DROP DATABASE need that)."""
        import psycopg

        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(statement)


class Databases:
    """Hands each instance folder its own database and drops a test's databases after it."""

    def __init__(self, cluster: PostgresCluster):
        self.cluster = cluster
        self.created: dict[str, Path] = {}  # database name -> the instance folder it belongs to

    def prepare_template(self) -> None:
        """Build the template every database is cloned from: the schema and the seed themes."""
        from sqlalchemy import create_engine

        from repository.db import make_session_factory, transaction, upgrade_schema
        from repository.services.synonyms import seed_synonyms
        from repository.services.taxonomy import seed_themes

        self.cluster.execute(f"CREATE DATABASE {TEMPLATE}")
        engine = create_engine(self.cluster.url(TEMPLATE))
        try:
            upgrade_schema(engine)
            with transaction(make_session_factory(engine)) as session:
                seed_themes(session)
                seed_synonyms(session)
        finally:
            engine.dispose()

    def url_for(self, instance: Path, *, empty: bool = False) -> str:
        """Return the URL of the instance's database, made the first time from the template (or empty)."""
        instance = Path(instance).resolve()
        name = "i_" + hashlib.sha1(str(instance).encode()).hexdigest()[:20]
        if name not in self.created:
            self.cluster.execute(f"CREATE DATABASE {name} TEMPLATE {'template0' if empty else TEMPLATE}")
            self.created[name] = instance
        return self.cluster.url(name)

    def drop_below(self, folder: Path) -> None:
        """Drop the databases of instance folders under `folder` (a finished test's tmp_path)."""
        # Engines the test dropped must close their connections while the database is there:
        # a pooled connection finalised later, inside whatever code the collector interrupts,
        # fails to roll back on a dropped database (once inside Python's compiler: SystemError).
        gc.collect()
        folder = Path(folder).resolve()
        for name, instance in list(self.created.items()):
            if instance.is_relative_to(folder):
                self.cluster.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                del self.created[name]


# The run's Databases when it runs on PostgreSQL (set up by tests/conftest.py), else None.
current: Databases | None = None


def url_for(instance: Path, *, empty: bool = False) -> str | None:
    """Return the database URL a process for this instance must be given (None on SQLite).

    `empty`: a database with no tables at all, as before `init-db` (a new SQLite file is one).
    """
    return current.url_for(instance, empty=empty) if current is not None else None
