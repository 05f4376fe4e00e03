from flask import g, request
from marshmallow import Schema, fields, validate

from ..errors import ValidationFailed
from ..files import attachment_request_bytes, stored_file, uploaded_file
from ..i18n import N_, current_language
from ..request_guards import upload_limit
from ..services import casefiles, inbox, instances, migration
from ..models.types import ID_MAX
from . import bp, json_body, pagination
from .openapi import Out, Paging, doc, page_of

STATUS = {"description": "running | waiting (only timers pending) | completed | cancelled | error | suspended"}


class TaskItem(Out):
    id = fields.String(required=True)
    instance_id = fields.Integer(required=True)
    process_key = fields.String(required=True)
    business_key = fields.String(allow_none=True)
    name, title, lane = fields.String(required=True), fields.String(required=True), fields.String(required=True)
    claimed_by = fields.String(allow_none=True)
    claimed_at = fields.DateTime(allow_none=True, metadata={"description": "since when claimed_by holds it"})
    created_at = fields.DateTime(required=True)
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)


class HeldError(Schema):
    element_id = fields.String(allow_none=True)
    message = fields.String(allow_none=True)
    since = fields.DateTime(allow_none=True)
    action = fields.Dict()


class InstanceSummary(Out):
    id = fields.Integer(required=True)
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    status = fields.String(required=True, metadata=STATUS)
    business_key = fields.String(allow_none=True)
    error = fields.Nested(HeldError, allow_none=True, required=True,
                          metadata={"description": "in error: where and why it stopped, the step a retry replays"})


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
    unit = fields.String(allow_none=True, metadata={"description": "the code of its organisation unit"})


class InstanceListItem(InstanceSummary):
    started_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class InstanceQuery(Paging):
    status = fields.String(validate=validate.OneOf(
        ["running", "waiting", "completed", "cancelled", "error", "suspended"]))
    process_key = fields.String()


class WithTasks(InstanceSummary):
    open_tasks = fields.List(fields.Nested(TaskItem), required=True)


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
            "status": instance.status, "business_key": instance.business_key, "error": instance_error(instance)}


def instance_error(instance) -> dict | None:
    """Where and why an instance in error stopped, and what a retry replays (answers kept)."""
    if instance.status != "error":
        return None
    action = instance.pending_action or {"kind": "timers"}
    return {"element_id": instance.error_element_id, "message": instance.error_message, "since": instance.error_at,
            "action": {"kind": action["kind"], "task": action.get("task_name"), "answers": action.get("answers")}}


@bp.get("/instances")
@doc("Instances by status (admin), newest change first; an instance in error names where and why it stopped and "
     "the step a retry replays", page_of(InstanceListItem), query=InstanceQuery)
def list_instances():
    page, per_page = pagination()
    rows, total = instances.list_instances(g.user, request.args.get("status") or None,
                                           request.args.get("process_key") or None, page, per_page)
    return {"items": [{**instance_summary(i), "started_at": i.created_at, "updated_at": i.updated_at}
                      for i in rows], "total": total}


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
            "cancel_reason": instance.cancel_reason, "unit": instance.unit.code if instance.unit else None}


@bp.post("/instances/<int:instance_id>/cancel")
@doc("Cancel an instance (admin), with a reason", InstanceSummary, body=Cancel)
def cancel_instance(instance_id):
    reason = json_body().get("reason", "")
    if not isinstance(reason, str):
        raise ValidationFailed(N_("give a reason"), {"reason": [N_("must be text")]})
    instance = instances.cancel(g.user, instance_id, reason)
    return instance_summary(instance)


@bp.post("/instances/<int:instance_id>/migrate")
@doc("Move a running instance to another version of its procedure (admin); 409 naming the elements when a task "
     "it stands on or has done was removed or changed", Migrated, body=Migrate)
def migrate_instance(instance_id):
    instance, result, from_version = migration.move(g.user, instance_id, json_body().get("to_version"))
    return {**instance_summary(instance), "from_version": from_version, "relabelled": result.relabelled,
            "kept_timers": result.kept_timers, "open_tasks": open_task_items(instance)}


@bp.post("/instances/<int:instance_id>/retry")
@doc("Replay the failed step of an instance in error on its current version (admin); 409 instance_error when it "
     "fails again (the instance stays in error with the new reason)", WithTasks)
def retry_instance(instance_id):
    instance = instances.retry(g.user, instance_id)
    return {**instance_summary(instance), "open_tasks": open_task_items(instance)}


@bp.post("/instances/<int:instance_id>/suspend")
@doc("Suspend a running instance (admin): its tasks leave the inbox, its timers wait, completing its task "
     "answers 409", InstanceSummary)
def suspend_instance(instance_id):
    return instance_summary(instances.suspend(g.user, instance_id))


@bp.post("/instances/<int:instance_id>/resume")
@doc("Resume a suspended instance (admin): its tasks are back, a timer due meanwhile fires on the runner's next "
     "pass", WithTasks)
def resume_instance(instance_id):
    instance = instances.resume(g.user, instance_id)
    return {**instance_summary(instance), "open_tasks": open_task_items(instance)}


# ---------------------------------------------------------------- the case view: diagram, comments, attachments

class Diagram(Out):
    xml = fields.String(required=True, metadata={"description": "the BPMN file of the case's version"})
    completed = fields.List(fields.String(), required=True, metadata={"description": "element ids gone through"})
    current = fields.List(fields.String(), required=True,
                          metadata={"description": "element ids it stands on: open tasks, waiting events"})
    error = fields.String(allow_none=True, required=True, metadata={"description": "in error: where it stopped"})


class NewComment(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=casefiles.MAX_COMMENT_CHARS))


class Comment(Out):
    id = fields.Integer(required=True)
    text = fields.String(required=True)
    author = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(required=True)


class Attachment(Out):
    id = fields.Integer(required=True)
    file_name = fields.String(required=True)
    content_type = fields.String(required=True, validate=validate.OneOf([k for _, k, _ in casefiles.SIGNATURES]))
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)
    uploaded_by = fields.String(allow_none=True, required=True)
    uploaded_at = fields.DateTime(required=True)


# Multipart: one `file` part, told PNG, JPEG or PDF by its first bytes.
FILE_PART = {"multipart/form-data": {"type": "object", "required": ["file"],
                                     "properties": {"file": {"type": "string", "format": "binary"}}}}


def comment_item(comment) -> dict:
    return {"id": comment.id, "text": comment.text, "author": comment.author.username if comment.author else None,
            "created_at": comment.created_at}


def attachment_item(attachment) -> dict:
    return {"id": attachment.id, "file_name": attachment.file_name, "content_type": attachment.content_type,
            "size": attachment.size, "sha256": attachment.sha256,
            "uploaded_by": attachment.uploaded_by.username if attachment.uploaded_by else None,
            "uploaded_at": attachment.uploaded_at}


@bp.get("/instances/<int:instance_id>/diagram")
@doc("The diagram of a case's version with the elements it went through and stands on (who may read the case)",
     Diagram)
def instance_diagram(instance_id):
    return instances.diagram(instances.get(g.user, instance_id))


@bp.get("/instances/<int:instance_id>/comments")
@doc("The comments on a case, oldest first (who may read the case)", page_of(Comment))
def list_comments(instance_id):
    items = casefiles.comments(g.user, instance_id)
    return {"items": [comment_item(c) for c in items], "total": len(items)}


@bp.post("/instances/<int:instance_id>/comments")
@doc(f"Comment on a case (who may read it), at most {casefiles.MAX_COMMENT_CHARS} characters", Comment, status=201,
     body=NewComment)
def add_comment(instance_id):
    return comment_item(casefiles.add_comment(g.user, instance_id, json_body().get("text"))), 201


@bp.get("/instances/<int:instance_id>/attachments")
@doc("The files attached to a case, oldest first (who may read the case)", page_of(Attachment))
def list_attachments(instance_id):
    items = casefiles.attachments(g.user, instance_id)
    return {"items": [attachment_item(a) for a in items], "total": len(items)}


@bp.post("/instances/<int:instance_id>/attachments")
@doc("Attach a PNG, JPEG or PDF file to a case (who may read it), a multipart `file` part of at most "
     "ATTACHMENT_MAX_BYTES (10 MiB by default): 413 beyond, 422 for another type (told by the content)",
     Attachment, status=201, body=FILE_PART)
@upload_limit(attachment_request_bytes)
def add_attachment(instance_id):
    name, content = uploaded_file()
    return attachment_item(casefiles.add_attachment(g.user, instance_id, name, content)), 201


@bp.get("/instances/<int:instance_id>/attachments/<int:attachment_id>")
@doc("An attached file, as a download (who may read the case)", {"type": "string", "format": "binary"},
     media=tuple(k for _, k, _ in casefiles.SIGNATURES))
def get_attachment(instance_id, attachment_id):
    found = casefiles.attachment(g.user, instance_id, attachment_id)
    return stored_file(found.content, found.content_type, found.file_name)
