"""Overdue records (超时记录): a missed deadline is written against the person who held
the task (or its role when nobody had claimed it); the third miss of one person in one
calendar month raises a flag for the general manager. Each record proposes a penalty to the
penalty register (a role-only one proposes it without a person)."""
from datetime import datetime

from sqlalchemy import select

from ..clock import local
from ..extensions import db
from ..i18n import N_
from ..models import OpenTask, OverdueRecord, ProcessInstance
from . import HandlerContext, handler
from .numbering import next_serial

FLAG_AT_MISS = 3


def record_miss(ctx: HandlerContext, task_names: set[str], deadline: datetime,
                fallback_role: str | None = None, fallback_task: str = "") -> dict:
    instance = db.session.get(ProcessInstance, ctx.instance_id)
    late = db.session.scalars(select(OpenTask).where(OpenTask.instance_id == ctx.instance_id,
                                                     OpenTask.task_name.in_(task_names))).first()
    if late is not None:
        person, role, task_name = late.claimed_by, late.lane, late.task_name
    else:
        # The task opened already past its deadline in this very step (a round that
        # inherits a passed deadline): nobody held it yet, so the role carries the miss.
        person, role, task_name = None, fallback_role or "", fallback_task
    month = local(deadline).strftime("%Y-%m")
    # Counted on a counter row, not by counting records: two timer runners recording
    # misses of one person at once must not both see the same count.
    earlier = next_serial(f"overdue:{person.id}", month.replace("-", "")) - 1 if person is not None else 0
    record = OverdueRecord(month=month, person_id=person.id if person else None, role=role,
                           process_key=instance.process_key, instance_id=instance.id,
                           business_key=instance.business_key, task_name=task_name,
                           deadline_at=deadline, recorded_at=ctx.now, miss_in_month=earlier + 1)
    db.session.add(record)
    db.session.flush()
    ctx.propose_penalty(record)  # the register's missed-deadline proposal, in this same step
    return {"third_miss": person is not None and earlier + 1 == FLAG_AT_MISS,
            "person": person.username if person else None, "role": role, "month": month,
            "miss_in_month": earlier + 1}


@handler("complaints.record_overdue",
         summary=N_("Writes an overdue record against whoever held the task"),
         returns=N_("the miss: person, role, month and whether it is the third this month"))
def record_complaint_overdue(ctx: HandlerContext) -> dict:
    """The handling deadline passed: recorded against whoever holds a task the diagram says is due
    by it (due_from deadlines.handling)."""
    deadline = datetime.fromisoformat(ctx.data["deadlines"]["handling"])
    return record_miss(ctx, ctx.tasks_due_by("deadlines.handling"), deadline, fallback_role=ctx.data.get("responsible_role"),
                       fallback_task="department handling")
