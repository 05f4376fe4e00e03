"""The penalty register (处罚台账): proposals from overdue records and findings, the service
manager's decisions, the flags per person and month and the reward fund (快乐基金)."""
from flask import g, request
from marshmallow import Schema, fields, validate

from ..models.types import ID_MAX
from ..services import penalties
from . import bp, json_body, register_page
from .openapi import MONTH, Out, UnitKeyset, doc, keyset_page_of

BREACH = {"enum": [key for key, _, _ in penalties.BREACHES]}
PENALTY_ID = {"minimum": 1, "maximum": ID_MAX}


class PenaltyFilters(UnitKeyset):
    month = fields.String(metadata=MONTH)
    person = fields.String(metadata={"description": "username; \"-\": the proposals naming nobody (role-only "
                                                    "overdue records)"})
    status = fields.String(validate=validate.OneOf(penalties.STATUSES))


class Penalty(Out):
    id = fields.Integer(required=True)
    month = fields.String(required=True, metadata=MONTH)
    person = fields.String(allow_none=True, metadata={"description": "null: nobody held the task; the service "
                                                                      "manager names the person or waives it"})
    role = fields.String(required=True, metadata={"description": "the post the table was asked about"})
    breach = fields.String(required=True, metadata=BREACH)
    source = fields.String(required=True, validate=validate.OneOf(penalties.SOURCES),
                           metadata={"description": "overdue: an overdue record; finding: entered by a manager; "
                                                    "refused_shipment: goods shipped back without an approved "
                                                    "return request"})
    overdue_record_id = fields.Integer(allow_none=True)
    instance_id = fields.Integer(allow_none=True)
    business_key = fields.String(allow_none=True)
    rule = fields.String(allow_none=True, metadata={"description": "procedure, version and rule of the "
                                                                   "penalty table that proposed it"})
    amount = fields.Integer(required=True)
    unit = fields.String(required=True, validate=validate.OneOf(tuple(penalties.UNITS)),
                         metadata={"description": "yuan (元) or points (分)"})
    status = fields.String(required=True, validate=validate.OneOf(penalties.STATUSES))
    note = fields.String()
    waive_reason = fields.String(allow_none=True)
    proposed_at = fields.DateTime(required=True)
    proposed_by = fields.String(allow_none=True, metadata={"description": "null: proposed by the system"})
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class Finding(Schema):
    person = fields.String(required=True, metadata={"description": "username"})
    breach = fields.String(required=True, metadata=BREACH)
    note = fields.String(required=True, validate=validate.Length(min=1, max=penalties.MAX_TEXT))
    role = fields.String(metadata={"description": "the person's post the breach falls on (needed when they hold "
                                                  "several)"})
    month = fields.String(metadata=MONTH)
    case = fields.String(metadata={"description": "the case's number (business key): its procedure's table "
                                                  "decides"})


class Confirmation(Schema):
    person = fields.String(metadata={"description": "username: required when the proposal names nobody"})
    amount = fields.Integer(validate=validate.Range(min=0, max=penalties.MAX_AMOUNT),
                            metadata={"description": "another amount than proposed (a range in the rules)"})


class Waiver(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=penalties.MAX_TEXT))


class PersonMonth(Out):
    person, display_name = fields.String(required=True), fields.String()
    month = fields.String(required=True, metadata=MONTH)
    confirmed, proposed = fields.Integer(required=True), fields.Integer(required=True)
    confirmed_yuan, confirmed_points = fields.Integer(required=True), fields.Integer(required=True)
    pay_flag = fields.Boolean(required=True, metadata={"description": f"{penalties.FLAG_AT} or more confirmed "
                                                                      "this month: 50% of this month's pay"})
    dismissal_flag = fields.Boolean(required=True, metadata={
        "description": f"{penalties.FLAG_AT} or more confirmed in each of {penalties.DISMISSAL_MONTHS} months "
                       "in a row: dismissal review"})


class FlagMonths(Schema):
    month = fields.List(fields.String(metadata=MONTH), metadata={
        "description": "months to look at (repeatable); this month and the last by default"})


class Fund(Schema):
    fines = fields.Integer(required=True, metadata={"description": "confirmed fines, 元"})
    spent = fields.Integer(required=True)
    balance = fields.Integer(required=True)


class People(Schema):
    month = fields.String(required=True, metadata=MONTH)
    people = fields.List(fields.Nested(PersonMonth), required=True)
    unassigned = fields.Integer(required=True, metadata={"description": "proposals naming nobody"})
    fund = fields.Nested(Fund, required=True, metadata={"description": "the reward fund up to the month's end"})


class Month(Schema):
    month = fields.String(required=True, metadata=MONTH)


class Spending(Schema):
    amount = fields.Integer(required=True, validate=validate.Range(min=1, max=penalties.MAX_AMOUNT))
    note = fields.String(required=True, validate=validate.Length(min=1, max=penalties.MAX_TEXT))
    month = fields.String(metadata=MONTH)


class Spent(Out):
    id, amount = fields.Integer(required=True), fields.Integer(required=True)
    month, note = fields.String(required=True), fields.String(required=True)
    fund = fields.Nested(Fund, required=True)


@bp.get("/penalties")
@doc("The penalty register (处罚台账): managers read every entry, staff their own", keyset_page_of(Penalty),
     query=PenaltyFilters)
def list_penalties():
    return register_page(penalties.register, penalties.as_dict, ("month", "person", "status", "unit"))


@bp.get("/penalties/<int:penalty_id>")
@doc("One penalty", Penalty, path={"penalty_id": PENALTY_ID})
def get_penalty(penalty_id):
    return penalties.as_dict(penalties.get(g.user, penalty_id))


@bp.get("/penalties/people")
@doc("Per person in a month: confirmed and proposed penalties, the pay and dismissal-review flags, and the "
     "reward fund's balance", People, query=Month)
def penalty_people():
    month = request.args.get("month", "")
    rows = penalties.people(month, g.user)
    return {"month": month, "people": rows, "unassigned": penalties.unassigned_count(g.user, month),
            "fund": penalties.fund(month)}


class Flags(Schema):
    months = fields.List(fields.String(metadata=MONTH), required=True,
                         metadata={"description": "the months looked at, newest first"})
    flags = fields.List(fields.Nested(PersonMonth), required=True)


@bp.get("/penalties/flags")
@doc("The people flagged this month or last (50% of the pay, dismissal review): what the general manager is "
     "told of", Flags, query=FlagMonths)
def penalty_flags():
    months = request.args.getlist("month") or penalties.flag_months()
    return {"months": sorted(months, reverse=True), "flags": penalties.flags(g.user, months)}


@bp.post("/penalties")
@doc("Record a finding (perfunctory handling, concealment, …): the penalty table proposes its amount "
     "(service manager, customer department)", Penalty, status=201, body=Finding)
def record_finding():
    return penalties.as_dict(penalties.record_finding(g.user, json_body())), 201


@bp.post("/penalties/<int:penalty_id>/confirm")
@doc("Confirm a proposed penalty (service manager)", Penalty, body=Confirmation, path={"penalty_id": PENALTY_ID})
def confirm_penalty(penalty_id):
    return penalties.as_dict(penalties.confirm(g.user, penalty_id, json_body()))


@bp.post("/penalties/<int:penalty_id>/waive")
@doc("Waive a proposed penalty, with the reason (service manager)", Penalty, body=Waiver,
     path={"penalty_id": PENALTY_ID})
def waive_penalty(penalty_id):
    return penalties.as_dict(penalties.waive(g.user, penalty_id, json_body()))


@bp.post("/reward-fund/spending")
@doc("Record money spent from the reward fund (快乐基金)", Spent, status=201, body=Spending)
def record_fund_spending():
    entry = penalties.spend(g.user, json_body())
    return {"id": entry.id, "amount": entry.amount, "month": entry.month, "note": entry.note,
            "fund": penalties.fund()}, 201
