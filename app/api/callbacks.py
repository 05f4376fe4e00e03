from flask import g, request

from ..services import callbacks
from marshmallow import Schema, fields, validate

from . import bp, keyset
from .openapi import Keyset, Out, doc, keyset_page_of


class CallbackFilters(Keyset):
    status = fields.String(validate=validate.OneOf(["due", "retry", "scheduled", "completed", "ineffective"]))
    due = fields.Date(metadata={"description": "the open callbacks due that day"})


class Callback(Out):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True, metadata={"description": "first | follow_up"})
    source = fields.String(required=True, metadata={"description": "delivery | return | complaint"})
    customer_name, contact_phone, subject = fields.String(), fields.String(), fields.String()
    picked_up_at, deadline_at, due_at = fields.DateTime(), fields.DateTime(), fields.DateTime()
    status = fields.String(required=True)
    attempts = fields.Integer()
    satisfied = fields.Boolean(allow_none=True)
    complaint_number = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    effective = fields.Boolean()
    completed_by = fields.String(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the code of its organisation unit"})


class Attempt(Schema):
    number = fields.Integer()
    attempted_at = fields.DateTime()
    reached = fields.Boolean()
    remarks = fields.String()
    caller = fields.String(allow_none=True)


class CallbackWithAttempts(Callback):
    attempt_log = fields.List(fields.Nested(Attempt), required=True)


@bp.get("/callbacks")
@doc("The callback log", keyset_page_of(Callback), query=CallbackFilters)
def list_callbacks():
    found = callbacks.log(g.user, status=request.args.get("status"), due=request.args.get("due"), **keyset())
    return found.as_json([callbacks.as_dict(c) for c in found.items])


@bp.get("/callbacks/<int:callback_id>")
@doc("One callback with its attempts", CallbackWithAttempts)
def get_callback(callback_id):
    return callbacks.as_dict(callbacks.get(g.user, callback_id), attempts=True)
