"""The general manager's page of monthly reports: a month picker and the three formats."""
from datetime import timedelta

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..clock import local, now
from ..errors import ValidationFailed
from ..i18n import gettext
from ..services import kpis, reports
from ..services.complaints import month_range
from .errors import reasons

bp = Blueprint("reports", __name__)


def _previous_month() -> str:
    """The month a report is asked for by default: the last one that is over."""
    return (local(now()).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@bp.get("/reports/monthly")
def monthly():
    month = request.args.get("month") or _previous_month()
    month_range(month)
    return render_template("reports.html", month=month, provisional=kpis.provisional(month),
                           formats=list(reports.FORMATS), indicators=kpis.compute(month), labels=kpis.KPIS,
                           percent=reports.percent)


@bp.get("/reports/monthly/<month>.<fmt>")
def monthly_file(month, fmt):
    return reports.response(g.user, month, fmt, None)


@bp.post("/reports/monthly/deliveries")
def enter_deliveries():
    """An admin enters the month's deliveries, the complaint rate's denominator."""
    month = request.form.get("month", "")
    raw = request.form.get("deliveries", "").strip()
    try:
        kpis.set_deliveries(g.user, month, int(raw) if raw.isdigit() else raw)
    except ValidationFailed as err:
        flash(gettext("Not saved: %(reasons)s", reasons="; ".join(r for found in reasons(err).values() for r in found)))
    else:
        flash(gettext("Saved."))
    return redirect(url_for("reports.monthly", month=month if len(month) == 7 else None))
