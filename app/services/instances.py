"""Starting, reading and cancelling procedure instances."""
from sqlalchemy import delete, select

from .. import forms
from ..engine import WorkflowRun
from ..errors import Conflict, Forbidden, NotFound, ValidationFailed
from ..extensions import db
from ..models import OpenTask, ProcessInstance, TaskRecord, User
from . import runs
from .deployments import latest_version


def may_start(user: User, version) -> bool:
    return user.has_role("admin") or (version.start_lane is not None and user.has_role(version.start_lane))


def start(user: User, key: str, data) -> ProcessInstance:
    version = latest_version(key)
    if not may_start(user, version):
        raise Forbidden(f"only the role '{version.start_lane}' may start '{key}'")
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
    if not may_read(user, instance):
        raise Forbidden("none of your roles works on this case")
    return instance


def may_read(user: User, instance: ProcessInstance) -> bool:
    if user.has_role("admin") or instance.started_by_id == user.id:
        return True
    roles = list(user.roles)
    return bool(db.session.scalar(select(OpenTask.id).where(
        OpenTask.instance_id == instance.id, OpenTask.lane.in_(roles)).limit(1))) or bool(
        db.session.scalar(select(TaskRecord.id).where(
            TaskRecord.instance_id == instance.id, TaskRecord.lane.in_(roles)).limit(1)))


def history(instance: ProcessInstance) -> list[TaskRecord]:
    return list(db.session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance.id)
                                   .order_by(TaskRecord.completed_at, TaskRecord.id)))


def open_tasks(instance: ProcessInstance) -> list[OpenTask]:
    return list(db.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                                   .order_by(OpenTask.created_at)))


def cancel(user: User, instance_id: int, reason: str) -> ProcessInstance:
    if not user.has_role("admin"):
        raise Forbidden("only an admin may cancel an instance")
    if not (reason or "").strip():
        raise ValidationFailed("give a reason", {"reason": ["a reason is required"]})
    instance = runs.lock_instance(instance_id)
    if instance.status in ("completed", "cancelled"):
        raise Conflict(f"the instance is already {instance.status}")
    instance.status, instance.cancel_reason, instance.next_timer_at = "cancelled", reason.strip(), None
    db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id))
    return instance
