"""The task inbox: the open tasks of a person's roles, claiming, and completing them."""
import logging

from sqlalchemy import case, func, or_, select, update

from .. import forms, logs, permissions
from ..clock import now
from ..engine import TaskNotReady
from ..errors import Conflict, InstanceInError, InstanceSuspended, NotFound, ValidationFailed
from ..extensions import db
from ..models import OpenTask, TaskRecord, User
from . import paging, runs

log = logging.getLogger(__name__)


def task_item(task: OpenTask, lang: str) -> dict:
    form = forms.FORMS.get(task.form_key)
    return {"id": task.id, "instance_id": task.instance_id, "process_key": task.process_key,
            "business_key": task.business_key, "name": task.task_name,
            "title": form.title(lang) if form else task.task_name, "lane": task.lane,
            "claimed_by": task.claimed_by.username if task.claimed_by else None,
            "created_at": task.created_at, "due_at": task.due_at,
            "overdue": bool(task.due_at and task.due_at < now())}


SORTS = {name: paging.Sort(name, keys) for name, keys in {
    "due": ((OpenTask.due_at, False), (OpenTask.created_at, False), (OpenTask.id, False)),
    "-due": ((OpenTask.due_at, True), (OpenTask.created_at, True), (OpenTask.id, True)),
    "created": ((OpenTask.created_at, False), (OpenTask.id, False)),
    "-created": ((OpenTask.created_at, True), (OpenTask.id, True)),
}.items()}


def _visible(user: User):
    """The tasks a person may work on: in a lane of theirs, unclaimed or claimed by them."""
    return (OpenTask.lane.in_(list(user.roles)),
            or_(OpenTask.claimed_by_id.is_(None), OpenTask.claimed_by_id == user.id))


def filters_from(args) -> dict:
    """The inbox's filters and order from a query string's arguments (strings), checked."""
    problems = {}
    claimed = args.get("claimed") or None
    if claimed not in (None, "me", "none"):
        problems["claimed"] = ["must be 'me' or 'none'"]
    overdue = {None: None, "": None, "true": True, "false": False}.get(args.get("overdue"), "bad")
    if overdue == "bad":
        problems["overdue"] = ["must be 'true' or 'false'"]
    sort = args.get("sort") or "due"
    if sort not in SORTS:
        problems["sort"] = [f"must be one of {', '.join(SORTS)}"]
    if problems:
        raise ValidationFailed("bad filters", problems)
    return {"lane": args.get("lane") or None, "process_key": args.get("process_key") or None, "claimed": claimed,
            "overdue": overdue, "sort": sort}


def list_tasks(user: User, lane=None, process_key=None, claimed=None, overdue=None, sort="due", after=None,
               page=1, per_page=50) -> paging.Page:
    if sort not in SORTS:
        raise ValidationFailed("bad sort", {"sort": [f"must be one of {', '.join(SORTS)}"]})
    query = select(OpenTask).where(*_visible(user))
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
    return paging.paginate(query, SORTS[sort], after=after, page=page, per_page=per_page)


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
            raise Conflict("the task was already completed")
        held = runs.held_instance(task_id)
        if held is not None and held.status == "error":
            raise InstanceInError(held.error_element_id, held.error_message,
                                  f"the case stopped at element '{held.error_element_id}' and waits for an admin")
        if held is not None:
            raise InstanceSuspended("the case is suspended: its tasks wait until an admin resumes it")
        raise NotFound(f"no open task {task_id}")
    permissions.require(user, action, task)
    return task


def claim(user: User, task_id: str) -> OpenTask:
    task = get_task(user, task_id, "tasks.claim")
    # One conditional UPDATE: of two people claiming at once exactly one gets it.
    done = db.session.execute(update(OpenTask).where(
        OpenTask.id == task_id, or_(OpenTask.claimed_by_id.is_(None), OpenTask.claimed_by_id == user.id))
        .values(claimed_by_id=user.id)).rowcount
    if not done:
        raise Conflict("the task is claimed by someone else")
    db.session.refresh(task)
    return task


def unclaim(user: User, task_id: str) -> OpenTask:
    task = get_task(user, task_id, "tasks.claim")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("the task is claimed by someone else")
    task.claimed_by_id = None
    db.session.flush()
    return task


def complete(user: User, task_id: str, data) -> "ProcessInstance":  # noqa: F821
    logs.bind(task_id=task_id)
    task = get_task(user, task_id, "tasks.complete")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict("the task is claimed by someone else")
    clean = forms.validate(task.form_key, data, task.instance.data)
    instance = runs.lock_instance(task.instance_id)
    # Re-read under the lock: whoever held it before us may have completed this task.
    current = db.session.scalar(select(OpenTask).where(OpenTask.id == task_id)
                                .execution_options(populate_existing=True))
    if current is None or current.claimed_by_id not in (None, user.id):
        raise Conflict("the task was completed or claimed by someone else")
    run = runs.load(instance, user.id)
    action = {"kind": "complete", "task_id": task_id, "task_name": current.task_name, "form_key": current.form_key,
              "lane": current.lane, "answers": clean, "actor_id": user.id}
    try:
        moved_on = runs.step(instance, run, action)
    except TaskNotReady:
        raise Conflict("the task is no longer ready") from None
    if not moved_on:
        raise InstanceInError(instance.error_element_id, instance.error_message)
    log.info("task %s completed", current.task_name)
    return instance
