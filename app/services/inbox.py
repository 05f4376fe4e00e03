"""The task inbox: the open tasks of a person's roles, claiming, and completing them."""
import logging
from datetime import timezone

from sqlalchemy import case, func, or_, select, update

from .. import forms, logs, permissions
from ..clock import now
from ..engine import TaskNotReady
from ..errors import Conflict, InstanceInError, InstanceSuspended, NotFound
from ..extensions import db
from ..i18n import N_
from ..models import OpenTask, TaskRecord, User
from . import runs

log = logging.getLogger(__name__)


def task_item(task: OpenTask, lang: str) -> dict:
    form = forms.FORMS.get(task.form_key)
    return {"id": task.id, "instance_id": task.instance_id, "process_key": task.process_key,
            "business_key": task.business_key, "name": task.task_name,
            "title": form.title(lang) if form else task.task_name, "lane": task.lane,
            "claimed_by": task.claimed_by.username if task.claimed_by else None,
            "created_at": task.created_at, "due_at": task.due_at,
            "overdue": bool(task.due_at and task.due_at < now())}


def _mine(user: User):
    """The open tasks in the user's lanes, unclaimed or claimed by the user: the inbox."""
    return (OpenTask.lane.in_(list(user.roles)),
            or_(OpenTask.claimed_by_id.is_(None), OpenTask.claimed_by_id == user.id))


def summary(user: User) -> dict:
    """What the badge shows, in one cheap query: the inbox's count, how many are overdue, and
    when the newest arrived (a page that saw another value knows tasks arrived since)."""
    total, overdue, newest = db.session.execute(
        select(func.count(OpenTask.id), func.coalesce(func.sum(case((OpenTask.due_at < now(), 1), else_=0)), 0),
               func.max(OpenTask.created_at)).where(*_mine(user))).one()
    if newest is not None and newest.tzinfo is None:  # SQLite keeps no offset: an aggregate is not typed
        newest = newest.replace(tzinfo=timezone.utc)
    return {"open": total, "overdue": int(overdue), "newest": newest}


def list_tasks(user: User, lane=None, process_key=None, claimed=None, overdue=None, page=1, per_page=50):
    query = select(OpenTask).where(*_mine(user))
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
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(query.order_by(OpenTask.due_at.is_(None), OpenTask.due_at, OpenTask.created_at)
                              .offset((page - 1) * per_page).limit(per_page))
    return list(rows), total


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
    permissions.require(user, action, task)
    return task


def claim(user: User, task_id: str) -> OpenTask:
    task = get_task(user, task_id, "tasks.claim")
    # One conditional UPDATE: of two people claiming at once exactly one gets it.
    done = db.session.execute(update(OpenTask).where(
        OpenTask.id == task_id, or_(OpenTask.claimed_by_id.is_(None), OpenTask.claimed_by_id == user.id))
        .values(claimed_by_id=user.id)).rowcount
    if not done:
        raise Conflict(N_("the task is claimed by someone else"))
    db.session.refresh(task)
    return task


def unclaim(user: User, task_id: str) -> OpenTask:
    task = get_task(user, task_id, "tasks.claim")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict(N_("the task is claimed by someone else"))
    task.claimed_by_id = None
    db.session.flush()
    return task


def complete(user: User, task_id: str, data) -> "ProcessInstance":  # noqa: F821
    logs.bind(task_id=task_id)
    task = get_task(user, task_id, "tasks.complete")
    if task.claimed_by_id not in (None, user.id):
        raise Conflict(N_("the task is claimed by someone else"))
    clean = forms.validate(task.form_key, data, task.instance.data)
    instance = runs.lock_instance(task.instance_id)
    # Re-read under the lock: whoever held it before us may have completed this task.
    current = db.session.scalar(select(OpenTask).where(OpenTask.id == task_id)
                                .execution_options(populate_existing=True))
    if current is None or current.claimed_by_id not in (None, user.id):
        raise Conflict(N_("the task was completed or claimed by someone else"))
    run = runs.load(instance, user.id)
    action = {"kind": "complete", "task_id": task_id, "task_name": current.task_name, "form_key": current.form_key,
              "lane": current.lane, "answers": clean, "actor_id": user.id}
    try:
        moved_on = runs.step(instance, run, action)
    except TaskNotReady:
        raise Conflict(N_("the task is no longer ready")) from None
    if not moved_on:
        raise InstanceInError(instance.error_element_id, instance.error_message)
    log.info("task %s completed", current.task_name)
    return instance
