"""Background jobs: work that must not hold a web request, such as reading a deposited file.

A job is a registered function and keyword arguments of plain data; it runs with the
application's context. Where it runs depends on the database:

- **PostgreSQL**: through procrastinate, a maintained job queue that keeps its jobs in the
  same database (no other server to run, jobs survive restarts, a worker that dies has its
  jobs retried). `flask --app repository worker` runs the jobs, on any machine that shares
  the database and FILES_DIR; several workers share the queue.
- **SQLite** (the embedded default, one machine): in a thread of the process that deferred
  the job, so `make run` needs nothing more. A job cut short by a restart is not resumed:
  what it was doing says so (an upload reports that reading it was interrupted).

Chosen over RQ, Celery and Dramatiq because those need Redis or RabbitMQ beside the
database; over Huey because procrastinate's workers wake on LISTEN/NOTIFY rather than
polling and keep their jobs in the database the repository already trusts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

log = logging.getLogger("repository.jobs")

QUEUE = "repository"
# name -> function(**kwargs), run inside an application context
TASKS: dict[str, Callable[..., None]] = {}


def task(function: Callable[..., None]) -> Callable[..., None]:
    """Register a job function under its name."""
    TASKS[function.__name__] = function
    return function


class ThreadJobs:
    """Runs each job in a background thread of this process, one at a time (SQLite)."""

    def __init__(self, app: Flask):
        self.app = app
        self._pool: ThreadPoolExecutor | None = None

    def defer(self, name: str, **kwargs) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="repository-job")
        self._pool.submit(self._run, name, kwargs)

    def _run(self, name: str, kwargs: dict) -> None:
        try:
            with self.app.app_context():
                TASKS[name](**kwargs)
        except Exception:
            log.exception("job %s%r failed", name, kwargs)

    def run_pending(self) -> None:
        """Return when every job deferred so far has finished."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None


class ProcrastinateJobs:
    """Defers jobs to procrastinate's queue in PostgreSQL; `run_worker` runs them (PostgreSQL)."""

    def __init__(self, app: Flask, url: str):
        import procrastinate
        from sqlalchemy.engine import make_url

        self.app = app
        address = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.queue = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=address))
        for name, function in TASKS.items():
            self.queue.task(name=name, queue=QUEUE, retry=procrastinate.RetryStrategy(max_attempts=3))(
                self._in_context(function))
        self._open = False

    def _in_context(self, function: Callable[..., None]) -> Callable[..., None]:
        def run(**kwargs) -> None:
            with self.app.app_context():
                function(**kwargs)

        run.__name__ = function.__name__
        return run

    def defer(self, name: str, **kwargs) -> None:
        import procrastinate

        if not self._open:  # opened on first use, after gunicorn has forked its workers
            self.queue.open()
            self._open = True
        try:
            self.queue.configure_task(name, queue=QUEUE).defer(**kwargs)
        except procrastinate.exceptions.AppNotOpen:
            # run_pending's worker closes the connector when it ends: open it again.
            self.queue.open()
            self.queue.configure_task(name, queue=QUEUE).defer(**kwargs)

    def run_pending(self) -> None:
        """Run the jobs waiting in the queue now, in this process, and return when it is empty."""
        self.queue.run_worker(queues=[QUEUE], wait=False, install_signal_handlers=False)

    def run_worker(self, *, concurrency: int = 1) -> None:
        """Run jobs until interrupted (SIGINT or SIGTERM)."""
        self.queue.run_worker(queues=[QUEUE], concurrency=concurrency)


def make_jobs(app: Flask) -> ThreadJobs | ProcrastinateJobs:
    """Return the job queue that suits the app's database."""
    url = app.config["DATABASE_URL"]
    if url.startswith("postgresql"):
        return ProcrastinateJobs(app, url)
    return ThreadJobs(app)
