"""The staff's pages: the inbox of their roles, a task's form, and starting a procedure."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from ..errors import InstanceInError, ValidationFailed
from ..forms.jsonschema import form_schema
from ..i18n import current_language, gettext
from ..services import deployments, inbox, instances
from . import lists

bp = Blueprint("inbox", __name__)
# What a task's page shows of its case, per procedure (the form below shows the rest).
CASE_KEYS = {
    "complaint": ["customer_name", "contact_phone", "vehicle", "description", "customer_request", "category",
                  "severity", "result", "root_cause", "improvement", "confirmation_reason", "follow_up_notes",
                  "callback_remarks"],
    "return_authorization": ["branch", "model", "quantity", "serial_numbers", "fault_description", "purchase_date",
                             "warranty_card", "dealer_seal", "customer_name", "contact_phone", "review_reason",
                             "correction_note", "rejection_reason", "received_quantity", "received_model",
                             "received_serials", "mismatch_explanation", "serials_not_intact", "damaged_units",
                             "quote_amount", "quote_notes", "quote_answer_due_at", "repair_work", "qc_notes"],
    "callback": ["customer_name", "contact_phone", "subject", "repair_summary", "picked_up_at", "callback_remarks",
                 "complaint_number"],
}


def stopped_message(err: InstanceInError) -> str:
    return gettext("The procedure stopped at element {element} ({reason}): the answers are kept and an admin "
                   "was told.").format(element=err.element_id or "-", reason=err.reason)


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
    return render_template("inbox.html", tasks=[inbox.task_item(t, lang) for t in found.items], found=found,
                           chosen=chosen, lanes=inbox.lane_counts(g.user), procedures=latest,
                           startable=startable, **lists.page_context("inbox"))


lists.add_saved_filter_routes(bp, "inbox", "inbox.index")


@bp.route("/tasks/<task_id>", methods=["GET", "POST"])
def task(task_id):
    open_task = inbox.get_task(g.user, task_id)
    schema = form_schema(open_task.form_key, current_language())
    values, errors = open_task.instance.data, {}
    if request.method == "POST":
        values = posted_data(schema)
        try:
            instance = inbox.complete(g.user, task_id, values)
        except ValidationFailed as err:
            errors = err.fields
        except InstanceInError as err:  # the mark is kept: the redirect commits it
            flash(stopped_message(err))
            return redirect(url_for("inbox.index"))
        else:
            flash(gettext("Task completed.") + (f" {instance.business_key}" if instance.business_key else ""))
            return redirect(url_for("inbox.index"))
    return render_template("task.html", task=inbox.task_item(open_task, current_language()), schema=schema,
                           values=values, errors=errors, instance=open_task.instance,
                           case_keys=CASE_KEYS.get(open_task.process_key, CASE_KEYS["complaint"]),
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
            errors = err.fields
        else:
            flash(f"{gettext('Complaint registered') if key == 'complaint' else version.name}: "
                  f"{instance.business_key or instance.id}")
            if instance.status == "error":
                flash(stopped_message(InstanceInError(instance.error_element_id, instance.error_message)))
            return redirect(url_for("inbox.index"))
    return render_template("start.html", key=key, schema=schema, values=values, errors=errors), \
        422 if errors else 200
