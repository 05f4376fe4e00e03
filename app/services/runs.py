"""Loading an instance's workflow, running it with our handlers, and saving it together
with the open-task table: the glue between the engine and the database."""
import re
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from flask import current_app
from sqlalchemy import delete, exists, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import joinedload, lazyload, undefer

from .. import handlers, logs
from ..clock import now
from ..engine import SERIALIZER_VERSION, EngineError, ScriptEngine, TaskFacts, WorkflowRun
from ..errors import Conflict, EngineFailure, ValidationFailed
from ..i18n import N_
from ..extensions import db
from ..models import OpenTask, ProcessInstance, TaskDraft, TaskRecord, User, UserRole
from ..workdays import DIAGRAM_FUNCTIONS, add_working_days
from . import deployments, escalations, loaners, notices, penalties, texts

# Held instances: out of the inbox, their timers wait, nothing runs until an admin acts.
HELD = ("error", "suspended")
TIMERS_CHANNEL = "timers"  # PostgreSQL NOTIFY: a timer was brought earlier (app/timer_runner.py listens)


def script_engine(instance: ProcessInstance, actor_id: int | None) -> ScriptEngine:
    def call_service(operation, params, data, task_name):
        diagram = deployments.facts(instance.version)
        context = handlers.HandlerContext(instance.id, actor_id, task_name, data, params, now(),
                                          tasks_due_by=diagram.due_by,
                                          assignee_field=lambda element: diagram.task(element).assignee_from,
                                          propose_penalty=penalties.propose_for_overdue,
                                          start_process=lambda key, start_data: _start_process(
                                              key, start_data, actor_id, instance.unit_id),
                                          render_report=_render_report,
                                          urge_holders=lambda names, note: escalations.urge(instance.id, actor_id,
                                                                                            names, note),
                                          hand_over=lambda names: escalations.hand_over(instance.id, actor_id, names),
                                          send_text=lambda recipient, body, callback_id=None: texts.queue(
                                              recipient, body, callback_id=callback_id, instance_id=instance.id),
                                          lend_loaner=lambda data: _lend_loaner(instance.id, actor_id, data),
                                          tell_case=lambda key, business_key, message, payload: _tell_case(
                                              key, business_key, message, payload, actor_id))
        try:
            return handlers.call(operation, context)
        except SQLAlchemyError:
            # The statement and its parameters go to the log, never into the answer.
            current_app.logger.exception("service task %s (%s) failed in the database", task_name, operation)
            raise handlers.HandlerError("the database refused the change") from None
    config = current_app.config
    return ScriptEngine(DIAGRAM_FUNCTIONS, call_service, config["SCRIPT_TIME_LIMIT"],
                        config["SCRIPT_MEMORY_LIMIT"], config["SCRIPT_WORKERS"])


def _start_process(key: str, data: dict, actor_id: int | None, unit_id: int | None) -> int:
    """A procedure started by a step of another: a case of the same organisation unit."""
    from .instances import start_internal  # instances -> runs: imported when a handler asks
    return start_internal(key, data, actor_id, unit_id).id


def _tell_case(key: str, business_key: str, message: str, payload: dict, actor_id: int | None) -> bool:
    """A message to the running case `business_key` of the procedure `key`, in this step's transaction:
    the event of that case waiting for it catches it and the case goes on (a step of its own: when its
    diagram fails there, that case is held in error with the message to replay, and this step goes on).
    False when no such case waits for it (none, finished, held, or not there yet)."""
    found = db.session.scalar(select(ProcessInstance.id).where(
        ProcessInstance.process_key == key, ProcessInstance.business_key == business_key,
        ProcessInstance.status.in_(("running", "waiting"))).limit(1))
    if found is None:
        return False
    instance = lock_instance(found)
    run = load(instance, actor_id)
    if not run.waits_for(message):
        return False
    return step(instance, run, {"kind": "message", "message": message, "payload": payload})


def _lend_loaner(instance_id: int, actor_id: int | None, data: dict) -> int:
    """A spare unit lent by a step: bad data refuses the completed task's answers, naming the field."""
    try:
        return loaners.lend_for_case(instance_id, actor_id, data)
    except ValidationFailed as err:
        field, reasons = next(iter(err.fields.items()))
        raise handlers.HandlerRefusal(field, reasons[0] if isinstance(reasons, list) else reasons) from None


def _render_report(month: str) -> dict:
    from .monthly_reports import render_all  # monthly_reports -> instances -> runs: imported when asked
    return render_all(month)


@dataclass
class Known:
    """What a step's caller read of the instance under its lock, so that save() asks nothing
    again: its open-task rows, whether drafts of its tasks are kept, and whether anybody takes
    task notices (when not, no one is looked up for the tasks that arrive)."""
    open_tasks: list[OpenTask]
    drafts: bool = True
    notices: bool = True


def _locked(where):
    """The instance rows `where` picks, locked until the transaction ends (PostgreSQL FOR UPDATE;
    SQLite writers are serialised by BEGIN IMMEDIATE, see db_session.py), read afresh with what a
    step needs in the same statement: the state, the version's id and digest (its spec and facts are
    cached by them), whether drafts of its tasks are kept and whether anybody takes notices."""
    has_drafts = exists().where(TaskDraft.instance_id == ProcessInstance.id).label("drafts")
    return (select(ProcessInstance, has_drafts, notices.anyone_listens().label("notices")).where(where)
            .options(undefer(ProcessInstance.state), joinedload(ProcessInstance.version, innerjoin=True))
            .with_for_update(of=ProcessInstance).execution_options(populate_existing=True))


def lock_instance(instance_id: int) -> ProcessInstance:
    """The instance row, locked until the transaction ends, with its state and version."""
    row = db.session.execute(_locked(ProcessInstance.id == instance_id)).first()
    if row is None:
        raise Conflict(N_("the instance no longer exists"))
    return row.ProcessInstance


def lock_task_instance(task_id: str) -> tuple[ProcessInstance | None, Known | None]:
    """The instance of the open task `task_id`, locked, and what is known of it (its open tasks
    read after the lock, so that no earlier holder's change is missed): all that completing the
    task reads, in two statements. (None, None) when there is no such open task."""
    of_task = select(OpenTask.instance_id).where(OpenTask.id == task_id).scalar_subquery()
    row = db.session.execute(_locked(ProcessInstance.id == of_task)).first()
    if row is None:
        return None, None
    # Who holds a task is its claimed_by_id: the person (and her roles) is not read with it.
    tasks = list(db.session.scalars(select(OpenTask).where(OpenTask.instance_id == row.ProcessInstance.id)
                                    .options(lazyload(OpenTask.claimed_by)).execution_options(populate_existing=True)))
    return row.ProcessInstance, Known(tasks, row.drafts, row.notices)


def load(instance: ProcessInstance, actor_id: int | None) -> WorkflowRun:
    logs.bind(instance_id=instance.id)  # every log line from here on names the instance
    if instance.serializer_version != SERIALIZER_VERSION:
        raise EngineFailure(N_("instance %(id)s was saved by serializer %(serializer)s; migrate it before running",
                               id=instance.id, serializer=instance.serializer_version))
    return WorkflowRun.load(deployments.spec(instance.version), instance.state, script_engine(instance, actor_id))


def step(instance: ProcessInstance, run: WorkflowRun, action: dict, known: Known | None = None) -> bool:
    """Take one step of `instance` inside a savepoint: `action` on the loaded `run`, the
    records the handlers write, the history and save(). When a diagram or handler fails,
    everything of the step is rolled back to the savepoint and the instance is held in
    error with `action`, what a retry replays; False then. The caller's transaction goes on.
    `known`: as save() takes it."""
    try:
        with db.session.begin_nested():
            perform(instance, run, action, known)
    except EngineError as err:
        refusal = _refusal(err)
        if refusal is not None:  # the answers cannot be taken: refused, nothing of the step kept
            raise ValidationFailed(N_("the answers cannot be taken"), {refusal.field: [refusal.message]}) from None
        hold_in_error(instance, err.element_id, str(err), action)
        return False
    return True


def _refusal(err: BaseException) -> "handlers.HandlerRefusal | None":
    """The handler's refusal of the completed task's answers behind an engine error, if that is what it was."""
    seen, hops = err, 0
    while seen is not None and hops < 20:
        if isinstance(seen, handlers.HandlerRefusal):
            return seen
        seen = getattr(seen, "cause", None) or seen.__cause__ or seen.__context__
        hops += 1
    return None


def perform(instance: ProcessInstance, run: WorkflowRun, action: dict, known: Known | None = None) -> None:
    """`action` on `run`, then save: {"kind": "start"} runs a workflow made by WorkflowRun.create,
    {"kind": "complete", "task_id", "task_name", "form_key", "lane", "answers", "actor_id"}
    completes a task, {"kind": "message", "message", "payload"} delivers another case's message to the
    event waiting for it, {"kind": "timers"} fires the due timers. Raises EngineError. The handlers'
    changes stay in the session until save() flushes them with the instance (one UPDATE a row)."""
    with db.session.no_autoflush:
        _act(run, action)
    if action["kind"] == "complete":
        record_completion(instance, action["task_id"], action["task_name"], action["form_key"], action["lane"],
                          action["actor_id"], action["answers"])
    save(instance, run, known)


def _act(run: WorkflowRun, action: dict) -> None:
    if action["kind"] == "start":
        run.run()
    elif action["kind"] == "complete":
        run.complete(action["task_id"], action["answers"])
    elif action["kind"] == "message":
        run.deliver(action["message"], action["payload"])
    else:
        run.fire_due_timers()


def hold_in_error(instance: ProcessInstance, element_id: str | None, message: str, action: dict) -> None:
    """Mark the instance in error (where, why, since when, what to replay); its tasks leave the inbox."""
    instance.status, instance.error_element_id, instance.error_at = "error", element_id, now()
    instance.error_message, instance.pending_action = plain_message(message), action
    db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id))
    db.session.flush()
    current_app.logger.error("instance %s in error at element %s: %s", instance.id, element_id, message)


def release(instance: ProcessInstance) -> None:
    """Out of error or suspension; the save() that follows gives back its status and open tasks."""
    instance.status = "running"
    instance.error_element_id = instance.error_message = instance.error_at = instance.pending_action = None


def plain_message(message: str) -> str:
    """An error's first line, without file paths, short enough for a list: what an admin reads."""
    line = next((part.strip() for part in str(message).splitlines() if part.strip()), "") or "the step failed"
    line = re.sub(r"(?:[A-Za-z]:)?(?:[\\/][\w.-]+){2,}", "…", line)
    return line[:500]


def held_instance(task_id: str) -> ProcessInstance | None:
    """The held instance a task of which has `task_id` (its open-task row is gone while held)."""
    try:
        UUID(task_id)
    except ValueError:
        return None
    return db.session.scalar(select(ProcessInstance).where(ProcessInstance.status.in_(HELD),
                                                           ProcessInstance.state.contains(task_id, autoescape=True))
                             .limit(1))


def engine_step(call, *args):
    """Run one engine call outside the held-in-error steps (moving an instance to another
    version); a failing diagram or handler rolls the whole action back."""
    try:
        return call(*args)
    except EngineError as err:
        current_app.logger.warning("engine error at element %s: %s", err.element_id or "-", err)
        raise EngineFailure(N_("the procedure could not go on at element '%(element)s': %(reason)s",
                               element=err.element_id or "-", reason=str(err))) from None


def _due_at(task: TaskFacts, data: dict, opened_at: datetime) -> datetime | None:
    """A task's due time, as its diagram element says: a number of working days after it opens
    (due_days), or a time from its case's data (due_from); None for a task without a deadline."""
    if task.due_days:
        return add_working_days(opened_at, task.due_days)
    if not task.due_from:
        return None
    value = _value_at(data, task.due_from)
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _value_at(data: dict, path: str):
    """What the task data holds under a dotted path ("deadlines.handling"), or None."""
    value = data
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _assign_arrived(arrived: list[OpenTask], views: dict, diagram, opened_at: datetime) -> None:
    """Tasks whose element names an `assignee_from` field open held by the person the case names
    there (the responsible person), if that person is active and holds the task's role; otherwise
    they open in the role's inbox like any other, and the log says why."""
    wanted = {}
    for task in arrived:
        path = diagram.task(task.task_name).assignee_from
        username = _value_at(views[task.id].data, path) if path else None
        if isinstance(username, str) and username:
            wanted[task] = username
    if not wanted:
        return
    # who of them holds which of the tasks' roles, in one statement
    holders = {(username, role): person_id for person_id, username, role in db.session.execute(
        select(User.id, User.username, UserRole.role).join(UserRole, UserRole.user_id == User.id)
        .where(User.username.in_(set(wanted.values())), User.active.is_(True),
               UserRole.role.in_({task.lane for task in wanted})))}
    for task, username in wanted.items():
        person_id = holders.get((username, task.lane))
        if person_id is None:
            current_app.logger.warning("task %s opens unassigned: %r is no active holder of %s",
                                       task.task_name, username, task.lane)
            continue
        task.claimed_by_id, task.claimed_at = person_id, opened_at


def _wake_timer_runners(before: datetime | None, after: datetime | None) -> None:
    """A save set an instance's timer earlier than it was: wake the sleeping timer runners
    (PostgreSQL delivers the notice when this transaction commits, never before)."""
    if after is None or (before is not None and after >= before):
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_notify(:channel, '')"), {"channel": TIMERS_CHANNEL})


def save(instance: ProcessInstance, run: WorkflowRun, known: Known | None = None) -> None:
    """Store the workflow and bring the open-task table in line with it (none while held).
    `known`: what the caller read of the instance under its lock; None: its open tasks are read here."""
    instance.state = run.dump()
    instance.serializer_version = SERIALIZER_VERSION
    if instance.status not in HELD:
        instance.status = run.status
    timer_before, instance.next_timer_at = instance.next_timer_at, run.next_timer_at
    instance.data = run.data
    ready = {} if instance.status in HELD else {view.id: view for view in run.ready_user_tasks()}
    if known is None:
        known = Known([], drafts=True)
        listed = set(db.session.scalars(select(OpenTask.id).where(OpenTask.instance_id == instance.id)))
    else:
        listed = {task.id for task in known.open_tasks}
    gone = sorted(listed - set(ready))
    if gone:
        db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id, OpenTask.id.in_(gone)))
    # A task gone (completed, cancelled) takes its drafts; a held one keeps them.
    if known.drafts and instance.status not in HELD:
        db.session.execute(delete(TaskDraft).where(TaskDraft.instance_id == instance.id,
                                                   TaskDraft.task_id.not_in(list(ready) or [""])))
    opened_at, diagram = now(), deployments.facts(instance.version)
    arrived = [OpenTask(id=view.id, instance_id=instance.id, process_key=instance.process_key,
                        business_key=instance.business_key, task_name=view.element_id,
                        form_key=view.form_key or "", lane=view.lane or "", unit_id=instance.unit_id, created_at=opened_at,
                        due_at=_due_at(diagram.task(view.element_id), view.data, opened_at))
               for view in ready.values() if view.id not in listed]
    _assign_arrived(arrived, ready, diagram, opened_at)
    db.session.add_all(arrived)
    notices.queue_for(instance, arrived, known.notices)  # the outbox, in this transaction; sent after the commit
    db.session.flush()
    _wake_timer_runners(timer_before, instance.next_timer_at)  # after the flush: the row gets one UPDATE


def record_completion(instance: ProcessInstance, task_id: str, task_name: str, form_key: str, lane: str,
                      actor_id: int | None, data: dict) -> None:
    db.session.add(TaskRecord(instance_id=instance.id, task_id=task_id, task_name=task_name, form_key=form_key,
                              lane=lane, completed_by_id=actor_id, completed_at=now(), data=data))
