from flask import g
from marshmallow import Schema, fields

from ..services import returns
from . import bp, json_body, keyset, register_page
from .openapi import Keyset, Out, UnitKeyset, doc, keyset_page_of


class RegisterFilters(UnitKeyset):
    status, branch = fields.String(), fields.String()
    q = fields.String(metadata={"description": "search number, model, branch, fault"})


class Unit(Out):
    serial, status = fields.String(required=True), fields.String(required=True)
    in_warranty, serial_intact = fields.Boolean(allow_none=True), fields.Boolean(allow_none=True)
    warranty_reason, damage = fields.String(allow_none=True), fields.String(allow_none=True)
    quote = fields.Dict(allow_none=True, metadata={
        "description": "out of warranty, version 2: yuan for repair, materials, added_parts, upgrade, and the total"})
    quote_answer = fields.String(allow_none=True, metadata={
        "description": "the branch manager's answer: accepted, refused, unanswered or expired"})


class ReturnAuthorization(Out):
    id = fields.Integer(required=True)
    number = fields.String(required=True, allow_none=True, metadata={"description": "RMA-YYYYMM-NNNN once approved"})
    instance_id = fields.Integer(allow_none=True)
    status, branch, model = fields.String(required=True), fields.String(), fields.String()
    quantity = fields.Integer()
    purchase_date = fields.Date()
    submitted_at = fields.DateTime()
    approved_at, received_at = fields.DateTime(allow_none=True), fields.DateTime(allow_none=True)
    repair_due_at, closed_at = fields.DateTime(allow_none=True), fields.DateTime(allow_none=True)
    quote_amount = fields.Float(allow_none=True)
    requested_by = fields.String(allow_none=True)
    serial_numbers = fields.List(fields.String(), required=True)
    units = fields.List(fields.Nested(Unit), required=True)
    unit = fields.String(allow_none=True, metadata={"description": "the code of its organisation unit"})
    request_kind = fields.String(metadata={"description": "repair (返修) or goods_return (退货)"})
    route = fields.String(allow_none=True, metadata={"description": "operating, managed or dealer (version 2)"})
    shipment_due_at = fields.DateTime(allow_none=True, metadata={"description": "approved and not shipped by then: cancelled"})
    end_reason = fields.String(allow_none=True, metadata={"description": "why it was withdrawn or cancelled"})


class Refusal(Out):
    id = fields.Integer(required=True)
    arrived_at = fields.DateTime(required=True)
    rma_number = fields.String(allow_none=True)
    branch, model, reason = fields.String(), fields.String(), fields.String()
    quantity = fields.Integer()
    serial_numbers = fields.List(fields.String())
    recorded_by = fields.String(allow_none=True)
    recorded_at = fields.DateTime()


class Receipt(Schema):
    accepted = fields.Boolean(required=True)
    number = fields.String(allow_none=True)
    instance_id = fields.Integer()
    status = fields.String()
    refusal = fields.Nested(Refusal, metadata={"description": "when refused: the record kept"})


SHIPMENT = {"type": "object", "required": ["data"],
            "properties": {"data": {"$ref": "#/components/schemas/return_shipment"}}}


@bp.get("/return-authorizations")
@doc("The return authorization register", keyset_page_of(ReturnAuthorization), query=RegisterFilters)
def list_return_authorizations():
    return register_page(returns.register, returns.as_dict, ("status", "branch", "q", "unit"))


@bp.get("/return-authorizations/<number>")
@doc("One return authorization by RMA number (or id before approval)", ReturnAuthorization)
def get_return_authorization(number):
    return returns.as_dict(returns.get(g.user, number))


@bp.post("/shipments")
@doc("Goods at the door (logistics): taken in under an approved RMA number, or refused and recorded", Receipt,
     status=201, body=SHIPMENT)
def receive_shipment():
    """Goods at the door: taken in under an approved RMA number, or refused and recorded."""
    return returns.receive_shipment(g.user, json_body().get("data", {})), 201


@bp.get("/refused-shipments")
@doc("Shipments refused for want of an approved return authorization", keyset_page_of(Refusal), query=Keyset)
def list_refused_shipments():
    found = returns.refusals(g.user, **keyset())
    return found.as_json([returns.refusal_dict(r) for r in found.items])
