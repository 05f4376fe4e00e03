"""The loaner register's page (备用机台账): the loans of the reader's unit with an overdue filter;
the logistics clerk and the repair team lend a spare unit and take one back (forms posting back
here with CSRF; refused input shows the page again, 422, the fields named)."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_pgettext

from ..errors import ServiceError, ValidationFailed
from ..i18n import gettext, translate
from ..services import loaners
from . import lists
from .errors import reasons

bp = Blueprint("loaners", __name__)

STATUSES = {"out": lazy_pgettext("loan status", "Out"), "returned": lazy_pgettext("loan status", "Returned")}
LENT_FIELDS = ("loaner_serial", "loaner_unit_serial", "customer", "agreed_return_date", "note")


def _page(values=None, errors=None, return_errors=None, status=200):
    chosen = {name: request.args.get(name) or None for name in ("status", "overdue", "unit")}
    found = loaners.register(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    return render_template("loaners.html", found=found, loans=found.items, chosen=chosen, statuses=STATUSES,
                           is_overdue=loaners.is_overdue, values=values or {}, errors=errors or {},
                           return_errors=return_errors or {}, query=lists.current_query(),
                           unit_names=lists.unit_names(loaners.READ)), status


@bp.get("/loaners")
def register():
    return _page()


@bp.post("/loaners")
def lend():
    values = {name: request.form.get(name, "") for name in LENT_FIELDS}
    try:
        loan = loaners.lend(g.user, values)
    except ValidationFailed as err:
        return _page(values=values, errors=reasons(err), status=422)
    flash(gettext("Spare unit %(serial)s lent to %(customer)s.", serial=loan.loaner_serial, customer=loan.customer))
    return redirect(url_for("loaners.register"))


@bp.post("/loaners/<int:loaner_id>/return")
def give_back(loaner_id):
    try:
        loan = loaners.give_back(g.user, loaner_id, {"note": request.form.get("note", "")})
    except ValidationFailed as err:
        return _page(return_errors={loaner_id: reasons(err)}, status=422)
    except ServiceError as err:
        if err.status == 404:
            raise
        flash(gettext("Not saved: %(reasons)s", reasons=translate(err.message)))
        return redirect(url_for("loaners.register"))
    flash(gettext("Spare unit %(serial)s returned.", serial=loan.loaner_serial))
    return redirect(url_for("loaners.register"))
