"""The outbox both senders share: task notices (app/services/notices.py) and text messages to
customers (app/services/texts.py). A row is written in the transaction that decided it and sent
after that commit by `deliver_due`: oldest due first, each row in its own transaction, a failed
attempt retried after a wait that doubles, the row given up after a number of attempts. Several
senders may run at once on PostgreSQL: each row goes to one of them (FOR UPDATE SKIP LOCKED).

A table fits when it has `id`, `attempts`, `next_attempt_at` (set while the row waits: when the
next attempt is due), `sent_at` and `last_error`."""
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from ..clock import now
from ..extensions import db

log = logging.getLogger(__name__)


def deliver_due(model: type, send: Callable[[Any], None], *, retry_seconds: float, max_attempts: int,
                limit: int, where: tuple = (), failure: type[Exception] = Exception,
                reason: Callable[[Exception], str] = str,
                mark: Callable[[Any, str], None] = lambda row, outcome: None) -> tuple[int, int]:
    """Send the due rows of `model` (and `where`), each in its own transaction; returns (sent,
    failed attempts). `send(row)` makes one attempt: raising `failure`, the attempt failed and
    `reason(err)` is kept as the row's `last_error` (any other exception is a bug and goes up).
    `mark(row, outcome)` notes what the table keeps beyond the common columns, outcome being
    "sent", "retry" or "given_up"."""
    sent = failed = 0
    done: set[int] = set()
    for _ in range(limit):
        row = _next_due(model, where, done)
        if row is None:
            db.session.rollback()
            break
        done.add(row.id)
        row.attempts += 1
        try:
            send(row)
        except failure as err:
            failed += 1
            row.last_error = reason(err)
            if row.attempts >= max_attempts:
                row.next_attempt_at = None
                mark(row, "given_up")
                log.error("%s %s given up after %s attempt(s): %s", model.__tablename__, row.id, row.attempts,
                          row.last_error)
            else:
                wait = retry_seconds * 2 ** (row.attempts - 1)
                row.next_attempt_at = now() + timedelta(seconds=wait)
                mark(row, "retry")
                log.warning("%s %s failed (attempt %s), retrying in %s s: %s", model.__tablename__, row.id,
                            row.attempts, wait, row.last_error)
        else:
            sent += 1
            row.sent_at, row.next_attempt_at, row.last_error = now(), None, None
            mark(row, "sent")
        db.session.commit()
    return sent, failed


def _next_due(model: type, where: tuple, done: set[int]):
    query = (select(model).where(model.next_attempt_at <= now(), model.id.not_in(done or [0]), *where)
             .order_by(model.next_attempt_at, model.id).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)  # several senders: each row to one of them
    return db.session.scalar(query.execution_options(populate_existing=True))
