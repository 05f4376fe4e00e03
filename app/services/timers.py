"""Finding and firing due timers; the timer runner (app/timer_runner.py) ends the transactions,
one per instance. Several runners may run at once: PostgreSQL hands each due row to one of them
(SKIP LOCKED)."""
from datetime import datetime

from sqlalchemy import select

from ..clock import now
from ..errors import ServiceError
from ..extensions import db
from ..models import ProcessInstance
from . import runs

WAITING = ("running", "waiting")


def _waiting():
    """The instance waits (running or waiting), written for the timer column's index to be used:
    SQLite, which keeps no statistics, would otherwise pick the status index and read and sort
    every waiting instance (a pass then costs more as more cases wait); `status || ''` is the
    same value without that index, so it reads the timer index in time order and stops early."""
    status = ProcessInstance.status
    if db.session.get_bind().dialect.name == "sqlite":
        status = status.concat("")
    return status.in_(WAITING)


def next_due(done: set[int]) -> ProcessInstance | None:
    """The instance whose timer is due longest, not yet fired in this pass, locked for this runner."""
    query = (select(ProcessInstance).where(ProcessInstance.next_timer_at <= now(), _waiting(),
                                           ProcessInstance.id.not_in(done or [0]))
             .order_by(ProcessInstance.next_timer_at).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query.execution_options(populate_existing=True))


def fire(instance: ProcessInstance) -> int:
    """Fire the instance's due timers: 1 if it moved on (an instance whose step fails is held in error)."""
    return runs.step(instance, runs.load(instance, None), {"kind": "timers"})


def hold(instance_id: int, err: Exception) -> None:
    """Hold an instance whose timer failed outside the engine (its state and timer stay as they were)."""
    reason = err.message if isinstance(err, ServiceError) else "the timer could not fire: see the service log"
    runs.hold_in_error(runs.lock_instance(instance_id), None, reason, {"kind": "timers"})


def earliest() -> datetime | None:
    """When the next timer of any waiting instance is due."""
    return db.session.scalar(select(ProcessInstance.next_timer_at)
                             .where(ProcessInstance.next_timer_at.is_not(None), _waiting())
                             .order_by(ProcessInstance.next_timer_at).limit(1))


def seconds_to_next(cap: float) -> float:
    """How long a runner may sleep: until the earliest timer, at most `cap` seconds."""
    due = earliest()
    if due is None:
        return cap
    return min(cap, max(0.0, (due - now()).total_seconds()))
