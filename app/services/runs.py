"""Loading an instance's workflow, running it with our handlers, and saving it together
with the open-task table: the glue between the engine and the database."""
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, select

from .. import forms, handlers
from ..clock import now
from ..engine import SERIALIZER_VERSION, EngineError, ScriptEngine, WorkflowRun
from ..errors import Conflict, EngineFailure
from ..extensions import db
from ..models import OpenTask, ProcessInstance, TaskRecord
from ..workdays import DIAGRAM_FUNCTIONS


def script_engine(instance_id: int, actor_id: int | None) -> ScriptEngine:
    def call_service(operation, params, data, task_name):
        context = handlers.HandlerContext(instance_id, actor_id, task_name, data, params, now())
        return handlers.call(operation, context)
    config = current_app.config
    return ScriptEngine(DIAGRAM_FUNCTIONS, call_service, config["SCRIPT_TIME_LIMIT"],
                        config["SCRIPT_MEMORY_LIMIT"], config["SCRIPT_WORKERS"])


def lock_instance(instance_id: int) -> ProcessInstance:
    """The instance row, locked until the transaction ends (PostgreSQL FOR UPDATE;
    SQLite writers are serialised by BEGIN IMMEDIATE, see db_session.py)."""
    instance = db.session.scalar(select(ProcessInstance).where(ProcessInstance.id == instance_id)
                                 .with_for_update().execution_options(populate_existing=True))
    if instance is None:
        raise Conflict("the instance no longer exists")
    return instance


def load(instance: ProcessInstance, actor_id: int | None) -> WorkflowRun:
    if instance.serializer_version != SERIALIZER_VERSION:
        raise EngineFailure(f"instance {instance.id} was saved by serializer {instance.serializer_version}; "
                            f"migrate it before running")
    return WorkflowRun.load(instance.version.spec, instance.state, script_engine(instance.id, actor_id))


def engine_step(step, *args):
    """Run one engine call; a failing diagram or handler rolls the whole action back."""
    try:
        return step(*args)
    except EngineError as err:
        where = f" at element '{err.element_id}'" if err.element_id else ""
        current_app.logger.warning("engine error%s: %s", where, err)
        raise EngineFailure(f"the procedure could not go on{where}: {err}") from None


def _due_at(form_key: str | None, data: dict) -> datetime | None:
    form = forms.FORMS.get(form_key)
    if form is None or not form.due_from:
        return None
    value = data  # due_from is a dotted path into the task data: "deadlines.handling"
    for part in form.due_from.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def save(instance: ProcessInstance, run: WorkflowRun) -> None:
    """Store the workflow and bring the open-task table in line with it."""
    instance.state = run.dump()
    instance.serializer_version = SERIALIZER_VERSION
    instance.status = run.status
    instance.next_timer_at = run.next_timer_at
    instance.data = run.data
    ready = {view.id: view for view in run.ready_user_tasks()}
    db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id,
                                              OpenTask.id.not_in(list(ready) or [""])))
    known = set(db.session.scalars(select(OpenTask.id).where(OpenTask.instance_id == instance.id)))
    for view in ready.values():
        if view.id in known:
            continue
        db.session.add(OpenTask(id=view.id, instance_id=instance.id, process_key=instance.process_key,
                                business_key=instance.business_key, task_name=view.element_id,
                                form_key=view.form_key or "", lane=view.lane or "", created_at=now(),
                                due_at=_due_at(view.form_key, view.data)))
    db.session.flush()


def record_completion(instance: ProcessInstance, task_id: str, task_name: str, form_key: str, lane: str,
                      actor_id: int | None, data: dict) -> None:
    db.session.add(TaskRecord(instance_id=instance.id, task_id=task_id, task_name=task_name, form_key=form_key,
                              lane=lane, completed_by_id=actor_id, completed_at=now(), data=data))
