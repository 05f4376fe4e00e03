from flask import g, request

from ..services import callback_reports, callbacks
from marshmallow import Schema, fields, validate

from . import bp, register_page
from .openapi import Out, UnitKeyset, doc, keyset_page_of

CHANNEL = "phone | sms | wechat | email: how the customer wants to be called back"


class CallbackFilters(UnitKeyset):
    status = fields.String(validate=validate.OneOf(["due", "retry", "scheduled", "completed", "ineffective"]))
    due = fields.Date(metadata={"description": "the open callbacks due that day"})


class TextMessage(Schema):
    id = fields.Integer()
    purpose = fields.String(metadata={"description": "apology"})
    status = fields.String(metadata={"description": "pending | sent | failed"})
    channel = fields.String(metadata={"description": "sms | wecom, as configured when last tried"})
    attempts = fields.Integer()
    error = fields.String(allow_none=True, metadata={"description": "why the last attempt failed"})
    created_at = fields.DateTime()
    sent_at = fields.DateTime(allow_none=True)


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
    preferred_channel = fields.String(metadata={"description": CHANNEL})
    preferred_call_at = fields.DateTime(allow_none=True, metadata={"description": "not called before this time"})
    service_advisor = fields.String(metadata={"description": "the service advisor (服务顾问) who handled the car"})
    texts = fields.List(fields.Nested(TextMessage), metadata={"description": "text messages to the customer"})


class Figures(Schema):
    callbacks = fields.Integer()
    effective = fields.Integer(metadata={"description": "the customer was reached"})
    satisfied = fields.Integer()
    ineffective = fields.Integer(metadata={"description": "unreachable three times (无效回访)"})
    open = fields.Integer(metadata={"description": "not called yet"})
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "satisfied / effective, %"})
    effective_rate = fields.Float(allow_none=True, metadata={"description": "effective / callbacks, %"})


class AdvisorFigures(Figures):
    advisor = fields.String(metadata={"description": "the service advisor; empty: none was recorded"})


class MonthQuery(Schema):
    month = fields.String(required=True, metadata={"description": "YYYY-MM: the cars taken back that month"})


class AdvisorMonth(Out):
    month = fields.String(required=True)
    advisors = fields.List(fields.Nested(AdvisorFigures), required=True)
    total = fields.Nested(Figures, required=True)


class WeekQuery(Schema):
    week = fields.String(metadata={"description": "YYYY-MM-DD, any day of the week; default: last week"})
    unit = fields.String(metadata={"description": "an organisation unit's code: its figures and its units' below "
                                                  "it (one of the units the caller reads); default: all the caller "
                                                  "reads"})


class WeekTotal(Figures):
    overdue = fields.Integer(metadata={"description": "calls that missed their deadline"})
    complaints = fields.Integer(metadata={"description": "complaints opened from dissatisfied customers"})


class UnitWeek(Figures):
    unit = fields.String(allow_none=True, metadata={"description": "the organisation unit's code"})
    unit_name = fields.String(allow_none=True, metadata={"description": "its name (中文)"})
    overdue = fields.Integer(metadata={"description": "calls that missed their deadline"})
    complaints = fields.Integer(metadata={"description": "complaints opened from dissatisfied customers"})


class Dissatisfied(Schema):
    id = fields.Integer()
    unit = fields.String(allow_none=True, metadata={"description": "the organisation unit's code"})
    unit_name = fields.String(allow_none=True)
    customer_name, contact_phone, subject = fields.String(), fields.String(), fields.String()
    service_advisor, remarks = fields.String(), fields.String()
    complaint_number = fields.String(allow_none=True)
    apology_text = fields.String(allow_none=True, metadata={"description": "pending | sent | failed"})
    completed_at = fields.DateTime(allow_none=True)


class CallbackWeek(Out):
    week_start = fields.String(required=True)
    week_end = fields.String(required=True)
    total = fields.Nested(WeekTotal, required=True)
    advisors = fields.List(fields.Nested(AdvisorFigures), required=True)
    unit = fields.String(allow_none=True, metadata={"description": "the unit whose figures these are (with the "
                                                                   "units below it); null: every unit's"})
    unit_name = fields.String(allow_none=True)
    units = fields.List(fields.Nested(UnitWeek), required=True, metadata={
        "description": "the figures per organisation unit, when the report covers several (empty otherwise)"})
    follow_ups = fields.Nested(Figures, required=True)
    dissatisfied = fields.List(fields.Nested(Dissatisfied), required=True)


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
    return register_page(callbacks.log, callbacks.as_dict, ("status", "due", "unit"))


@bp.get("/callbacks/<int:callback_id>")
@doc("One callback with its attempts", CallbackWithAttempts)
def get_callback(callback_id):
    return callbacks.as_dict(callbacks.get(g.user, callback_id), attempts=True)


@bp.get("/callbacks/advisors")
@doc("Callback figures per service advisor for the cars taken back in a month", AdvisorMonth, query=MonthQuery)
def callback_advisors():
    return callback_reports.advisor_figures(g.user, request.args.get("month", ""))


@bp.get("/reports/callback-week")
@doc("The weekly callback report (回访周报) of a Monday-to-Sunday week", CallbackWeek, query=WeekQuery)
def callback_week():
    return callback_reports.week(g.user, request.args.get("week") or None, request.args.get("unit") or None)
