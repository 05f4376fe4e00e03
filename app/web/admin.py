"""The admins' pages: the working-day calendar (more to come: users, deployments)."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..clock import now
from ..errors import ValidationFailed
from ..i18n import current_language, gettext
from ..services import calendar

bp = Blueprint("admin", __name__, url_prefix="/admin")


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
            errors = err.fields
        else:
            flash(gettext("Saved."))
            return redirect(url_for("admin.calendar_page", year=request.form.get("day", "")[:4] or None))
    year = request.args.get("year", type=int) or now().year
    return render_template("admin_calendar.html", data=calendar.year(year), year=year, errors=errors,
                           warnings=calendar.warnings(current_language())), 422 if errors else 200
