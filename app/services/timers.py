"""Firing due timers: the instances whose next timer is due, each in its own transaction.
Several runners may run at once: PostgreSQL hands each due row to one of them (SKIP LOCKED)."""
import logging

from sqlalchemy import select

from ..clock import now
from ..errors import ServiceError
from ..extensions import db
from ..models import ProcessInstance
from . import runs

log = logging.getLogger(__name__)


def _next_due(done: set[int]):
    query = (select(ProcessInstance).where(ProcessInstance.next_timer_at <= now(),
                                           ProcessInstance.status.in_(("running", "waiting")),
                                           ProcessInstance.id.not_in(done or [0]))
             .order_by(ProcessInstance.next_timer_at).limit(1))
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query.execution_options(populate_existing=True))


def fire_due(limit: int = 1000) -> int:
    """Fire what is due now; returns how many instances moved on. Commits per instance; an
    instance whose step fails is held in error, and the pass goes on with the next one."""
    fired, done = 0, set()
    for _ in range(limit):
        instance = _next_due(done)
        if instance is None:
            db.session.rollback()
            break
        instance_id = instance.id
        done.add(instance_id)  # once per pass: a timer still due after firing waits for the next pass
        try:
            moved_on = runs.step(instance, runs.load(instance, None), {"kind": "timers"})
            db.session.commit()
        except Exception as err:  # whatever one instance does, the others' timers still fire
            db.session.rollback()
            log.exception("timer of instance %s failed", instance_id)
            _hold(instance_id, err)
            continue
        fired += moved_on
    return fired


def _hold(instance_id: int, err: Exception) -> None:
    """Hold an instance whose timer failed outside the engine (its state and timer stay as they were)."""
    reason = err.message if isinstance(err, ServiceError) else "the timer could not fire: see the service log"
    try:
        runs.hold_in_error(runs.lock_instance(instance_id), None, reason, {"kind": "timers"})
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("instance %s could not be marked in error", instance_id)
