"""Starting, reading and cancelling procedure instances; the admins' hand on instances
held in error or suspended: listing, retrying, suspending and resuming them."""
from sqlalchemy import delete, func, select

from .. import forms, permissions
from ..engine import WorkflowRun
from ..errors import Conflict, EngineFailure, InstanceInError, NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_
from ..models import OpenTask, OrgUnit, ProcessInstance, TaskDraft, TaskRecord, User
from . import deployments, runs
from .deployments import latest_version


def may_start(user: User, version) -> bool:
    return permissions.can(user, "instances.start", version)


def start(user: User, key: str, data, unit=None) -> ProcessInstance:
    """A new case of the latest version, for the starter's organisation unit or, named by its code,
    one below it that the starter sees (the department takes a branch's complaint in)."""
    version = latest_version(key)
    permissions.require(user, "instances.start", version)
    return _start(version, data, user.id, unit_id=unit_for(user, unit))


def unit_for(user: User, code) -> int | None:
    if code in (None, ""):
        return user.unit_id
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) if isinstance(code, str) else None
    below = permissions.units_below(user, "instances.read")
    if unit is None or (below is not None and unit.id not in below):
        raise ValidationFailed(N_("bad unit"), {"unit": [N_("no organisation unit with this code that you may start a case for")]})
    return unit.id


def start_units(user: User) -> list[OrgUnit]:
    """The units `user` may start a case for: their own first, then the others they see."""
    below = permissions.units_below(user, "instances.read")
    query = select(OrgUnit).order_by(OrgUnit.id)
    if below is not None:
        query = query.where(OrgUnit.id.in_(below))
    return sorted(db.session.scalars(query), key=lambda unit: unit.id != user.unit_id)


def start_for(user: User, key: str, data, unit_id: int | None = None) -> ProcessInstance:
    """Start an instance for a user whose right to start it the caller checked by an action of its
    own (a register's intake that more roles than the start event's lane may use): the start form
    validates and a failing first step holds the case in error, as with start(). The case is of
    the user's unit, or of `unit_id` (the caller checked it with unit_for)."""
    return _start(latest_version(key), data, user.id, unit_id=unit_id if unit_id is not None else user.unit_id)


def start_internal(key: str, data, actor_id: int | None, unit_id: int | None = None) -> ProcessInstance:
    """Start an instance on behalf of the system: one procedure starting another (a shipped
    return starts a callback, a dissatisfied callback a complaint). No role check, since the
    person acting works in the procedure that starts it; the start form still validates, and
    it runs in the caller's step: a failure fails that step (the caller's instance is held in
    error), leaving neither instance behind. The new case is of the caller's unit (`unit_id`)."""
    return _start(latest_version(key), data, actor_id, internal=True, unit_id=unit_id)


def _start(version, data, actor_id: int | None, internal: bool = False, unit_id: int | None = None) -> ProcessInstance:
    """A new instance; when its first step fails, it exists in error (see runs.step)."""
    if version.start_form:
        clean = forms.validate(forms.of_version(version)[version.start_form], data)
    elif data:
        raise ValidationFailed(N_("this procedure takes no start data"), {"data": [N_("must be empty")]})
    else:
        clean = {}
    instance = ProcessInstance(version=version, process_key=version.process_key, status="running",
                               state="", serializer_version="", data={}, started_by_id=actor_id, unit_id=unit_id)
    db.session.add(instance)
    run = WorkflowRun.create(deployments.spec(version), clean, runs.script_engine(instance, actor_id))
    # The state before the engine ran (what a retry of a failed start runs) is inserted with the row:
    # the handlers need the instance's id. A new instance has no open tasks and no drafts.
    runs.save(instance, run, runs.Known([], drafts=False))
    runs.record_completion(instance, "", "start", version.start_form or "", version.start_lane or "",
                           actor_id, clean)
    action = {"kind": "start", "answers": clean, "actor_id": actor_id}
    if internal:
        runs.perform(instance, run, action, runs.Known([], drafts=False))
    else:
        runs.step(instance, run, action, runs.Known([], drafts=False))
    return instance


def get(user: User, instance_id: int) -> ProcessInstance:
    instance = db.session.get(ProcessInstance, instance_id)
    if instance is None or permissions.hidden(user, "instances.read", instance):
        raise NotFound(N_("no instance %(id)s", id=instance_id))  # another unit's is not shown to exist
    # Admins, the readers of the procedure's records, and whoever worked on the case.
    permissions.require(user, "instances.read", instance)
    return instance


def history(instance: ProcessInstance) -> list[TaskRecord]:
    return list(db.session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance.id)
                                   .order_by(TaskRecord.completed_at, TaskRecord.id)))


def diagram(instance: ProcessInstance) -> dict:
    """The diagram of the case's version with the elements it went through (`completed`), stands
    on (`current`: open tasks, waiting timers and messages) and stopped at (`error`). A state the
    engine cannot load (saved by an older serializer) still shows the tasks of the history."""
    version = instance.version
    name = f"{version.process_key}.bpmn"
    xml = version.files.get(name) or next(text for n, text in sorted(version.files.items()) if n.endswith(".bpmn"))
    try:
        completed, current = runs.load(instance, None).path()
    except EngineFailure:
        completed = list(dict.fromkeys(r.task_name for r in history(instance)))
        current = [t.task_name for t in open_tasks(instance)]
    if instance.status in ("completed", "cancelled"):
        current = []  # a cancelled case's ready tasks are nobody's work any more
    return {"xml": xml, "completed": completed, "current": current,
            "error": instance.error_element_id if instance.status == "error" else None}


def open_tasks(instance: ProcessInstance) -> list[OpenTask]:
    return list(db.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance.id)
                                   .order_by(OpenTask.created_at)))


def cancel(user: User, instance_id: int, reason: str) -> ProcessInstance:
    permissions.require(user, "instances.cancel")
    if not (reason or "").strip():
        raise ValidationFailed(N_("give a reason"), {"reason": [N_("a reason is required")]})
    return cancel_checked(runs.lock_instance(instance_id), reason)


def cancel_checked(instance: ProcessInstance, reason: str) -> ProcessInstance:
    """Cancel a locked instance for a caller that checked the right to (an admin, or the end of a
    visit plan): its open tasks and their drafts go, its timers never fire."""
    if instance.status in ("completed", "cancelled"):
        raise Conflict(N_("the instance is already %(status)s", status=instance.status))
    instance.status, instance.cancel_reason, instance.next_timer_at = "cancelled", reason.strip(), None
    instance.pending_action = None  # an instance in error keeps where and why, but nothing is replayed
    db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id))
    db.session.execute(delete(TaskDraft).where(TaskDraft.instance_id == instance.id))
    return instance


# ---------------------------------------------------------------- held instances (admins)

STATUSES = ("running", "waiting", "completed", "cancelled", "error", "suspended")


def list_instances(user: User, status=None, process_key=None, page=1, per_page=50):
    permissions.require(user, "instances.list")
    if status is not None and status not in STATUSES:
        raise ValidationFailed(N_("bad filters"), {"status": [N_("must be one of %(choices)s", choices=", ".join(STATUSES))]})
    query = select(ProcessInstance)
    if status:
        query = query.where(ProcessInstance.status == status)
    if process_key:
        query = query.where(ProcessInstance.process_key == process_key)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(ProcessInstance.updated_at.desc(), ProcessInstance.id.desc())
                              .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


def retry(user: User, instance_id: int) -> ProcessInstance:
    """Replay the failed step on the instance's current version (move it to a fixed version
    first). Failing again, it stays in error with the new reason: InstanceInError."""
    permissions.require(user, "instances.retry")
    instance = _locked(instance_id)
    if instance.status != "error":
        raise Conflict(N_("the instance is %(status)s: only an instance in error is retried", status=instance.status))
    action = instance.pending_action or {"kind": "timers"}  # marked by a timer run before actions were kept
    run = runs.load(instance, action.get("actor_id"))
    runs.record_completion(instance, "", "retry", "", "", user.id,
                           {"action": action["kind"], "element_id": instance.error_element_id,
                            "message": instance.error_message, "version": instance.version.version})
    runs.release(instance)
    if not runs.step(instance, run, action):
        raise InstanceInError(instance.error_element_id, instance.error_message,
                              N_("the retry failed at element '%(element)s' (%(reason)s): the instance stays in error",
                                 element=instance.error_element_id, reason=instance.error_message))
    return instance


def suspend(user: User, instance_id: int) -> ProcessInstance:
    """Pause an instance: its tasks leave the inbox and its timers wait until it is resumed."""
    permissions.require(user, "instances.suspend")
    instance = _locked(instance_id)
    if instance.status not in ("running", "waiting"):
        raise Conflict(N_("the instance is %(status)s: only a running or waiting instance is suspended", status=instance.status))
    instance.status = "suspended"
    db.session.execute(delete(OpenTask).where(OpenTask.instance_id == instance.id))
    runs.record_completion(instance, "", "suspend", "", "", user.id, {})
    db.session.flush()
    return instance


def resume(user: User, instance_id: int) -> ProcessInstance:
    """Its tasks come back; a timer that fell due meanwhile fires on the timer runner's next pass."""
    permissions.require(user, "instances.suspend")
    instance = _locked(instance_id)
    if instance.status != "suspended":
        raise Conflict(N_("the instance is %(status)s: only a suspended instance is resumed", status=instance.status))
    run = runs.load(instance, user.id)
    runs.release(instance)
    runs.record_completion(instance, "", "resume", "", "", user.id, {})
    runs.save(instance, run)
    return instance


def _locked(instance_id: int) -> ProcessInstance:
    if db.session.get(ProcessInstance, instance_id) is None:
        raise NotFound(N_("no instance %(id)s", id=instance_id))
    return runs.lock_instance(instance_id)
