"""Overdue records (超时记录): a missed deadline is written against the person who held
the task (claimed it, or had it assigned as the responsible person; its role when nobody held
it); the third miss of one person in one calendar month raises a flag for the general manager.
Each record proposes a penalty to the penalty register (a role-only one proposes it without a
person). The escalation that follows a miss takes effect here too: urge the holder, extend the
deadline with a reason, or take the work over."""
from datetime import datetime

from sqlalchemy import select

from ..clock import local
from ..extensions import db
from ..i18n import N_
from ..models import Complaint, OpenTask, OverdueRecord, ProcessInstance, User
from . import HandlerContext, HandlerError, Parameter, handler
from .numbering import next_serial

FLAG_AT_MISS = 3


def record_miss(ctx: HandlerContext, task_names: set[str], deadline: datetime,
                fallback_role: str | None = None, fallback_task: str = "", fallback_person: User | None = None) -> dict:
    instance = db.session.get(ProcessInstance, ctx.instance_id)
    late = db.session.scalars(select(OpenTask).where(OpenTask.instance_id == ctx.instance_id,
                                                     OpenTask.task_name.in_(task_names))).first()
    if late is not None:
        person, role, task_name = late.claimed_by, late.lane, late.task_name
        named = ctx.data.get(ctx.assignee_field(task_name) or "")
        if person is None and isinstance(named, str) and named:
            # the task opens held by a named person (its assignee_from); unclaimed since (a manager
            # released it, or the person held no role then): the miss is still that person's
            person = db.session.scalar(select(User).where(User.username == named))
    else:
        # The task opened already past its deadline in this very step (a round that
        # inherits a passed deadline): nobody held it yet, so the role carries the miss. A clock
        # over the whole case (no task is due by it) is its named responsible person's.
        person, role, task_name = fallback_person, fallback_role or "", fallback_task
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


CLOCK = (Parameter("clock", "str", N_("the deadline the timer watches, a key of deadlines (\"handling\")")),)


def _late_tasks(ctx: HandlerContext, clock: str) -> frozenset[str]:
    """The tasks a clock watches (their due_from names deadlines.<clock>); for a clock over the
    whole case that no task is due by (a major complaint closed within 10 working days), the
    case's work that is due by any of its other clocks: what an urge reaches, what a take-over moves."""
    own = ctx.tasks_due_by(f"deadlines.{clock}")
    if own:
        return own
    return frozenset().union(*(ctx.tasks_due_by(f"deadlines.{other}") for other in ctx.data.get("deadlines") or {}))


def _clock_path(ctx: HandlerContext) -> str:
    clock = ctx.params.get("clock") or "handling"
    if not isinstance(clock, str) or clock not in (ctx.data.get("deadlines") or {}):
        raise HandlerError(f"the case has no deadline {clock!r}")
    return clock


@handler("complaints.record_overdue",
         summary=N_("Writes an overdue record against whoever held the task due by the clock"),
         returns=N_("the miss: person, role, month and whether it is the third this month"), parameters=CLOCK)
def record_complaint_overdue(ctx: HandlerContext) -> dict:
    """A deadline passed: recorded against whoever holds a task the diagram says is due by it
    (its `due_from` names deadlines.<clock>)."""
    clock = _clock_path(ctx)
    deadline = datetime.fromisoformat(ctx.data["deadlines"][clock])
    watched = ctx.tasks_due_by(f"deadlines.{clock}")
    # a clock over the whole case: the complaint's responsible person (named, or who handled it)
    person = None if watched else db.session.scalar(
        select(User).join(Complaint, Complaint.responsible_user_id == User.id).where(Complaint.instance_id == ctx.instance_id))
    missed = record_miss(ctx, watched, deadline, fallback_role=ctx.data.get("responsible_role"),
                         fallback_task=clock, fallback_person=person)
    return {**missed, "clock": clock}


@handler("complaints.extend_deadline",
         summary=N_("Extends the missed deadline to the time the escalation names, with its reason"),
         returns=N_("the deadlines, the clock's one moved"), parameters=CLOCK)
def extend_deadline(ctx: HandlerContext) -> dict:
    clock = _clock_path(ctx)
    until = ctx.data.get("extended_until")
    if not until:
        raise HandlerError("an extension needs its new time (extended_until)")
    until = datetime.fromisoformat(until) if isinstance(until, str) else until
    due = ctx.tasks_due_by(f"deadlines.{clock}")
    for task in db.session.scalars(select(OpenTask).where(OpenTask.instance_id == ctx.instance_id,
                                                          OpenTask.task_name.in_(due))):
        task.due_at = until  # the inbox shows the new time
    return {**ctx.data["deadlines"], clock: until.isoformat()}


@handler("complaints.urge",
         summary=N_("Urges whoever holds the late task (a notice, and a line on the case's timeline)"),
         returns=N_("how many people were told"), parameters=CLOCK)
def urge(ctx: HandlerContext) -> int:
    clock = _clock_path(ctx)
    notes = ctx.data.get("escalation_notes") or ""
    return len(ctx.capability("urge_holders")(_late_tasks(ctx, clock), notes))


@handler("complaints.take_over",
         summary=N_("Gives the late task to the manager who escalated, who then completes it"),
         returns=N_("the people who held the late task"), parameters=CLOCK)
def take_over(ctx: HandlerContext) -> list[str]:
    if ctx.actor_id is None:
        raise HandlerError("taking over needs the person who escalated")
    return ctx.capability("hand_over")(_late_tasks(ctx, _clock_path(ctx)))
