"""The penalty register's pages (处罚台账): per month the people with their flags, the reward
fund's balance and the entries; the service manager confirms or waives, the service manager and
the customer department enter findings. The forms post back here (CSRF) and return to the list."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_pgettext
from sqlalchemy import select

from .. import permissions
from ..clock import local, now
from ..errors import ServiceError
from ..extensions import db
from ..i18n import gettext, translate
from ..models import User
from ..services import penalties, units
from ..services.complaints import month_range
from . import lists
from .errors import reasons

bp = Blueprint("penalties", __name__)

STATUSES = {"proposed": lazy_pgettext("penalty status", "Proposed"),
            "confirmed": lazy_pgettext("penalty status", "Confirmed"),
            "waived": lazy_pgettext("penalty status", "Waived")}
BREACHES = {
    "missed_deadline": lazy_pgettext("breach", "Missed deadline"),
    "perfunctory_handling": lazy_pgettext("breach", "Perfunctory handling (customer survey)"),
    "concealment": lazy_pgettext("breach", "Concealment or false reporting"),
    "late_analysis": lazy_pgettext("breach", "Analysis handed in late"),
    "cover_up": lazy_pgettext("breach", "A department manager covering up"),
    "unauthorised_shipment": lazy_pgettext("breach", "Unauthorised return shipment"),
    "other_breach": lazy_pgettext("breach", "Other breach"),
}
UNITS = {"yuan": lazy_pgettext("unit", "yuan"), "points": lazy_pgettext("unit", "points")}


@bp.get("/penalties")
def register():
    month = request.args.get("month") or local(now()).strftime("%Y-%m")
    month_range(month)
    person, status = request.args.get("person") or None, request.args.get("status") or None
    unit = request.args.get("unit") or None
    found = penalties.register(g.user, month=month, person=person, status=status, unit=unit, after=lists.after(),
                               per_page=lists.PAGE_SIZE)
    everyone = permissions.sees_every(g.user, "penalties.read")
    staff = list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))) \
        if permissions.can(g.user, "penalties.find") or permissions.can(g.user, "penalties.decide") else []
    return render_template("penalties.html", month=month, person=person, status=status, found=found,
                           entries=found.items,
                           people=penalties.people(month, g.user, units.chosen(g.user, "penalties.read", unit)),
                           unassigned=penalties.unassigned_count(g.user, month),
                           fund=penalties.fund(month) if everyone else None, statuses=STATUSES, breaches=BREACHES,
                           units=UNITS, staff=staff, query=lists.current_query(),
                           flag_at=penalties.FLAG_AT, dismissal_months=penalties.DISMISSAL_MONTHS,
                           unit=unit, unit_names=lists.unit_names("penalties.read"))


def _back():
    """To the register of the month the form was sent from (a query parameter, never a URL)."""
    month = request.form.get("month") or ""
    return redirect(url_for("penalties.register", month=month if len(month) == 7 else None))


def _act(action, *args, done: str):
    try:
        action(g.user, *args)
    except ServiceError as err:
        found = "; ".join(f"{name}: {', '.join(texts)}" for name, texts in reasons(err).items())
        flash(gettext("Not saved: %(reasons)s", reasons=found or translate(err.message)))
    else:
        flash(done)
    return _back()


@bp.post("/penalties/<int:penalty_id>/confirm")
def confirm(penalty_id):
    body = {key: request.form.get(key) for key in ("person", "amount") if request.form.get(key)}
    return _act(penalties.confirm, penalty_id, body, done=gettext("The penalty was confirmed."))


@bp.post("/penalties/<int:penalty_id>/waive")
def waive(penalty_id):
    return _act(penalties.waive, penalty_id, {"reason": request.form.get("reason", "")},
                done=gettext("The penalty was waived."))


@bp.post("/penalties/findings")
def finding():
    body = {key: request.form.get(key) for key in ("person", "breach", "note", "role", "month", "case")
            if request.form.get(key)}
    return _act(penalties.record_finding, body, done=gettext("The finding was recorded and a penalty proposed."))


@bp.post("/penalties/fund")
def spending():
    body = {key: request.form.get(key) for key in ("amount", "note", "month") if request.form.get(key)}
    return _act(penalties.spend, body, done=gettext("The spending was recorded."))
