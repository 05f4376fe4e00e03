"""The monthly report for the general manager, as HTML, XLSX or PDF."""
from flask import g, request
from marshmallow import Schema, fields, validate

from .. import report_files
from ..files import rendered_file
from ..services import reports
from . import bp
from .openapi import MONTH, doc


class Format(Schema):
    format = fields.String(validate=validate.OneOf(list(report_files.FORMATS)),
                           metadata={"description": "wins over the Accept header"})


@bp.get("/reports/monthly/<month>")
@doc("The monthly report for the general manager (managers), by ?format= or Accept", {"type": "string"},
     query=Format, path={"month": MONTH}, media=tuple(report_files.FORMATS.values()))
def monthly_report(month):
    fmt = report_files.negotiate(request.args.get("format"), request.accept_mimetypes)
    return rendered_file(*report_files.render(reports.monthly(g.user, month), fmt), inline=fmt == "html")
