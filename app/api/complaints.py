from flask import g, request

from ..services import complaints
from marshmallow import fields

from . import bp, pagination
from .openapi import MONTH, Out, Paging, doc, page_of

FILTERS = ("status", "category", "severity", "channel", "month", "responsible", "q")


class LedgerFilters(Paging):
    status, category, severity, channel = fields.String(), fields.String(), fields.String(), fields.String()
    month = fields.String(metadata=MONTH)
    responsible = fields.String(metadata={"description": "role key or username"})
    q = fields.String(metadata={"description": "full-text search"})


class Complaint(Out):
    number = fields.String(required=True, metadata={"description": "TS-YYYYMM-NNNN"})
    instance_id = fields.Integer(allow_none=True)
    received_at = fields.DateTime(required=True)
    channel, customer_name, contact_phone = fields.String(), fields.String(), fields.String()
    vehicle, description = fields.String(), fields.String()
    category, severity = fields.String(allow_none=True), fields.String(allow_none=True)
    responsible_role = fields.String(allow_none=True)
    deadline_at = fields.DateTime(allow_none=True)
    status = fields.String(required=True)
    return_repair = fields.Boolean()
    handling_rounds = fields.Integer()
    callback_satisfied = fields.Boolean(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    source_callback_id = fields.Integer(allow_none=True)
    responsible_person = fields.String(allow_none=True)


@bp.get("/complaints")
@doc("The complaint ledger", page_of(Complaint), query=LedgerFilters)
def list_complaints():
    page, per_page = pagination()
    rows, total = complaints.ledger(g.user, page=page, per_page=per_page,
                                    **{name: request.args.get(name) for name in FILTERS})
    return {"items": [complaints.as_dict(c) for c in rows], "total": total}


@bp.get("/complaints/<number>")
@doc("One complaint by its number (TS-YYYYMM-NNNN)", Complaint)
def get_complaint(number):
    return complaints.as_dict(complaints.get(g.user, number))
