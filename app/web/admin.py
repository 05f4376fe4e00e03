"""The admins' pages: the working-day calendar and the instances held in error or
suspended (more to come: users, deployments)."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..clock import now
from ..errors import InstanceInError, ValidationFailed
from ..i18n import N_, current_language, gettext
from ..models.units import KINDS
from ..services import calendar, instances, units
from .inbox import stopped_message
from .errors import reasons

bp = Blueprint("admin", __name__, url_prefix="/admin")
# Words the admin pages look up by a stored key (`_(data.source)`, `_(pending action kind)`).
STORED_WORDS = (N_("admin"), N_("library"), N_("weekdays"), N_("start"), N_("complete"), N_("timers"))


@bp.route("/calendar", methods=["GET", "POST"])
def calendar_page():
    errors = {}
    if request.method == "POST":
        try:
            if request.form.get("remove"):
                calendar.remove_day(g.user, request.form["remove"])
            else:
                calendar.set_day(g.user, request.form.get("day", ""), request.form.get("is_working") == "true",
                                 request.form.get("note", ""))
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            flash(gettext("Saved."))
            return redirect(url_for("admin.calendar_page", year=request.form.get("day", "")[:4] or None))
    year = request.args.get("year", type=int) or now().year
    return render_template("admin_calendar.html", data=calendar.year(year), year=year, errors=errors,
                           warnings=calendar.warnings(current_language())), 422 if errors else 200


@bp.route("/units", methods=["GET", "POST"])
def units_page():
    """The organisation units in their tree, and who belongs to which; an admin moves a person."""
    errors = {}
    if request.method == "POST":
        try:
            person = units.set_user_unit(g.user, request.form.get("username", ""), request.form.get("unit"))
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            flash(gettext("%(username)s now belongs to %(unit)s.", username=person.username,
                          unit=person.unit.label(current_language())))
            return redirect(url_for("admin.units_page"))
    return render_template("admin_units.html", tree=units.tree(g.user), people=units.people(g.user),
                           kinds=KINDS, errors=errors), 422 if errors else 200


HELD = ("error", "suspended")


@bp.get("/instances")
def held_instances():
    return _held_page({})


@bp.post("/instances/<int:instance_id>/<action>")
def act_on_instance(instance_id, action):
    try:
        if action == "retry":
            instances.retry(g.user, instance_id)
            flash(gettext("Retried: the instance runs on."))
        elif action == "cancel":
            instances.cancel(g.user, instance_id, request.form.get("reason", ""))
            flash(gettext("Cancelled."))
        elif action == "resume":
            instances.resume(g.user, instance_id)
            flash(gettext("Resumed."))
        else:
            return _held_page({}), 404
    except InstanceInError as err:
        flash(gettext("The retry failed again:") + " " + stopped_message(err))
    except ValidationFailed as err:
        return _held_page({instance_id: [r for found in reasons(err).values() for r in found]}), 422
    return redirect(url_for("admin.held_instances", status=request.args.get("status")))


def _held_page(errors: dict):
    status = request.args.get("status") if request.args.get("status") in HELD else "error"
    rows, total = instances.list_instances(g.user, status=status, per_page=200)
    return render_template("admin_instances.html", instances=rows, total=total, shown=status, held=HELD,
                           errors=errors)
