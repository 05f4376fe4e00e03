"""Starting, reading and cancelling procedure instances."""
from sqlalchemy import delete, select

from .. import forms, permissions
from ..engine import WorkflowRun
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..models import OpenTask, ProcessInstance, TaskRecord, User
from . import runs
from .deployments import latest_version


def may_start(user: User, version) -> bool:
    return permissions.can(user, "instances.start", version)


def start(user: User, key: str, data) -> ProcessInstance:
    version = latest_version(key)
    permissions.require(user, "instances.start", version)
    return _start(version, data, user.id)


def start_internal(key: str, data, actor_id: int | None) -> ProcessInstance:
    """Start an instance on behalf of the system: one procedure starting another (a shipped
    return starts a callback, a dissatisfied callback a complaint). No role check, since the
    person acting works in the procedure that starts it; the start form still validates, and
    it runs in the caller's transaction, so a failure leaves neither instance behind."""
    return _start(latest_version(key), data, actor_id)


def _start(version, data, actor_id: int | None) -> ProcessInstance:
    if version.start_form:
        clean = forms.validate(version.start_form, data)
    elif data:
        raise ValidationFailed("this procedure takes no start data", {"data": ["must be empty"]})
    else:
        clean = {}
    instance = ProcessInstance(process_version_id=version.id, process_key=version.process_key, status="running",
                               state="", serializer_version="", data={}, started_by_id=actor_id)
    db.session.add(instance)
    db.session.flush()  # the handlers need the instance's id
    run = runs.engine_step(WorkflowRun.start, version.spec, clean, runs.script_engine(instance.id, actor_id))
    runs.record_completion(instance, "", "start", version.start_form or "", version.start_lane or "",
                           actor_id, clean)
    runs.save(instance, run)
    return instance


def get(user: User, instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None:
        raise NotFound(f"no instance {instance_id}")
    # Admins, the readers of the procedure's records, and whoever worked on the case.
    permissions.require(user, "instances.read", instance)
    return instance


def history(instance: ProcessInstance) -> list[TaskRecord]:
    return list(db.session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance.id)
                                   .order_by(TaskRecord.completed_at, TaskRecord.id)))


def open_tasks(instance: ProcessInstance) -> list[OpenTask]:
    return list(db.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                                   .order_by(OpenTask.created_at)))


def cancel(user: User, instance_id: int, reason: str) -> ProcessInstance:
    permissions.require(user, "instances.cancel")
    if not (reason or "").strip():
        raise ValidationFailed("give a reason", {"reason": ["a reason is required"]})
    instance = runs.lock_instance(instance_id)
    if instance.status in ("completed", "cancelled"):
        raise Conflict(f"the instance is already {instance.status}")
    instance.status, instance.cancel_reason, instance.next_timer_at = "cancelled", reason.strip(), None
    db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id))
    return instance
