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
