from flask import g, request

from ..errors import ValidationFailed
from ..forms.jsonschema import form_schema
from ..i18n import current_language
from ..services import inbox
from . import bp, json_body, pagination
from .instances import open_task_items


def _filters() -> dict:
    args, problems = request.args, {}
    claimed = args.get("claimed")
    if claimed not in (None, "me", "none"):
        problems["claimed"] = ["must be 'me' or 'none'"]
    overdue = {None: None, "true": True, "false": False}.get(args.get("overdue"), "bad")
    if overdue == "bad":
        problems["overdue"] = ["must be 'true' or 'false'"]
    if problems:
        raise ValidationFailed("bad filters", problems)
    return {"lane": args.get("lane"), "process_key": args.get("process_key"), "claimed": claimed,
            "overdue": overdue}


@bp.get("/tasks")
def list_tasks():
    page, per_page = pagination()
    rows, total = inbox.list_tasks(g.user, page=page, per_page=per_page, **_filters())
    lang = current_language()
    return {"items": [inbox.task_item(t, lang) for t in rows], "total": total}


@bp.get("/tasks/<task_id>")
def get_task(task_id):
    task = inbox.get_task(g.user, task_id)
    lang = current_language()
    return {**inbox.task_item(task, lang), "form": form_schema(task.form_key, lang), "data": task.instance.data}


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id):
    return inbox.task_item(inbox.claim(g.user, task_id), current_language())


@bp.post("/tasks/<task_id>/unclaim")
def unclaim_task(task_id):
    return inbox.task_item(inbox.unclaim(g.user, task_id), current_language())


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id):
    instance = inbox.complete(g.user, task_id, json_body().get("data", {}))
    return {"instance_id": instance.id, "status": instance.status, "business_key": instance.business_key,
            "open_tasks": open_task_items(instance)}
