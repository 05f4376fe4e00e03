"""Firing due timers: the instances whose next timer is due, each in its own transaction.
Several runners may run at once: PostgreSQL hands each due row to one of them (SKIP LOCKED)."""
import logging

from sqlalchemy import select

from ..clock import now
from ..errors import EngineFailure
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
    """Fire what is due now; returns how many instances moved on. Commits per instance."""
    fired, done = 0, set()
    for _ in range(limit):
        instance = _next_due(done)
        if instance is None:
            db.session.rollback()
            break
        instance_id = instance.id
        done.add(instance_id)  # once per pass: a timer still due after firing waits for the next pass
        try:
            run = runs.load(instance, None)
            runs.engine_step(run.fire_due_timers)
            runs.save(instance, run)
            db.session.commit()
            fired += 1
        except EngineFailure as err:
            db.session.rollback()
            log.error("timer of instance %s failed: %s", instance_id, err.message)
            failed = db.session.get(ProcessInstance, instance_id)
            failed.status = "error"  # its state and timer stay as they were, for an admin to look at
            db.session.commit()
    return fired
