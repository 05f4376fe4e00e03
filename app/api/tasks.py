from flask import g, request
from marshmallow import fields, validate

from ..forms.jsonschema import form_schema
from ..i18n import current_language
from ..services import inbox
from . import bp, json_body, keyset
from .instances import TaskItem, open_task_items
from .openapi import Keyset, Out, doc, keyset_page_of

TASK_ID = {"task_id": {"format": "uuid", "description": "the engine's task id"}}


class TaskFilters(Keyset):
    lane = fields.String(metadata={"description": "role key"})
    process_key = fields.String(metadata={"description": "procedure key"})
    claimed = fields.String(validate=validate.OneOf(["me", "none"]))
    overdue = fields.String(validate=validate.OneOf(["true", "false"]))
    sort = fields.String(validate=validate.OneOf(list(inbox.SORTS)),
                         metadata={"description": "due date or creation, '-' for descending (default due)"})


class LaneCount(Out):
    lane = fields.String(required=True)
    total = fields.Integer(required=True)
    overdue = fields.Integer(required=True)


class TaskWithForm(TaskItem):
    form = fields.Dict(required=True, metadata={"description": "JSON Schema of the task's form"})
    data = fields.Dict(required=True, metadata={"description": "what the form shows"})


class Completed(Out):
    instance_id = fields.Integer(required=True)
    status = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskItem), required=True)


COMPLETE = {"type": "object", "required": ["data"], "properties": {"data": {
    "type": "object", "description": "the task's form (GET /tasks/{task_id}), one of the form schemas"}}}


@bp.get("/tasks")
@doc("The inbox: ready tasks of the caller's roles, unclaimed or claimed by the caller", keyset_page_of(TaskItem),
     query=TaskFilters)
def list_tasks():
    found = inbox.list_tasks(g.user, **keyset(), **inbox.filters_from(request.args))
    lang = current_language()
    return found.as_json([inbox.task_item(t, lang) for t in found.items])


@bp.get("/tasks/counts")
@doc("The caller's lanes with their open and overdue tasks", {"type": "array", "items": LaneCount})
def task_counts():
    return inbox.lane_counts(g.user)


@bp.get("/tasks/<task_id>")
@doc('A task with its form (JSON Schema) and data', TaskWithForm, path=TASK_ID)
def get_task(task_id):
    task = inbox.get_task(g.user, task_id)
    lang = current_language()
    return {**inbox.task_item(task, lang), "form": form_schema(task.form_key, lang), "data": task.instance.data}


@bp.post("/tasks/<task_id>/claim")
@doc('Claim a task; 409 when another holds it', TaskItem, path=TASK_ID)
def claim_task(task_id):
    return inbox.task_item(inbox.claim(g.user, task_id), current_language())


@bp.post("/tasks/<task_id>/unclaim")
@doc('Give a claimed task back', TaskItem, path=TASK_ID)
def unclaim_task(task_id):
    return inbox.task_item(inbox.unclaim(g.user, task_id), current_language())


@bp.post("/tasks/<task_id>/complete")
@doc('Complete a task with data validated by its form (claiming it first); 409 when another holds it or it is no longer ready', Completed, path=TASK_ID, body=COMPLETE)
def complete_task(task_id):
    instance = inbox.complete(g.user, task_id, json_body().get("data", {}))
    return {"instance_id": instance.id, "status": instance.status, "business_key": instance.business_key,
            "open_tasks": open_task_items(instance)}
