"""KPIs (考核指标) with their 12 months before, per department or person; the delivery register
(交车登记) they count deliveries from; and the older monthly number of deliveries."""
from flask import g, request
from marshmallow import Schema, fields, validate

from ..files import uploaded_csv
from ..i18n import current_language
from ..request_guards import upload_limit
from ..services import deliveries, kpis
from . import bp, json_body, keyset
from .openapi import MONTH, Keyset, Out, doc, keyset_page_of


class KpiQuery(Schema):
    month = fields.String(required=True, metadata=MONTH)
    by = fields.String(validate=validate.OneOf(["department", "person"]),
                       metadata={"description": "also per department (the role that handled) or per person"})
    unit = fields.String(metadata={"description": "the code of an organisation unit: its figures and its units' "
                                                  "below it (default: every unit the reader sees)"})


class Kpi(Schema):
    key = fields.String(required=True)
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True, allow_none=True)
    value = fields.Float(required=True, allow_none=True, metadata={"description": "a percentage"})


class MonthFigure(Schema):
    month = fields.String(required=True, metadata=MONTH)
    numerator = fields.Integer(required=True)
    denominator = fields.Integer(required=True, allow_none=True)
    value = fields.Float(required=True, allow_none=True)


class History(Schema):
    key = fields.String(required=True)
    values = fields.List(fields.Nested(MonthFigure), required=True,
                         metadata={"description": "the 12 months before and the month, oldest first"})


class Group(Schema):
    key = fields.String(required=True, metadata={"description": "a role key or unit; a username or advisor"})
    label = fields.String(required=True)
    items = fields.List(fields.Nested(Kpi), required=True)
    history = fields.List(fields.Nested(History), required=True)


class Kpis(Out):
    month = fields.String(required=True, metadata=MONTH)
    provisional = fields.Boolean(required=True, metadata={"description": "the month is not over"})
    items = fields.List(fields.Nested(Kpi), required=True)
    months = fields.List(fields.String(), required=True)
    history = fields.List(fields.Nested(History), required=True)
    by = fields.String(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the unit counted (with those below it); "
                                                                   "null: every unit"})
    groups = fields.List(fields.Nested(Group), required=True)


class DeliveriesEntry(Schema):
    deliveries = fields.Integer(required=True, validate=validate.Range(min=0, max=10_000_000))


class Deliveries(DeliveriesEntry):
    month = fields.String(required=True, metadata=MONTH)
    entered_by = fields.String(allow_none=True)
    entered_at = fields.DateTime(allow_none=True)


class DeliveryIn(Schema):
    repair_order = fields.String(required=True, validate=validate.Length(min=1, max=40))
    plate = fields.String(validate=validate.Length(max=32))
    customer_name = fields.String(validate=validate.Length(max=100))
    department = fields.String(allow_none=True, validate=validate.Length(max=64))
    service_advisor = fields.String(allow_none=True, validate=validate.Length(max=64))
    promised_delivery_at = fields.DateTime(allow_none=True)
    delivered_at = fields.DateTime(required=True)
    promised_completion_at = fields.DateTime(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    estimate_amount = fields.Float(allow_none=True, validate=validate.Range(min=0, max=9_999_999_999.99))
    final_amount = fields.Float(allow_none=True, validate=validate.Range(min=0, max=9_999_999_999.99))


class Delivery(Out, DeliveryIn):
    id = fields.Integer(required=True)
    source = fields.String(required=True, metadata={"description": "entered | import"})
    entered_by = fields.String(allow_none=True)
    entered_at = fields.DateTime(allow_none=True)


class DeliveryFilters(Keyset):
    month = fields.String(metadata=MONTH)


class Imported(Schema):
    rows = fields.Integer(required=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True, metadata={"description": "repair orders already in the register"})


CSV_UPLOAD = {"multipart/form-data": {"type": "object", "required": ["file"],
                                      "properties": {"file": {"type": "string", "format": "binary"}}},
              "text/csv": {"type": "string"}}


@bp.get("/kpis")
@doc("The KPIs of a month with the 12 months before, value null when the denominator is 0; with `by`, "
     "also per department or person (managers, the customer department); a branch's manager reads the "
     "branch's, the group any unit's (`unit`)", Kpis, query=KpiQuery)
def month_kpis():
    return kpis.for_month(g.user, request.args.get("month"), request.args.get("by"), current_language(),
                          request.args.get("unit") or None)


@bp.put("/deliveries/<month>")
@doc("Enter a month's deliveries, the complaint rate's denominator for a month the delivery register "
     "has no rows for (admin)", Deliveries, body=DeliveriesEntry, path={"month": MONTH})
def set_deliveries(month):
    body = json_body()
    return kpis.deliveries_dict(kpis.set_deliveries(g.user, month, body.get("deliveries")))


@bp.get("/deliveries")
@doc("The delivery register (交车登记), newest delivery first", keyset_page_of(Delivery), query=DeliveryFilters)
def list_deliveries():
    found = deliveries.listing(g.user, request.args.get("month") or None, **keyset())
    return found.as_json([deliveries.to_dict(row) for row in found.items])


@bp.post("/deliveries")
@doc("Enter one repair order in the delivery register; the same repair order again updates it",
     Delivery, status=(200, 201), body=DeliveryIn)
def enter_delivery():
    row, created = deliveries.enter(g.user, json_body())
    return deliveries.to_dict(row), 201 if created else 200


@bp.post("/deliveries/import")
@doc("Import the dealer system's CSV export (UTF-8 or GBK, header in Chinese or English): all rows or "
     "none, each bad cell named by line and column; repair orders already there are updated",
     Imported, body=CSV_UPLOAD)
@upload_limit(deliveries.MAX_IMPORT_BYTES + 64 * 1024)
def import_deliveries():
    return deliveries.import_csv(g.user, uploaded_csv(deliveries.MAX_IMPORT_BYTES))
