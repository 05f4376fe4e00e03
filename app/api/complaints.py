from flask import g, request
from marshmallow import Schema, fields, validate

from ..i18n import current_language, gettext
from ..services import complaints, exports
from . import bp, keyset
from .openapi import MONTH, Keyset, Out, doc, keyset_page_of

SORT = fields.String(validate=validate.OneOf(list(complaints.SORTS)),
                     metadata={"description": "number, received or deadline; '-' for descending (default -received)"})


class Filters(Schema):
    status, category, severity, channel = fields.String(), fields.String(), fields.String(), fields.String()
    month = fields.String(metadata=MONTH)
    responsible = fields.String(metadata={"description": "role key or username"})
    q = fields.String(metadata={"description": "full-text search"})
    sort = SORT


class LedgerFilters(Keyset, Filters):
    pass


class ExportQuery(Filters):
    format = fields.String(required=True, validate=validate.OneOf(list(exports.FORMATS)))


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
    closure_type = fields.String(allow_none=True, metadata={"description": "satisfied | unresolved | withdrawn"})
    first_deadline_at = fields.DateTime(allow_none=True, metadata={"description": "the first round's deadline"})
    first_handled_at = fields.DateTime(allow_none=True, metadata={"description": "the first round's handling"})
    source_callback_id = fields.Integer(allow_none=True)
    quality_complaint_number = fields.String(allow_none=True, metadata={
        "description": "the quality complaint (8D, QC-YYYYMM-NNNN) linked to it (a product-quality complaint)"})
    responsible_person = fields.String(allow_none=True)
    unit = fields.String(allow_none=True, metadata={"description": "the code of its organisation unit"})
    unit_name = fields.String(allow_none=True, metadata={"description": "its organisation unit's name (中文)"})


@bp.get("/complaints")
@doc("The complaint ledger", keyset_page_of(Complaint), query=LedgerFilters)
def list_complaints():
    found = complaints.ledger(g.user, **keyset(), **ledger_filters(request.args))
    return found.as_json([complaints.as_dict(c) for c in found.items])


def ledger_filters(args) -> dict:
    return {**{name: args.get(name) for name in complaints.FILTERS}, "sort": args.get("sort") or "-received"}


@bp.get("/complaints/export")
@doc(f"The filtered ledger as CSV (UTF-8 with BOM) or XLSX, at most {complaints.EXPORT_LIMIT} rows "
     "(header X-Export-Truncated: true when cut)", {"type": "string"}, query=ExportQuery,
     media=tuple(exports.FORMATS.values()))
def export_complaints():
    fmt = request.args.get("format")
    content, cut = complaints.export_file(g.user, fmt, current_language(), gettext(complaints.EXPORT_CUT),
                                          **ledger_filters(request.args))
    return content, 200, exports.headers(fmt, "complaints", cut)


@bp.get("/complaints/<number>")
@doc("One complaint by its number (TS-YYYYMM-NNNN)", Complaint)
def get_complaint(number):
    record = complaints.get(g.user, number)
    return {**complaints.as_dict(record), "quality_complaint_number": complaints.quality_complaint_number(record)}
