"""The task inbox: the open tasks of a person's roles, claiming, and completing them."""
import json
import logging
from datetime import timezone

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import joinedload

from .. import forms, logs, permissions
from ..clock import now
from ..engine import TaskNotReady
from ..errors import Conflict, InstanceInError, InstanceSuspended, NotFound, ValidationFailed
from ..extensions import db
from ..i18n import N_, gettext
from ..models import OpenTask, ProcessInstance, ProcessVersion, TaskDraft, TaskRecord, User, UserRole
from . import paging, runs

log = logging.getLogger(__name__)


def form_of(task: OpenTask | TaskRecord) -> "forms.Form | None":
    """The form of an open or completed task, as its case's version declares it."""
    return forms.form_of(task.instance.version, task.form_key)


def task_item(task: OpenTask, lang: str) -> dict:
    form = form_of(task)
    return {"id": task.id, "instance_id": task.instance_id, "process_key": task.process_key,
            "business_key": task.business_key, "name": task.task_name,
            "title": form.title(lang) if form else task.task_name, "lane": task.lane,
            "claimed_by": task.claimed_by.username if task.claimed_by else None, "claimed_at": task.claimed_at,
            "created_at": task.created_at, "due_at": task.due_at,
            "overdue": bool(task.due_at and task.due_at < now())}


SORTS = {name: paging.Sort(name, keys) for name, keys in {
    "due": ((OpenTask.due_at, False), (OpenTask.created_at, False), (OpenTask.id, False)),
    "-due": ((OpenTask.due_at, True), (OpenTask.created_at, True), (OpenTask.id, True)),
    "created": ((OpenTask.created_at, False), (OpenTask.id, False)),
    "-created": ((OpenTask.created_at, True), (OpenTask.id, True)),
}.items()}


def _visible(user: User):
    """The tasks a person may work on: unclaimed in a lane of theirs of a case of the units they see
    (app/permissions.py: tasks.list), or claimed by them (also one given to them outside their lanes:
    a manager taking an overdue callback over)."""
    units = permissions.units_below(user, "tasks.list")
    in_lanes = and_(OpenTask.lane.in_(list(user.roles)), OpenTask.claimed_by_id.is_(None),
                    *(() if units is None else (OpenTask.unit_id.in_(units),)))
    return (or_(in_lanes, OpenTask.claimed_by_id == user.id),)


def summary(user: User) -> dict:
    """What the badge shows, in one cheap query: the inbox's count, how many are overdue, and
    when the newest arrived (a page that saw another value knows tasks arrived since)."""
    total, overdue, newest = db.session.execute(
        select(func.count(OpenTask.id), func.coalesce(func.sum(case((OpenTask.due_at < now(), 1), else_=0)), 0),
               func.max(OpenTask.created_at)).where(*_visible(user))).one()
    if newest is not None and newest.tzinfo is None:  # SQLite keeps no offset: an aggregate is not typed
        newest = newest.replace(tzinfo=timezone.utc)
    return {"open": total, "overdue": int(overdue), "newest": newest}


def record_item(record: TaskRecord, lang: str) -> dict:
    """A completed task as task_item shows an open one, with who completed it and when."""
    form = form_of(record)
    return {"id": record.task_id, "instance_id": record.instance_id, "business_key": record.instance.business_key,
            "name": record.task_name, "title": form.title(lang) if form else record.task_name, "lane": record.lane,
            "claimed_by": None, "claimed_at": None, "due_at": None, "overdue": False,
            "completed_by": record.completed_by.username if record.completed_by else "—",
            "completed_at": record.completed_at}


def filters_from(args) -> dict:
    """The inbox's filters and order from a query string's arguments (strings), checked."""
    problems = {}
    claimed = args.get("claimed") or None
    if claimed not in (None, "me", "none"):
        problems["claimed"] = [N_("must be 'me' or 'none'")]
    overdue = {None: None, "": None, "true": True, "false": False}.get(args.get("overdue"), "bad")
    if overdue == "bad":
        problems["overdue"] = [N_("must be 'true' or 'false'")]
    sort = args.get("sort") or "due"
    if sort not in SORTS:
        problems["sort"] = [N_("must be one of %(choices)s", choices=", ".join(SORTS))]
    if problems:
        raise ValidationFailed(N_("bad filters"), problems)
    return {"lane": args.get("lane") or None, "process_key": args.get("process_key") or None, "claimed": claimed,
            "overdue": overdue, "sort": sort}


def list_tasks(user: User, lane=None, process_key=None, claimed=None, overdue=None, sort="due", after=None,
               page=1, per_page=50) -> paging.Page:
    if sort not in SORTS:
        raise ValidationFailed(N_("bad sort"), {"sort": [N_("must be one of %(choices)s", choices=", ".join(SORTS))]})
    # Each task's title is its form's, of its case's version: the version's id and digest (what its
    # forms are cached by) joined in the same query, not the cases' data.
    query = select(OpenTask).where(*_visible(user)).options(
        joinedload(OpenTask.instance).load_only(ProcessInstance.id, ProcessInstance.process_version_id)
        .joinedload(ProcessInstance.version).load_only(ProcessVersion.id, ProcessVersion.sha256))
    if lane:
        query = query.where(OpenTask.lane == lane)
    if process_key:
        query = query.where(OpenTask.process_key == process_key)
    if claimed == "me":
        query = query.where(OpenTask.claimed_by_id == user.id)
    elif claimed == "none":
        query = query.where(OpenTask.claimed_by_id.is_(None))
    if overdue is True:
        query = query.where(OpenTask.due_at < now())
    elif overdue is False:
        query = query.where(or_(OpenTask.due_at.is_(None), OpenTask.due_at >= now()))
    # Each lane read on its own range of ix_open_tasks_lane_due/_created, in the sort's order: one
    # `lane IN (...)` would read every task of the person's lanes to sort them. A person seeing
    # only some units reads each lane of each unit on its own (ix_open_tasks_unit_lane_due/_created).
    lanes = [lane] if lane else sorted(user.roles)
    units = permissions.units_below(user, "tasks.list")
    parts = [OpenTask.lane == name for name in lanes] if units is None else \
        [and_(OpenTask.unit_id == unit, OpenTask.lane == name) for unit in units for name in lanes]
    parts = parts if len(parts) > 1 else None
    return paging.paginate(query, SORTS[sort], after=after, page=page, per_page=per_page, parts=parts)


def lane_counts(user: User) -> list[dict]:
    """Each of the person's lanes with its open and overdue tasks (one grouped count)."""
    overdue = func.count(case((OpenTask.due_at < now(), 1)))
    rows = db.session.execute(select(OpenTask.lane, func.count(), overdue).where(*_visible(user))
                              .group_by(OpenTask.lane))
    counted = {lane: (total, late) for lane, total, late in rows}
    return [{"lane": lane, "total": counted.get(lane, (0, 0))[0], "overdue": counted.get(lane, (0, 0))[1]}
            for lane in sorted(user.roles)]


def get_task(user: User, task_id: str, action: str = "tasks.read") -> OpenTask:
    task = db.session.get(OpenTask, task_id)
    if task is None:
        if db.session.scalar(select(TaskRecord.id).where(TaskRecord.task_id == task_id).limit(1)):
            raise Conflict(N_("the task was already completed"))
        held = runs.held_instance(task_id)
        if held is not None and held.status == "error":
            raise InstanceInError(held.error_element_id, held.error_message,
                                  N_("the case stopped at element '%(element)s' and waits for an admin",
                                     element=held.error_element_id))
        if held is not None:
            raise InstanceSuspended(N_("the case is suspended: its tasks wait until an admin resumes it"))
        raise NotFound(N_("no open task %(id)s", id=task_id))
    if permissions.hidden(user, action, task):
        raise NotFound(N_("no open task %(id)s", id=task_id))  # another unit's is not shown to exist
    permissions.require(user, action, task)
    return task


def claim(user: User, task_id: str) -> OpenTask:
    task = get_task(user, task_id, "tasks.claim")
    # One conditional UPDATE: of two people claiming at once exactly one gets it.
    db.session.execute(update(OpenTask).where(OpenTask.id == task_id, OpenTask.claimed_by_id.is_(None))
                       .values(claimed_by_id=user.id, claimed_at=now()))
    db.session.refresh(task)
    if task.claimed_by_id != user.id:
        raise Conflict(N_("the task is claimed by someone else"))
    return task


def unclaim(user: User, task_id: str) -> OpenTask:
    task = get_task(user, task_id, "tasks.claim")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict(N_("the task is claimed by someone else"))
    task.claimed_by, task.claimed_at = None, None
    db.session.flush()
    return task


def held_by_other(user: User, task: OpenTask) -> bool:
    return task.claimed_by_id not in (None, user.id)


def assignees(task: OpenTask) -> list[User]:
    """The active people holding the task's lane who see its case's unit: whom a manager may give it to."""
    return [person for person in db.session.scalars(select(User).join(UserRole).where(UserRole.role == task.lane,
                                                                                     User.active)
                                                    .order_by(User.username))
            if permissions.in_unit(person, "tasks.complete", task)]


def assign(user: User, task_id: str, username) -> OpenTask:
    """A manager gives the task to a person of its lane (tasks.reassign), whoever held it."""
    task = get_task(user, task_id, "tasks.reassign")
    target = db.session.scalar(select(User).where(User.username == username)) if isinstance(username, str) else None
    if target is None or not target.active:
        raise ValidationFailed(N_("the task cannot be given to this person"),
                               {"username": [gettext("no such active user")]})
    if task.lane not in target.roles:
        raise ValidationFailed(N_("the task cannot be given to this person"),
                               {"username": [gettext("does not hold the task's role")]})
    if not permissions.in_unit(target, "tasks.complete", task):
        raise ValidationFailed(N_("the task cannot be given to this person"),
                               {"username": [gettext("belongs to an organisation unit that does not see this case")]})
    previous = task.claimed_by.username if task.claimed_by else None
    task.claimed_by, task.claimed_at = target, now()
    db.session.flush()
    runs.record_completion(task.instance, "", "reassign", "", task.lane, user.id,
                           {"task": task.task_name, "previous": previous, "assigned_to": target.username})
    log.info("task %s reassigned from %s to %s", task.task_name, previous, target.username)
    return task


def complete(user: User, task_id: str, data) -> "ProcessInstance":  # noqa: F821
    """Complete an open task: its instance locked and read once (with its state, version and open
    tasks: runs.lock_task_instance), the answers checked, the engine run, everything saved."""
    logs.bind(task_id=task_id)
    instance, known = runs.lock_task_instance(task_id)
    task = next((t for t in known.open_tasks if t.id == task_id), None) if known else None
    if task is None:
        if instance is None:
            get_task(user, task_id, "tasks.complete")  # says why: completed, held, or no such task
        # Whoever held the lock before us completed it.
        raise Conflict(N_("the task was completed or claimed by someone else"))
    if permissions.hidden(user, "tasks.complete", task):
        raise NotFound(N_("no open task %(id)s", id=task_id))
    permissions.require(user, "tasks.complete", task)
    if task.claimed_by_id not in (None, user.id):
        raise Conflict(N_("the task is claimed by someone else"))
    clean = forms.validate(form_of(task), data, instance.data)
    run = runs.load(instance, user.id)
    action = {"kind": "complete", "task_id": task_id, "task_name": task.task_name, "form_key": task.form_key,
              "lane": task.lane, "answers": clean, "actor_id": user.id}
    try:
        moved_on = runs.step(instance, run, action, known)
    except TaskNotReady:
        raise Conflict(N_("the task is no longer ready")) from None
    if not moved_on:
        raise InstanceInError(instance.error_element_id, instance.error_message)
    log.info("task %s completed", task.task_name)
    return instance


def completed_record(user: User, task_id: str) -> TaskRecord | None:
    """The record of a task someone completed meanwhile (a refused submission shows it with what was typed)."""
    record = db.session.scalar(select(TaskRecord).where(TaskRecord.task_id == task_id)
                               .order_by(TaskRecord.id.desc()).limit(1))
    if record is not None and permissions.hidden(user, "tasks.read", record):
        return None
    if record is not None:
        permissions.require(user, "tasks.read", record)
    return record


# ----------------------------------------------------------------------------- drafts
DRAFT_MAX_CHARS = 64 * 1024  # the whole draft as JSON: a draft is typed text, not a file store


def get_draft(user: User, task: OpenTask) -> TaskDraft | None:
    return db.session.scalar(select(TaskDraft).where(TaskDraft.task_id == task.id, TaskDraft.user_id == user.id))


def _draft_value(value) -> bool:
    """A value a form field can hold while being typed: text, a number, yes/no, or lists/maps of those."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, list):
        return all(isinstance(item, (str, int, float, bool)) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and isinstance(v, (str, int, float, bool)) for k, v in value.items())
    return False


def save_draft(user: User, task_id: str, data) -> TaskDraft:
    """Keep what `user` typed so far, checked loosely: only the form's fields, values a field can
    hold, bounded in size; the full check comes on completing."""
    task = get_task(user, task_id, "tasks.complete")
    if held_by_other(user, task):
        raise Conflict(N_("the task is claimed by someone else"))
    if not isinstance(data, dict):
        raise ValidationFailed(N_("the draft must be an object"), {"data": [gettext("must be a JSON object")]})
    form = form_of(task)
    known = form.schema().fields if form is not None else {}
    problems = {name: [gettext("not a field of this form")] for name in data if name not in known}
    problems.update({name: [gettext("not a value this field can hold")]
                     for name, value in data.items() if name in known and not _draft_value(value)})
    if not problems and len(json.dumps(data, ensure_ascii=False)) > DRAFT_MAX_CHARS:
        problems["data"] = [gettext("the draft is too large")]
    if problems:
        raise ValidationFailed(N_("the draft was not saved"), problems)
    draft = get_draft(user, task)
    if draft is None:
        draft = TaskDraft(task_id=task.id, instance_id=task.instance_id, user_id=user.id)
        db.session.add(draft)
    draft.data, draft.saved_at = data, now()
    db.session.flush()
    return draft
