"""What the choices of an escalation do to a case's open tasks (the capabilities a handler gets
through HandlerContext): urge whoever holds them, or give them to the manager acting. Both run
inside the engine step that completed the escalation and leave a line in the case's history."""
from sqlalchemy import select

from ..clock import now
from ..extensions import db
from ..models import OpenTask, ProcessInstance, TaskRecord, User, UserRole
from . import notices


def _open(instance_id: int, task_names: frozenset[str]) -> list[OpenTask]:
    return list(db.session.scalars(select(OpenTask).where(OpenTask.instance_id == instance_id,
                                                          OpenTask.task_name.in_(sorted(task_names)))
                                   .order_by(OpenTask.created_at)))


def _history(instance_id: int, kind: str, task: OpenTask, actor_id: int | None, data: dict) -> None:
    db.session.add(TaskRecord(instance_id=instance_id, task_id="", task_name=kind, form_key="", lane=task.lane,
                              completed_by_id=actor_id, completed_at=now(), data={"task": task.task_name, **data}))


def urge(instance_id: int, actor_id: int | None, task_names: frozenset[str], note: str = "") -> list[str]:
    """A notice to whoever holds each open task named (unclaimed: the active people of its lane),
    by their e-mail or WeCom preference; the usernames told, also in the case's history."""
    instance = db.session.get(ProcessInstance, instance_id)
    told = []
    for task in _open(instance_id, task_names):
        if task.claimed_by_id is not None:
            people = [db.session.get(User, task.claimed_by_id)]
        else:
            people = list(db.session.scalars(select(User).join(UserRole).where(UserRole.role == task.lane,
                                                                               User.active.is_(True))
                                             .order_by(User.username)))
        for person in people:
            notices.queue_urge(instance, task, person, note)
        told += [person.username for person in people]
        _history(instance_id, "urge", task, actor_id, {"urged": [p.username for p in people], "note": note})
    db.session.flush()
    return told


def hand_over(instance_id: int, actor_id: int | None, task_names: frozenset[str]) -> list[str]:
    """Each open task named goes to the person acting (a manager taking the work over), whoever
    held it; the usernames that held them. The person completes it although the task's lane is
    not a role of theirs (permissions: held_by_me)."""
    person = db.session.get(User, actor_id) if actor_id is not None else None
    if person is None:
        return []
    previous = []
    for task in _open(instance_id, task_names):
        holder = db.session.get(User, task.claimed_by_id) if task.claimed_by_id is not None else None
        previous.append(holder.username if holder else None)
        task.claimed_by_id, task.claimed_at = person.id, now()
        _history(instance_id, "reassign", task, actor_id,
                 {"previous": holder.username if holder else None, "assigned_to": person.username})
    db.session.flush()
    return [name for name in previous if name]
