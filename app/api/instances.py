from flask import g
from marshmallow import Schema, fields, validate

from ..errors import ValidationFailed
from ..i18n import current_language
from ..services import inbox, instances, migration
from . import bp, json_body
from ..models.types import ID_MAX
from .openapi import Out, doc

STATUS = {"description": "running | waiting (only timers pending) | completed | cancelled | error"}


class TaskItem(Out):
    id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    name, title, lane = fields.String(required=True), fields.String(required=True), fields.String(required=True)
    claimed_by = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)


class InstanceSummary(Out):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, metadata=STATUS)
    business_key = fields.String(allow_none=True)


class HistoryEntry(Schema):
    task, lane = fields.String(), fields.String()
    completed_by = fields.String(allow_none=True)
    completed_at = fields.DateTime()
    data = fields.Dict()


class Instance(InstanceSummary):
    data = fields.Dict(required=True)
    history = fields.List(fields.Nested(HistoryEntry), required=True)
    open_tasks = fields.List(fields.Nested(TaskItem), required=True)
    next_timer_at = fields.DateTime(allow_none=True)
    cancel_reason = fields.String(allow_none=True)


class Cancel(Schema):
    reason = fields.String()


class Migrate(Schema):
    to_version = fields.Integer(required=True, validate=validate.Range(min=1, max=ID_MAX))


class Migrated(InstanceSummary):
    from_version = fields.Integer(required=True)
    relabelled = fields.List(fields.String(), required=True)
    kept_timers = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
    open_tasks = fields.List(fields.Nested(TaskItem), required=True)


def instance_summary(instance) -> dict:
    return {"id": instance.id, "key": instance.process_key, "version": instance.version.version,
            "status": instance.status, "business_key": instance.business_key}


def open_task_items(instance) -> list[dict]:
    lang = current_language()
    return [inbox.task_item(t, lang) for t in instances.open_tasks(instance)]


@bp.get("/instances/<int:instance_id>")
@doc("An instance with its data, history and open tasks (admins: every instance; staff: those with a task "
     "in a lane of their roles)", Instance)
def get_instance(instance_id):
    instance = instances.get(g.user, instance_id)
    history = [{"task": r.task_name, "lane": r.lane,
                "completed_by": r.completed_by.username if r.completed_by else None,
                "completed_at": r.completed_at, "data": r.data} for r in instances.history(instance)]
    return {**instance_summary(instance), "data": instance.data, "history": history,
            "open_tasks": open_task_items(instance), "next_timer_at": instance.next_timer_at,
            "cancel_reason": instance.cancel_reason}


@bp.post("/instances/<int:instance_id>/cancel")
@doc("Cancel an instance (admin), with a reason", InstanceSummary, body=Cancel)
def cancel_instance(instance_id):
    reason = json_body().get("reason", "")
    if not isinstance(reason, str):
        raise ValidationFailed("give a reason", {"reason": ["must be text"]})
    instance = instances.cancel(g.user, instance_id, reason)
    return instance_summary(instance)


@bp.post("/instances/<int:instance_id>/migrate")
@doc("Move a running instance to another version of its procedure (admin); 409 naming the elements when a task "
     "it stands on or has done was removed or changed", Migrated, body=Migrate)
def migrate_instance(instance_id):
    instance, result, from_version = migration.move(g.user, instance_id, json_body().get("to_version"))
    return {**instance_summary(instance), "from_version": from_version, "relabelled": result.relabelled,
            "kept_timers": result.kept_timers, "open_tasks": open_task_items(instance)}
