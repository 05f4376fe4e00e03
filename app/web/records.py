"""The records' pages: the complaint ledger, a case's history, the return authorization
register with receiving at the door, and the callback log with the list due tomorrow."""
from flask import Blueprint, flash, g, make_response, redirect, render_template, request, url_for

from .. import forms, permissions
from ..errors import Forbidden, InstanceInError, PayloadTooLarge, ValidationFailed
from ..files import attachment_request_bytes, stored_file, uploaded_file
from ..forms.jsonschema import form_schema
from ..i18n import current_language, gettext
from ..request_guards import upload_limit
from ..roles import DEPARTMENT_ROLES, ROLES
from ..clock import local, now
from ..services import (callback_reports, callbacks, casefiles, complaints, deployments, exports, instances,
                        quality_complaints, returns)
from . import lists
from .inbox import posted_data, stopped_message
from .labels import label_of, quality_label
from .procedures import EDITOR_CSP
from .errors import reasons

bp = Blueprint("records", __name__)


def _ledger_choices() -> dict:
    """What the ledger's filters offer: the choices as the latest complaint forms label them."""
    known = deployments.current_forms()
    return {"CATEGORIES": forms.choices(known, "category"), "SEVERITIES": forms.choices(known, "severity"),
            "CHANNELS": forms.choices(known, "channel"), "DEPARTMENTS": [(key, *ROLES[key]) for key in DEPARTMENT_ROLES]}


def _ledger_filters() -> dict:
    return {**{name: request.args.get(name) or None for name in complaints.FILTERS},
            "sort": request.args.get("sort") or "-received"}


@bp.get("/complaints")
def ledger():
    chosen = _ledger_filters()
    found = complaints.ledger(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    return render_template("complaints.html", complaints=found.items, found=found, chosen=chosen,
                           statuses=complaints.STATUSES, choices=_ledger_choices(),
                           export_limit=complaints.EXPORT_LIMIT, **lists.page_context("complaints"))


@bp.get("/complaints/export.<fmt>")
def ledger_export(fmt):
    content, cut = complaints.export_file(g.user, fmt, current_language(), gettext(complaints.EXPORT_CUT),
                                          **_ledger_filters())
    return content, 200, exports.headers(fmt, "complaints", cut)


lists.add_saved_filter_routes(bp, "complaints", "records.ledger")


@bp.get("/complaints/<number>")
def complaint(number):
    record = complaints.get(g.user, number)
    return _record_page("complaint.html", record.instance_id, complaint=record,
                        quality_complaint_number=complaints.quality_complaint_number(record))


@bp.get("/complaints/<number>/print")
def complaint_print(number):
    """The complaint handling form (投诉处理单) for printing: its fields, every task's answers,
    the signature lines."""
    record = complaints.get(g.user, number)
    return _record_page("complaint_print.html", record.instance_id, complaint=record)


# ---------------------------------------------------------------- a case: diagram, history, comments, files

@bp.get("/instances/<int:instance_id>")
def instance(instance_id, errors=None, text="", status=200):
    """The case: its diagram with the path taken and the current tasks marked (static/case.js,
    bpmn-js's viewer, which styles what it draws: the page allows inline styles, not scripts),
    the history beside it, comments and attachments."""
    found = instances.get(g.user, instance_id)
    page = render_template("instance.html", instance=found, history=instances.history(found),
                           open_tasks=instances.open_tasks(found),
                           comments=casefiles.comments(g.user, found.id),
                           attachments=casefiles.attachments(g.user, found.id),
                           max_comment=casefiles.MAX_COMMENT_CHARS, errors=errors or {}, text=text)
    response = make_response(page, status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


@bp.get("/instances/<int:instance_id>/diagram")
def instance_diagram(instance_id):
    return instances.diagram(instances.get(g.user, instance_id))


@bp.post("/instances/<int:instance_id>/comments")
def comment(instance_id):
    text = request.form.get("text", "")
    try:
        casefiles.add_comment(g.user, instance_id, text)
    except ValidationFailed as err:
        return instance(instance_id, errors=err.fields, text=text, status=err.status)
    flash(gettext("Comment added."))
    return redirect(url_for("records.instance", instance_id=instance_id, _anchor="comments"))


@bp.post("/instances/<int:instance_id>/attachments")
@upload_limit(attachment_request_bytes)
def attach(instance_id):
    try:
        name, content = uploaded_file()
        casefiles.add_attachment(g.user, instance_id, name, content)
    except (PayloadTooLarge, ValidationFailed) as err:
        return instance(instance_id, errors=err.fields, status=err.status)
    flash(gettext("File attached."))
    return redirect(url_for("records.instance", instance_id=instance_id, _anchor="attachments"))


@bp.get("/instances/<int:instance_id>/attachments/<int:attachment_id>")
def attachment(instance_id, attachment_id):
    found = casefiles.attachment(g.user, instance_id, attachment_id)
    return stored_file(found.content, found.content_type, found.file_name)


# ---------------------------------------------------------------- returns and callbacks

@bp.context_processor
def record_labels():
    lang = current_language()
    return {"status_label": lambda key: label_of(key, lang), "quality_label": quality_label}


@bp.get("/returns")
def return_register():
    chosen = {name: request.args.get(name) or None for name in ("status", "q", "unit")}
    found = returns.register(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    refused = returns.refusals(g.user, per_page=50).items if permissions.can(g.user, "returns.read_refusals") \
        else None
    return render_template("returns.html", requests=found.items, found=found, chosen=chosen, refused=refused,
                           statuses=returns.STATUSES, query=lists.current_query(),
                           unit_names=lists.unit_names(returns.READ))


@bp.route("/returns/receive", methods=["GET", "POST"])
def receive_shipment():
    schema = form_schema(forms.shipped()["return_authorization.shipment"], current_language())
    values, errors, outcome = {}, {}, None
    if request.method == "POST":
        values = posted_data(schema)
        try:
            outcome = returns.receive_shipment(g.user, values)
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            if outcome["accepted"]:
                flash(gettext("Taken in under %(number)s", number=outcome["number"]))
            else:
                flash(gettext("Refused and recorded: no approved return authorization."))
            return redirect(url_for("records.return_register"))
    return render_template("receive.html", schema=schema, values=values, errors=errors), 422 if errors else 200


@bp.get("/returns/<key>")
def return_authorization(key):
    record = returns.get(g.user, key)
    quotes = [(unit, returns.unit_quote(unit)) for unit in record.units if unit.quote_repair is not None]
    return _record_page("return.html", record.instance_id, record=record, quotes=quotes)


@bp.get("/callbacks")
def callback_log():
    """The clerk's list: by default the callbacks due on the next working day."""
    due = request.args.get("due", callbacks.next_working_day().isoformat())
    status, unit = request.args.get("status") or None, request.args.get("unit") or None
    found = callbacks.log(g.user, status=status, due=due or None, unit=unit, after=lists.after(),
                          per_page=lists.PAGE_SIZE)
    month = request.args.get("month") or local(now()).strftime("%Y-%m")
    figures = callback_reports.advisor_figures(g.user, month) if permissions.can(g.user, "callbacks.read_figures") else None
    return render_template("callbacks.html", callbacks=found.items, found=found, due=due, status=status,
                           statuses=callbacks.STATUSES, query=lists.current_query(), figures=figures, month=month,
                           unit=unit, unit_names=lists.unit_names("callbacks.read_log"))


@bp.get("/callbacks/<int:callback_id>")
def callback(callback_id):
    record = callbacks.get(g.user, callback_id)
    return _record_page("callback.html", record.instance_id, callback=record)


# ---------------------------------------------------------------- quality complaints (8D)

@bp.get("/quality-complaints")
def quality_complaints_page():
    chosen = {name: request.args.get(name) or None for name in quality_complaints.FILTERS}
    found = quality_complaints.register(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    return render_template("quality_complaints.html", records=found.items, found=found, chosen=chosen,
                           statuses=quality_complaints.STATUSES, closures=quality_complaints.CLOSURES,
                           query=lists.current_query(), unit_names=lists.unit_names(quality_complaints.READ))


@bp.route("/quality-complaints/new", methods=["GET", "POST"])
def new_quality_complaint():
    """Taking a quality complaint in directly (customer relations or quality assurance)."""
    version = deployments.latest_version(quality_complaints.PROCEDURE)
    schema = form_schema(forms.of_version(version)[version.start_form], current_language())
    values, errors = {}, {}
    if request.method == "POST":
        values = posted_data(schema)
        try:
            started = quality_complaints.open_complaint(g.user, values, request.form.get("unit") or None)
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            if started.status == "error":  # the case exists, held in error: say where it stopped
                flash(stopped_message(InstanceInError(started.error_element_id, started.error_message)))
                return redirect(url_for("records.quality_complaints_page"))
            flash(gettext("Quality complaint registered: %(number)s", number=started.business_key or started.id))
            if started.business_key:
                return redirect(url_for("records.quality_complaint", number=started.business_key))
            return redirect(url_for("records.quality_complaints_page"))
    units = instances.start_units(g.user)  # the department takes a branch's in: the unit is chosen
    return render_template("start.html", schema=schema, values=values, errors=errors,
                           units=units if len(units) > 1 else [], unit=request.form.get("unit")), \
        422 if errors else 200


@bp.get("/quality-complaints/<number>")
def quality_complaint(number):
    record = quality_complaints.get(g.user, number)
    return _record_page("quality_complaint.html", record.instance_id, record=record,
                        attachments=quality_complaints.attachments(g.user, record))


def _record_page(template: str, instance_id: int | None, **record):
    """A record with its case's history and open tasks, when the reader may see the case:
    a register reader (the general manager, the ledger clerk) may not have worked on it."""
    try:
        instance = instances.get(g.user, instance_id) if instance_id else None
    except Forbidden:
        instance = None
    return render_template(template, instance=instance, history=instances.history(instance) if instance else [],
                           open_tasks=instances.open_tasks(instance) if instance else [], **record)
