"""The monthly report for the general manager, as HTML, XLSX or PDF."""
from flask import g, request

from ..services import reports
from . import bp


@bp.get("/reports/monthly/<month>")
def monthly_report(month):
    return reports.response(g.user, month, request.args.get("format"), request.accept_mimetypes)
