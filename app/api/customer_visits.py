"""Customer visits (客户拜访): visit plans (creating one starts its cycle, ending one stops it) and
the visit register."""
from flask import g
from marshmallow import Schema, fields, validate

from ..services import customer_visits
from . import bp, json_body, register_page
from .openapi import Out, UnitKeyset, doc, keyset_page_of

ID = {"minimum": 1, "maximum": 2**31 - 1}
CLASSES = validate.OneOf(list(customer_visits.CLASSES))


class PlanIn(Schema):
    customer_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact_person = fields.String(required=True, validate=validate.Length(min=1, max=100))
    contact_phone = fields.String(required=True, validate=validate.Length(min=1, max=32))
    address = fields.String(validate=validate.Length(max=500))
    visit_class = fields.String(required=True, validate=CLASSES,
                                metadata={"description": "nearby: every half month; distant: every 3 months; "
                                                         "overseas: a phone conference every 3 months"})
    responsible_person = fields.String(validate=validate.Length(max=64),
                                       metadata={"description": "a username of the customer department; "
                                                                "empty: the department claims each visit"})
    start_date = fields.Date(required=True, metadata={"description": "the first period begins on it, today or later"})
    plan_remarks = fields.String(validate=validate.Length(max=2000))
    unit = fields.String(metadata={"description": "the code of the organisation unit the plan is for: the "
                                                  "planner's own (when left out) or one below it"})


class Ending(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class PlanFilters(UnitKeyset):
    status = fields.String(validate=validate.OneOf(list(customer_visits.PLAN_STATUSES)))
    visit_class = fields.String(validate=CLASSES)


class VisitFilters(UnitKeyset):
    status = fields.String(validate=validate.OneOf(list(customer_visits.VISIT_STATUSES)))
    visit_class = fields.String(validate=CLASSES)
    plan_id = fields.Integer(validate=validate.Range(min=1))
    overdue = fields.String(validate=validate.OneOf(["true", "false"]))


class Visit(Out):
    id, plan_id, period_number = fields.Integer(required=True), fields.Integer(required=True), fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    kind = fields.String(required=True, metadata={"description": "visit | conference"})
    customer_name, visit_class = fields.String(), fields.String()
    opened_at, due_at = fields.DateTime(), fields.DateTime()
    status = fields.String(required=True, metadata={"description": "open | recorded | cancelled"})
    overdue = fields.Boolean()
    visited_on = fields.Date(allow_none=True)
    met_with, topics, customer_opinions = fields.String(), fields.String(), fields.String()
    issues_raised, next_actions = fields.String(), fields.String()
    complaint_number = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)
    recorded_by = fields.String(allow_none=True)


class Plan(Out):
    id = fields.Integer(required=True)
    instance_id = fields.Integer(allow_none=True)
    customer_name, contact_person, contact_phone, address = (fields.String(), fields.String(), fields.String(),
                                                             fields.String())
    visit_class = fields.String(required=True)
    period = fields.String(metadata={"description": "ISO 8601 period of the cycle: P0.5M (half a month), P3M"})
    responsible_role = fields.String()
    responsible_person = fields.String(allow_none=True)
    start_date = fields.Date()
    status = fields.String(required=True, metadata={"description": "active | ended"})
    ended_at = fields.DateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)
    next_period_at = fields.DateTime(allow_none=True, metadata={"description": "when the next visit opens"})
    visit_count = fields.Integer()
    unit = fields.String(allow_none=True, metadata={"description": "the code of its organisation unit"})


class PlanWithVisits(Plan):
    visits = fields.List(fields.Nested(Visit), required=True)


@bp.get("/visit-plans")
@doc("Customer visit plans, newest first", keyset_page_of(Plan), query=PlanFilters)
def list_visit_plans():
    return register_page(customer_visits.plans, customer_visits.plan_dict, ("status", "visit_class", "unit"))


@bp.post("/visit-plans")
@doc("Plan visits for a customer: its cycle starts (customer department, service manager)", PlanWithVisits,
     status=201, body=PlanIn)
def create_visit_plan():
    body = json_body()
    unit = body.pop("unit", None) if isinstance(body, dict) else None
    plan = customer_visits.create_plan(g.user, body, unit)
    return customer_visits.plan_dict(plan, with_visits=True), 201


@bp.get("/visit-plans/<int:plan_id>")
@doc("One visit plan with its visits", PlanWithVisits, path={"plan_id": ID})
def get_visit_plan(plan_id):
    return customer_visits.plan_dict(customer_visits.get_plan(g.user, plan_id), with_visits=True)


@bp.post("/visit-plans/<int:plan_id>/end")
@doc("End a visit plan: no visit opens any more, an open one is cancelled", PlanWithVisits, body=Ending,
     path={"plan_id": ID})
def end_visit_plan(plan_id):
    plan = customer_visits.end_plan(g.user, plan_id, str(json_body().get("reason") or ""))
    return customer_visits.plan_dict(plan, with_visits=True)


@bp.get("/customer-visits")
@doc("The visit register: every period's visit, newest first", keyset_page_of(Visit), query=VisitFilters)
def list_customer_visits():
    return register_page(customer_visits.visits, customer_visits.visit_dict,
                         ("status", "visit_class", "plan_id", "overdue", "unit"))
