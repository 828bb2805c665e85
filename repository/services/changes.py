"""The change log: what each node's search index must catch up with, written with the change.

A service that changes what search shows calls `record_change`. The entries are added
when the session commits (a `before_commit` hook), so they share the change's
transaction: the change and its entry are stored together or not at all. On PostgreSQL
the hook first takes a transaction-scoped advisory lock, so entries become visible in the
order of their numbers (a lower number can never appear after a higher one has been
read) and an indexer that has applied entry N has seen every entry before it; the lock
is taken last and held only for the commit, so it cannot deadlock with row locks. SQLite
lets one writer at a time commit, which gives the same order.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, event, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from ..models import ChangeLogState, IndexChange

_PENDING = "index_changes"
# Any fixed number will do: it names the log's lock among the database's advisory locks.
_LOG_LOCK = 4_311_960_011
# The channel an indexer LISTENs on to wake when entries commit (PostgreSQL).
NOTIFY_CHANNEL = "index_changes"


def record_change(session: Session, item_ids: Iterable[int], reason: str) -> None:
    """Log that these items' search entries must be brought in line; written when the session commits."""
    pending: dict[int, str] = session.info.setdefault(_PENDING, {})
    for item_id in item_ids:
        pending.setdefault(int(item_id), reason)


def _write_pending(session: Session) -> None:
    pending: dict[int, str] | None = session.info.pop(_PENDING, None)
    if not pending:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOG_LOCK})
    session.add_all(IndexChange(item_id=item_id, reason=reason) for item_id, reason in sorted(pending.items()))
    session.flush()
    if postgres:
        session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))  # delivered when the transaction commits


def _forget_pending(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: commit, rollback or close
        session.info.pop(_PENDING, None)


def install(factory: sessionmaker[Session]) -> None:
    """Make every session from `factory` write its recorded changes in the transaction that commits them."""
    event.listen(factory, "before_commit", _write_pending)
    event.listen(factory, "after_transaction_end", _forget_pending)


def log_state(session: Session) -> ChangeLogState:
    """Return the log's state row (made by the migration that created the log)."""
    state = session.get(ChangeLogState, 1)
    if state is None:
        raise LookupError("the change log has no state row: run `flask --app repository init-db`")
    return state


def latest_seq(session: Session) -> int:
    """Return the number of the newest entry (entries pruned away still count)."""
    newest = session.scalar(select(func.max(IndexChange.seq)))
    return max(newest or 0, log_state(session).pruned_through)


def changes_after(session: Session, seq: int, limit: int) -> list[tuple[int, int]]:
    """Return (seq, item id) of up to `limit` entries after `seq`, in order."""
    rows = session.execute(
        select(IndexChange.seq, IndexChange.item_id).where(IndexChange.seq > seq).order_by(IndexChange.seq).limit(limit)
    )
    return [(row.seq, row.item_id) for row in rows]


def items_changed_after(session: Session, seq: int) -> set[int]:
    """Return the ids of items with an entry after `seq`."""
    return set(session.scalars(select(IndexChange.item_id).where(IndexChange.seq > seq).distinct()))


def count_after(session: Session, seq: int) -> int:
    """Return how many entries come after `seq`."""
    return session.scalar(select(func.count()).select_from(IndexChange).where(IndexChange.seq > seq)) or 0


def prune(session: Session, older_than: datetime) -> int:
    """Delete entries written before `older_than`; return how many (an index behind them rebuilds)."""
    newest_old = session.scalar(select(func.max(IndexChange.seq)).where(IndexChange.created_at < older_than))
    if newest_old is None:
        return 0
    removed = session.execute(delete(IndexChange).where(IndexChange.seq <= newest_old)).rowcount
    state = log_state(session)
    state.pruned_through = max(state.pruned_through, newest_old)
    session.flush()
    return removed


class ChangeListener:
    """Waits for new entries: woken by PostgreSQL's NOTIFY, or simply by time on SQLite.

    `wait(seconds)` returns after at most that long, and as soon as a transaction that wrote
    entries commits when the database is PostgreSQL. The listening connection is the
    listener's own; when it breaks (a database restart), waiting falls back to time alone
    and the next wait reconnects, so no entry is missed: the follower reads the log itself
    and uses a notification only as a hint to read it now.
    """

    def __init__(self, url: str, stop):
        self.url = url
        self.stop = stop  # a threading.Event: waiting ends early when it is set
        self._connection = None

    @property
    def listening(self) -> bool:
        return self._connection is not None

    def _connect(self) -> None:
        import psycopg
        from sqlalchemy.engine import make_url

        address = make_url(self.url).set(drivername="postgresql").render_as_string(hide_password=False)
        connection = psycopg.connect(address, autocommit=True, connect_timeout=5)
        connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        self._connection = connection

    def wait(self, seconds: float) -> None:
        """Return after `seconds`, when entries were committed, or when stop is set, whichever is first."""
        if not self.url.startswith("postgresql"):
            self.stop.wait(seconds)
            return
        import psycopg

        try:
            if self._connection is None:
                self._connect()
            # Short slices, so that a stop request is seen within a quarter of a second.
            deadline = time.monotonic() + seconds
            while not self.stop.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                woken = list(self._connection.notifies(timeout=min(left, 0.25), stop_after=1))
                if woken:
                    self._drain()
                    return
        except psycopg.Error:
            self.close()
            self.stop.wait(seconds)

    def _drain(self) -> None:
        """Consume notifications already queued: one wake-up covers them all."""
        for _ in self._connection.notifies(timeout=0.01):  # (a timeout of 0 would mean none)
            pass

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.close()
            finally:
                self._connection = None
