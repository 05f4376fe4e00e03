"""The staff's pages: the inbox of their roles, a task's form, and starting a procedure."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from .. import forms
from ..errors import InstanceInError, ValidationFailed
from ..forms.jsonschema import form_schema
from ..i18n import current_language, gettext
from ..services import deployments, inbox, instances, timeline
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
    overdue = True if request.args.get("overdue") == "true" else None
    lane = request.args.get("lane") or None
    rows, total = inbox.list_tasks(g.user, lane=lane, overdue=overdue, per_page=200)
    lang = current_language()
    startable = [v for v in deployments.latest_versions() if instances.may_start(g.user, v)]
    return render_template("inbox.html", tasks=[inbox.task_item(t, lang) for t in rows], total=total,
                           lane=lane, overdue=overdue, startable=startable)


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
def task(task_id):
    open_task = inbox.get_task(g.user, task_id)
    schema = form_schema(open_task.form_key, current_language())
    values, errors = forms.defaults(open_task.form_key), {}  # never the case's or an earlier round's values
    if request.method == "POST":
        values = posted_data(schema)
        try:
            instance = inbox.complete(g.user, task_id, values)
        except ValidationFailed as err:
            errors = reasons(err)
        except InstanceInError as err:  # the mark is kept: the redirect commits it
            flash(stopped_message(err))
            return redirect(url_for("inbox.index"))
        else:
            flash(gettext("Task completed.") + (f" {instance.business_key}" if instance.business_key else ""))
            return redirect(url_for("inbox.index"))
    return render_template("task.html", task=inbox.task_item(open_task, current_language()), schema=schema,
                           values=values, errors=errors, instance=open_task.instance,
                           case=timeline.of_task(open_task, current_language()),
                           status=422 if errors else 200), 422 if errors else 200


@bp.post("/tasks/<task_id>/claim")
def claim(task_id):
    inbox.claim(g.user, task_id)
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim(task_id):
    inbox.unclaim(g.user, task_id)
    return redirect(url_for("inbox.index"))


@bp.route("/start/<key>", methods=["GET", "POST"])
def start(key):
    version = deployments.latest_version(key)
    schema = form_schema(version.start_form, current_language()) if version.start_form else \
        {"title": version.name, "properties": {}, "required": []}
    values, errors = {}, {}
    if request.method == "POST":
        values = posted_data(schema)
        try:
            instance = instances.start(g.user, key, values)
        except ValidationFailed as err:
            errors = reasons(err)
        else:
            started = gettext("Complaint registered") if key == "complaint" else version.name
            flash(f"{started}: {instance.business_key or instance.id}")
            if instance.status == "error":
                flash(stopped_message(InstanceInError(instance.error_element_id, instance.error_message)))
            return redirect(url_for("inbox.index"))
    return render_template("start.html", key=key, schema=schema, values=values, errors=errors), \
        422 if errors else 200
