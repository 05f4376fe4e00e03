"""The customer visit pages (客户拜访): the visit register, the visit plans, planning visits for a
customer and ending a plan."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_pgettext

from .. import forms
from ..errors import Forbidden, ValidationFailed
from ..forms.jsonschema import form_schema
from ..i18n import current_language, gettext
from ..services import customer_visits, deployments, instances
from . import lists
from .errors import reasons
from .inbox import posted_data

bp = Blueprint("visits", __name__)

LABELS = {
    "active": lazy_pgettext("visit plan status", "Active"), "ended": lazy_pgettext("visit plan status", "Ended"),
    "open": lazy_pgettext("visit status", "To visit"), "recorded": lazy_pgettext("visit status", "Recorded"),
    "cancelled": lazy_pgettext("visit status", "Cancelled (plan ended)"),
    "visit": lazy_pgettext("visit kind", "Visit"), "conference": lazy_pgettext("visit kind", "Phone conference"),
}


@bp.context_processor
def visit_labels():
    return {"visit_label": lambda key: str(LABELS.get(key, key or "")),
            "class_label": lambda key: forms.choice_label("visit_class", key, current_language(),
                                                          deployments.current_forms())}


@bp.get("/visits")
def register():
    chosen = {name: request.args.get(name) or None for name in ("status", "visit_class", "overdue", "unit")}
    found = customer_visits.visits(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    return render_template("visits.html", visits=found.items, found=found, chosen=chosen,
                           statuses=customer_visits.VISIT_STATUSES, classes=customer_visits.CLASSES,
                           query=lists.current_query(), unit_names=lists.unit_names("visits.read"))


@bp.get("/visit-plans")
def plans():
    chosen = {name: request.args.get(name) or None for name in ("status", "visit_class", "unit")}
    found = customer_visits.plans(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    return render_template("visit_plans.html", plans=found.items, found=found, chosen=chosen,
                           statuses=customer_visits.PLAN_STATUSES, classes=customer_visits.CLASSES,
                           next_period_at=customer_visits.next_period_at, query=lists.current_query(),
                           unit_names=lists.unit_names("visits.read"))


@bp.route("/visit-plans/new", methods=["GET", "POST"])
def new_plan():
    version = deployments.latest_version(customer_visits.PROCESS_KEY)
    schema = form_schema(forms.of_version(version)[version.start_form], current_language())
    values, errors = {}, {}
    if request.method == "POST":
        values = posted_data(schema)
        try:
            plan = customer_visits.create_plan(g.user, values, request.form.get("unit") or None)
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            flash(gettext("Visit plan %(id)s for %(customer)s: the visits open each period.", id=plan.id,
                          customer=plan.customer_name))
            return redirect(url_for("visits.plan", plan_id=plan.id))
    units = instances.start_units(g.user)  # a plan is for a unit: its visits are that unit's
    return render_template("start.html", key=customer_visits.PROCESS_KEY, schema=schema, values=values,
                           errors=errors, units=units if len(units) > 1 else [], unit=request.form.get("unit")), \
        422 if errors else 200


@bp.get("/visit-plans/<int:plan_id>")
def plan(plan_id):
    record = customer_visits.get_plan(g.user, plan_id)
    try:
        instance = instances.get(g.user, record.instance_id) if record.instance_id else None
    except Forbidden:
        instance = None
    return render_template("visit_plan.html", plan=record, instance=instance,
                           next_period_at=customer_visits.next_period_at(record),
                           history=instances.history(instance) if instance else [],
                           open_tasks=instances.open_tasks(instance) if instance else [])


@bp.post("/visit-plans/<int:plan_id>/end")
def end_plan(plan_id):
    try:
        customer_visits.end_plan(g.user, plan_id, request.form.get("reason", ""))
    except ValidationFailed as err:
        flash(gettext("The plan was not ended: {reasons}").format(
            reasons="; ".join(" ".join(v) for v in reasons(err).values())))
    else:
        flash(gettext("The visit plan has ended: no more visits open."))
    return redirect(url_for("visits.plan", plan_id=plan_id))
