"""The monthly report: as HTML, XLSX or PDF (a signed month's stored files, an unsigned one's live
figures marked as a draft), where its procedure stands, and an admin's start of a month's report."""
from flask import g, request
from marshmallow import Schema, fields, validate

from .. import report_files
from ..files import rendered_file
from ..services import monthly_reports
from . import bp
from .openapi import MONTH, Out, doc


class Format(Schema):
    format = fields.String(validate=validate.OneOf(list(report_files.FORMATS)),
                           metadata={"description": "wins over the Accept header"})
    unit = fields.String(metadata={"description": "the code of an organisation unit: its live figures and its units' "
                                                  "below it (a branch's reader: their branch's)"})


class Person(Out):
    username = fields.String(required=True)
    display_name = fields.String(required=True)


class Signature(Out):
    role = fields.String(required=True, validate=validate.OneOf(("general_manager", "group_supervisor")))
    person = fields.Nested(Person, required=True)
    at = fields.String(required=True, metadata={"description": "YYYY-MM-DD HH:MM, service time zone"})


class StoredFile(Out):
    format = fields.String(required=True, validate=validate.OneOf(list(report_files.FORMATS)))
    sha256 = fields.String(required=True)
    size = fields.Integer(required=True)
    file_name = fields.String(required=True)


class ReportStatus(Out):
    month = fields.String(required=True, metadata=MONTH)
    state = fields.String(required=True, validate=validate.OneOf(tuple(monthly_reports.STATES)),
                          metadata={"description": "none, in_progress (the customer department reviews), signing "
                                                   "(waiting for the signatures) or signed (frozen)"})
    business_key = fields.String(allow_none=True, metadata={"description": "RPT-YYYYMM"})
    instance_id = fields.Integer(allow_none=True)
    due_at = fields.String(allow_none=True)
    analysis = fields.String(allow_none=True)
    improvements = fields.String(allow_none=True)
    signatures = fields.List(fields.Nested(Signature), required=True)
    files = fields.List(fields.Nested(StoredFile), required=True,
                        metadata={"description": "the files stored at the last signature (signed months)"})


class Started(Out):
    instance_id = fields.Integer(required=True)
    business_key = fields.String(required=True)


def _signature_dict(s: dict) -> dict:
    return {**s, "role_label": list(s["role_label"])}


@bp.get("/reports/monthly/<month>")
@doc("The monthly report for the general manager (managers), by ?format= or Accept: a signed month's files as "
     "they were signed (X-Report-SHA256), an unsigned month's live figures marked 草稿 (draft)", {"type": "string"},
     query=Format, path={"month": MONTH}, media=tuple(report_files.FORMATS.values()))
def monthly_report(month):
    fmt = report_files.negotiate(request.args.get("format"), request.accept_mimetypes)
    unit = request.args.get("unit") or None
    stored = monthly_reports.frozen_file(g.user, month, fmt, unit)
    if stored is not None:
        response = rendered_file(stored.content, stored.media_type, stored.file_name, inline=fmt == "html")
        response.headers["X-Report-SHA256"] = stored.sha256
        return response
    return rendered_file(*report_files.render(monthly_reports.live(g.user, month, unit), fmt), inline=fmt == "html")


@bp.get("/reports/monthly/<month>/status")
@doc("Where the month's report procedure stands: state, analysis, who signed when, the stored files",
     ReportStatus, path={"month": MONTH})
def monthly_report_status(month):
    found = monthly_reports.status(g.user, month)
    return {**found, "state_label": list(found["state_label"]),
            "signatures": [_signature_dict(s) for s in found["signatures"]]}


@bp.post("/reports/monthly/<month>/start")
@doc("Start the report procedure of a month that is over and has none (admins; the timer runner starts the "
     "month before on the 1st)", Started, status=201, path={"month": MONTH}, errors=(409,))
def start_monthly_report(month):
    instance = monthly_reports.admin_start(g.user, month)
    return {"instance_id": instance.id, "business_key": instance.business_key}, 201
