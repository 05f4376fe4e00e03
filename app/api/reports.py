"""The monthly report for the general manager, as HTML, XLSX or PDF."""
from flask import g, request
from marshmallow import Schema, fields, validate

from ..services import reports
from . import bp
from .openapi import MONTH, doc


class Format(Schema):
    format = fields.String(validate=validate.OneOf(list(reports.FORMATS)),
                           metadata={"description": "wins over the Accept header"})


@bp.get("/reports/monthly/<month>")
@doc("The monthly report for the general manager (managers), by ?format= or Accept", {"type": "string"},
     query=Format, path={"month": MONTH}, media=tuple(reports.FORMATS.values()))
def monthly_report(month):
    return reports.response(g.user, month, request.args.get("format"), request.accept_mimetypes)
