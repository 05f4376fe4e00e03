"""Notices on the pages: the inbox count the badge polls (static/notices.js) and the person's
own settings page, where they choose to hear of new tasks by e-mail or WeCom robot."""
from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, url_for

from ..errors import ValidationFailed
from ..i18n import gettext
from ..services import inbox, notices

bp = Blueprint("notices", __name__)


@bp.get("/inbox/count")
def inbox_count():
    """{"open", "overdue", "newest"}: never cached, so a poll sees what is there now."""
    response = jsonify(inbox.summary(g.user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    values = {"notify_by": g.user.notify_by, "notify_to": g.user.notify_to or ""}
    errors = {}
    if request.method == "POST":
        values = {"notify_by": request.form.get("notify_by", ""), "notify_to": request.form.get("notify_to", "")}
        try:
            notices.set_preference(g.user, values["notify_by"], values["notify_to"])
        except ValidationFailed as err:
            errors = err.fields
        else:
            flash(gettext("Saved."))
            return redirect(url_for("notices.settings"))
    status = 422 if errors else 200
    return render_template("settings.html", values=values, errors=errors, channels=notices.CHANNELS), status
