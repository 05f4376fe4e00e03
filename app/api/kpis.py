"""KPIs (考核指标) and the monthly deliveries the complaint rate needs."""
from flask import g, request
from marshmallow import Schema, fields, validate

from ..services import kpis
from . import bp, json_body
from .openapi import MONTH, doc


class Month(Schema):
    month = fields.String(required=True, metadata=MONTH)


class Kpi(Schema):
    key = fields.String(required=True)
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True, allow_none=True)
    value = fields.Float(required=True, allow_none=True, metadata={"description": "a percentage"})


class Kpis(Schema):
    month = fields.String(required=True, metadata=MONTH)
    provisional = fields.Boolean(required=True, metadata={"description": "the month is not over"})
    items = fields.List(fields.Nested(Kpi), required=True)


class DeliveriesEntry(Schema):
    deliveries = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000_000))


class Deliveries(DeliveriesEntry):
    month = fields.String(required=True, metadata=MONTH)
    entered_by = fields.String(allow_none=True)
    entered_at = fields.DateTime(allow_none=True)


@bp.get("/kpis")
@doc("The KPIs of a month, value null when the denominator is 0 (managers)", Kpis, query=Month)
def month_kpis():
    return kpis.for_month(g.user, request.args.get("month"))


@bp.put("/deliveries/<month>")
@doc("Enter a month's deliveries, the complaint rate's denominator (admin)", Deliveries, body=DeliveriesEntry,
     path={"month": MONTH})
def set_deliveries(month):
    body = json_body()
    return kpis.deliveries_dict(kpis.set_deliveries(g.user, month, body.get("deliveries")))

