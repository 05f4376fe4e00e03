"""The staff's pages: the inbox of their roles, a task's form, and starting a procedure."""
from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from .. import forms, permissions, report_files
from ..errors import Conflict, InstanceInError, ValidationFailed
from ..extensions import csrf
from ..forms.jsonschema import form_schema
from ..i18n import current_language, gettext
from ..services import deployments, inbox, instances, monthly_reports, penalties, timeline
from . import lists
from .errors import reasons

bp = Blueprint("inbox", __name__)


def stopped_message(err: InstanceInError) -> str:
    return gettext("The procedure stopped at element %(element)s (%(reason)s): the answers are kept and an "
                   "admin was told.", element=err.element_id or "-", reason=err.reason)


def posted_data(schema: dict) -> dict:
    """The posted fields typed as the form's schema says; blank optional fields left out."""
    data = {}
    for name in schema["properties"]:
        value = request.form.get(name, "").strip()
        if value == "" and name not in schema.get("required", []):
            continue
        data[name] = value
    return data


@bp.get("/")
def index():
    chosen = inbox.filters_from(request.args)
    found = inbox.list_tasks(g.user, after=lists.after(), per_page=lists.PAGE_SIZE, **chosen)
    lang = current_language()
    latest = deployments.latest_versions()
    startable = [v for v in latest if instances.may_start(g.user, v)]
    flags = penalties.flags(g.user) if permissions.can(g.user, "penalties.flags") else []
    return render_template("inbox.html", tasks=[inbox.task_item(t, lang) for t in found.items], found=found,
                           chosen=chosen, lanes=inbox.lane_counts(g.user), procedures=latest,
                           startable=startable, flags=flags, flag_at=penalties.FLAG_AT,
                           dismissal_months=penalties.DISMISSAL_MONTHS, **lists.page_context("inbox"))


lists.add_saved_filter_routes(bp, "inbox", "inbox.index")


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
@csrf.exempt  # checked below, after the door: a signed-out post is sent to sign in and back here
def task(task_id):
    if request.method == "POST":
        return submit(task_id)
    open_task = inbox.get_task(g.user, task_id)
    draft = inbox.get_draft(g.user, open_task)
    return task_page(open_task, draft.data if draft else forms.defaults(inbox.form_of(open_task)))  # never the case's values


def task_page(open_task, values: dict, errors: dict | None = None, refusal: str | None = None, status: int = 200,
              record=None):
    """The task's page: its form to fill, or read-only (held by someone else, completed meanwhile, or a
    manager's view) with `refusal` saying why what was typed was not accepted."""
    lang = current_language()
    if record is not None:  # completed by someone else meanwhile: its record stands in for the task
        item, instance, form = inbox.record_item(record, lang), record.instance, inbox.form_of(record)
    else:
        item, instance, form = inbox.task_item(open_task, lang), open_task.instance, inbox.form_of(open_task)
    read_only = record is not None or inbox.held_by_other(g.user, open_task) or \
        not permissions.can(g.user, "tasks.complete", open_task)
    report = monthly_reports.shown_by_task(open_task)  # a monthly report's tasks show the month's report
    shown = {"shown_report": report_files.body_context(report)} if report else {}
    return render_template("task.html", task=item, open_task=open_task, schema=form_schema(form, lang), **shown,
                           values=values, errors=errors or {}, instance=instance, read_only=read_only,
                           refusal=refusal, assignees=inbox.assignees(open_task) if open_task else [],
                           case=timeline.of_task(open_task, lang) if open_task else None), status


def submit(task_id):
    """Complete the task, or save a draft of it. Refused, the page comes back with what was typed."""
    try:
        open_task = inbox.get_task(g.user, task_id)
    except Conflict as err:
        record = None if isinstance(err, InstanceInError) else inbox.completed_record(g.user, task_id)
        if record is None:
            raise
        return task_page(None, posted_data(form_schema(inbox.form_of(record), current_language())),
                         refusal=gettext(err.message), status=409, record=record)
    values = posted_data(form_schema(inbox.form_of(open_task), current_language()))
    try:
        csrf.protect()
    except CSRFError:
        return task_page(open_task, values, status=400, refusal=gettext(
            "The form expired: what you typed is shown again; submit it once more."))
    try:
        if "save_draft" in request.form:
            inbox.save_draft(g.user, task_id, values)
            flash(gettext("Draft saved."))
            session["forget_form"] = f"{g.user.id}:{request.path}"
            return redirect(url_for("inbox.task", task_id=task_id))
        instance = inbox.complete(g.user, task_id, values)
    except ValidationFailed as err:
        return task_page(open_task, values, errors=reasons(err), status=422)
    except InstanceInError as err:  # the mark is kept: the redirect commits it
        flash(stopped_message(err))
        return redirect(url_for("inbox.index"))
    except Conflict as err:  # claimed or completed by someone else meanwhile
        record = inbox.completed_record(g.user, task_id)
        current = None if record else inbox.get_task(g.user, task_id)
        return task_page(current, values, refusal=gettext(err.message), status=409, record=record)
    flash(gettext("Task completed.") + (f" {instance.business_key}" if instance.business_key else ""))
    session["forget_form"] = f"{g.user.id}:{request.path}"  # the browser may drop what it kept of this form
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/claim")
def claim(task_id):
    inbox.claim(g.user, task_id)
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id):
    inbox.unclaim(g.user, task_id)
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/assign")
def assign(task_id):
    try:
        inbox.assign(g.user, task_id, request.form.get("username", ""))
    except ValidationFailed as err:
        flash(f"{gettext('Not assigned')}: {'; '.join(err.fields.get('username', []))}")
    else:
        flash(gettext("Task assigned."))
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.route("/start/<key>", methods=["GET", "POST"])
def start(key):
    version = deployments.latest_version(key)
    schema = form_schema(forms.of_version(version)[version.start_form], current_language()) if version.start_form else \
        {"title": version.name, "properties": {}, "required": []}
    values, errors = {}, {}
    if request.method == "POST":
        values = posted_data(schema)
        try:
            instance = instances.start(g.user, key, values, request.form.get("unit") or None)
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            started = gettext("Complaint registered") if key == "complaint" else version.name
            flash(f"{started}: {instance.business_key or instance.id}")
            if instance.status == "error":
                flash(stopped_message(InstanceInError(instance.error_element_id, instance.error_message)))
            return redirect(url_for("inbox.index"))
    units = instances.start_units(g.user)
    return render_template("start.html", key=key, schema=schema, values=values, errors=errors,
                           units=units if len(units) > 1 else [], unit=request.form.get("unit")), \
        422 if errors else 200
