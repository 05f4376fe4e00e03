from flask import g, request
from marshmallow import fields, validate

from .. import forms
from ..forms.jsonschema import form_schema
from ..i18n import current_language
from ..services import inbox, timeline
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


class Answer(Out):
    name = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "the field's label in the caller's language"})
    value = fields.Raw(required=True, allow_none=True, metadata={"description": "the stored value"})
    text = fields.String(required=True, metadata={"description": "the value as read: choices and yes/no by label"})


class TimelineEntry(Out):
    task = fields.String(required=True, metadata={"description": "the element id, or 'start'"})
    title = fields.String(required=True)
    form_key = fields.String(required=True)
    lane = fields.String(required=True)
    lane_title = fields.String(required=True)
    completed_by = fields.String(allow_none=True)
    completed_at = fields.DateTime(required=True)
    matters = fields.Boolean(required=True, metadata={"description": "one of the latest answers this task's form "
                                                                     "declares it shows first"})
    answers = fields.List(fields.Nested(Answer), required=True)


class CaseView(Out):
    fields_ = fields.List(fields.Nested(Answer), required=True, data_key="fields",
                          metadata={"description": "the case's current values this task's form shows"})
    timeline = fields.List(fields.Nested(TimelineEntry), required=True,
                           metadata={"description": "what was decided so far: the entries that matter to this "
                                                    "task first, then the rest, newest first"})


class TaskDraftBody(Out):
    data = fields.Dict(required=True, metadata={"description": "the form's fields as typed so far"})
    saved_at = fields.DateTime(required=True)


class TaskWithForm(TaskItem):
    form = fields.Dict(required=True, metadata={"description": "JSON Schema of the task's form"})
    data = fields.Dict(required=True, metadata={"description": "what the form opens with: the defaults it declares"})
    case = fields.Nested(CaseView, required=True)
    draft = fields.Nested(TaskDraftBody, required=True, allow_none=True,
                          metadata={"description": "the caller's saved draft of this task's form, if any"})


class Completed(Out):
    instance_id = fields.Integer(required=True)
    status = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    open_tasks = fields.List(fields.Nested(TaskItem), required=True)


DRAFT = {"type": "object", "required": ["data"], "properties": {"data": {
    "type": "object", "maxProperties": 200,
    "description": "fields of the task's form as typed so far: checked loosely (known fields, at most 64 KiB)"}}}
ASSIGN = {"type": "object", "required": ["username"], "properties": {"username": {
    "type": "string", "minLength": 1, "maxLength": 64, "description": "an active user holding the task's lane role"}}}

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


class TaskSummary(Out):
    open = fields.Integer(required=True, metadata={"description": "tasks in the inbox (as GET /tasks counts them)"})
    overdue = fields.Integer(required=True, metadata={"description": "of which past their deadline"})
    newest = fields.DateTime(required=True, allow_none=True,
                             metadata={"description": "when the newest of them arrived: a change marker"})


@bp.get("/tasks/summary")
@doc("The inbox in numbers, cheap enough to poll: open and overdue tasks, and when the newest arrived",
     TaskSummary)
def task_summary():
    return inbox.summary(g.user)


@bp.get("/tasks/<task_id>")
@doc('A task with its form (JSON Schema), what the form opens with (its defaults) and its case (fields, timeline)',
     TaskWithForm, path=TASK_ID)
def get_task(task_id):
    task = inbox.get_task(g.user, task_id)
    lang = current_language()
    draft = inbox.get_draft(g.user, task)
    form = inbox.form_of(task)
    return {**inbox.task_item(task, lang), "form": form_schema(form, lang),
            "data": forms.defaults(form), "case": timeline.of_task(task, lang),
            "draft": draft_body(draft) if draft else None}


def draft_body(draft) -> dict:
    return {"data": draft.data, "saved_at": draft.saved_at}


@bp.put("/tasks/<task_id>/draft")
@doc("Save the caller's draft of a task's form (replacing the last one); deleted when the task is completed",
     TaskDraftBody, path=TASK_ID, body=DRAFT)
def save_task_draft(task_id):
    return draft_body(inbox.save_draft(g.user, task_id, json_body().get("data")))


@bp.post("/tasks/<task_id>/assign")
@doc("A manager gives a task to a person holding its lane role, whoever held it; 422 names username otherwise",
     TaskItem, path=TASK_ID, body=ASSIGN)
def assign_task(task_id):
    return inbox.task_item(inbox.assign(g.user, task_id, json_body().get("username")), current_language())


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
