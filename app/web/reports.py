"""The general manager's page of monthly reports (a month picker and the three formats), the KPI
page with its charts, and the delivery register (entered one by one or imported from CSV)."""
from datetime import timedelta

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..clock import local, now
from ..errors import Conflict, PayloadTooLarge, ValidationFailed
from .. import permissions, report_files
from ..files import rendered_file, uploaded_csv
from ..i18n import current_language, gettext, translate
from ..request_guards import upload_limit
from ..services import callback_reports, deliveries, kpis, monthly_reports
from ..services.complaints import month_range
from . import lists
from .labels import label_of
from .errors import reasons

bp = Blueprint("reports", __name__)


def _previous_month() -> str:
    """The month a report is asked for by default: the last one that is over."""
    return (local(now()).replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


@bp.get("/reports/monthly")
def monthly():
    month = request.args.get("month") or _previous_month()
    month_range(month)
    proc = monthly_reports.status(g.user, month)
    chosen, counted = kpis.units_asked(g.user, request.args.get("unit") or None, "reports.read")
    unit = chosen.code if chosen else (g.user.unit.code if counted is not None and g.user.unit else None)
    units = kpis.unit_choices(g.user, "reports.read")
    return render_template("reports.html", month=month, provisional=kpis.provisional(month),
                           formats=list(report_files.FORMATS), indicators=kpis.compute(month, counted),
                           labels=kpis.KPIS, percent=report_files.percent, proc=proc,
                           month_over=not kpis.provisional(month), units=units if len(units) > 1 else [], unit=unit,
                           can_all_units=permissions.units_below(g.user, "reports.read") is None,
                           unit_name=next((u.label(current_language()) for u in units if u.code == unit), "")
                           if counted is not None else "")


@bp.get("/reports/monthly/<month>.<fmt>")
def monthly_file(month, fmt):
    """A signed month's file as it was stored at the signature; an unsigned month's live figures (草稿)."""
    fmt = report_files.negotiate(fmt, None)
    unit = request.args.get("unit") or None
    stored = monthly_reports.frozen_file(g.user, month, fmt, unit)
    if stored is not None:
        return rendered_file(stored.content, stored.media_type, stored.file_name, inline=fmt == "html")
    return rendered_file(*report_files.render(monthly_reports.live(g.user, month, unit), fmt), inline=fmt == "html")


@bp.post("/reports/monthly/<month>/start")
def start_monthly(month):
    """An admin starts the report procedure of a month that has none."""
    try:
        instance = monthly_reports.admin_start(g.user, month)
    except (Conflict, ValidationFailed) as err:
        why = "; ".join(r for found in reasons(err).values() for r in found) if isinstance(err, ValidationFailed) else ""
        flash(translate(err.message) + (f": {why}" if why else ""))
    else:
        flash(gettext("Monthly report %(key)s started.", key=instance.business_key))
    return redirect(url_for("reports.monthly", month=month))


@bp.get("/reports/callbacks/weekly")
def callback_week():
    """The weekly callback report (回访周报): last week by default, ?week= any day of another."""
    report = callback_reports.week(g.user, request.args.get("week") or None, request.args.get("unit") or None)
    return render_template("report_callback_week.html", report=report, figures=report_files.WEEK_FIGURES,
                           text_status=lambda key: label_of(key, current_language()),
                           unit_names=lists.unit_names(callback_reports.READ_WEEK))


@bp.get("/reports/callbacks/weekly.xlsx")
def callback_week_file():
    report = callback_reports.week(g.user, request.args.get("week") or None, request.args.get("unit") or None)
    name = f"callback-week-{report['week_start']}" + (f"-{report['unit']}" if report["unit"] else "")
    return rendered_file(report_files.callback_week_xlsx(report), report_files.FORMATS["xlsx"], f"{name}.xlsx",
                         inline=False)


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


@bp.get("/kpis")
def kpis_page():
    """Each KPI of the month with its 12 months before, overall or per department or person: a
    table and one chart per KPI, drawn by static/src/kpis.js from the JSON block of the page."""
    month = request.args.get("month") or _previous_month()
    by = request.args.get("by") or None
    answer = kpis.for_month(g.user, month, by, current_language(), request.args.get("unit") or None)
    units = kpis.unit_choices(g.user)
    english = current_language() == "en"
    names = {key: en if english else zh for key, en, zh in kpis.KPIS}
    everyone = gettext("Whole department")
    if by:
        lines = [(group["label"], group["history"]) for group in answer["groups"]]
    else:
        lines = [(everyone, answer["history"])]
    charts = {"months": answer["months"], "percent": gettext("Percentage"), "empty": gettext("No figures"),
              "kpis": [{"key": key, "label": names[key],
                        "series": [{"name": name, "values": [v["value"] for v in history[i]["values"]]}
                                   for name, history in lines]}
                       for i, (key, *_) in enumerate(kpis.KPIS)]}
    return render_template("kpis.html", month=month, by=by, answer=answer, names=names, charts=charts,
                           groupings=kpis.GROUPINGS, percent=report_files.percent,
                           units=units if len(units) > 1 else [], unit=answer["unit"],
                           can_all_units=permissions.units_below(g.user, "kpis.read") is None,
                           unit_name=next((u.label(current_language()) for u in units if u.code == answer["unit"]), ""))


@bp.get("/deliveries")
def deliveries_page(problems: list[str] | None = None, status: int = 200):
    """The register (one month's or all, newest first) with the entry form and the CSV upload; a
    refused entry or import comes back here with every problem listed."""
    month = request.args.get("month") or None
    found = deliveries.listing(g.user, month, after=lists.after(), per_page=lists.PAGE_SIZE)
    return render_template("deliveries.html", found=found, rows=[deliveries.to_dict(r) for r in found.items],
                           month=month, fields=deliveries.FIELDS, query=lists.current_query(),
                           problems=problems or [], form=request.form if problems else {}), status


def _refused(err):
    labels = {name: str(label) for name, (label, *_) in deliveries.FIELDS.items()}
    listed = [reason if name == "file" else f"{labels.get(name, name)}: {reason}"
              for name, found in reasons(err).items() for reason in found]
    return deliveries_page(listed or [translate(err.message)], err.status)


@bp.post("/deliveries")
def enter_delivery():
    try:
        row, _ = deliveries.enter(g.user, {name: request.form.get(name, "") for name in deliveries.FIELDS})
    except ValidationFailed as err:
        return _refused(err)
    flash(gettext("Repair order %(number)s saved.", number=row.repair_order))
    return redirect(url_for("reports.deliveries_page"))


@bp.post("/deliveries/import")
@upload_limit(deliveries.MAX_IMPORT_BYTES + 64 * 1024)
def import_deliveries():
    try:
        done = deliveries.import_csv(g.user, uploaded_csv(deliveries.MAX_IMPORT_BYTES))
    except (PayloadTooLarge, ValidationFailed) as err:
        return _refused(err)
    flash(gettext("Imported %(rows)s repair orders: %(created)s new, %(updated)s updated.", **done))
    return redirect(url_for("reports.deliveries_page"))
