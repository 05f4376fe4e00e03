from flask import g, request

from ..i18n import current_language
from ..services import inbox, instances, migration
from . import bp, json_body, pagination


def instance_summary(instance) -> dict:
    return {"id": instance.id, "key": instance.process_key, "version": instance.version.version,
            "status": instance.status, "business_key": instance.business_key, "error": instance_error(instance)}


def instance_error(instance) -> dict | None:
    """Where and why an instance in error stopped, and what a retry replays (answers kept)."""
    if instance.status != "error":
        return None
    action = instance.pending_action or {"kind": "timers"}
    return {"element_id": instance.error_element_id, "message": instance.error_message, "since": instance.error_at,
            "action": {"kind": action["kind"], "task": action.get("task_name"), "answers": action.get("answers")}}


@bp.get("/instances")
def list_instances():
    page, per_page = pagination()
    rows, total = instances.list_instances(g.user, request.args.get("status") or None,
                                           request.args.get("process_key") or None, page, per_page)
    return {"items": [{**instance_summary(i), "started_at": i.created_at, "updated_at": i.updated_at}
                      for i in rows], "total": total}


def open_task_items(instance) -> list[dict]:
    lang = current_language()
    return [inbox.task_item(t, lang) for t in instances.open_tasks(instance)]


@bp.get("/instances/<int:instance_id>")
def get_instance(instance_id):
    instance = instances.get(g.user, instance_id)
    history = [{"task": r.task_name, "lane": r.lane,
                "completed_by": r.completed_by.username if r.completed_by else None,
                "completed_at": r.completed_at, "data": r.data} for r in instances.history(instance)]
    return {**instance_summary(instance), "data": instance.data, "history": history,
            "open_tasks": open_task_items(instance), "next_timer_at": instance.next_timer_at,
            "cancel_reason": instance.cancel_reason}


@bp.post("/instances/<int:instance_id>/cancel")
def cancel_instance(instance_id):
    instance = instances.cancel(g.user, instance_id, json_body().get("reason", ""))
    return instance_summary(instance)


@bp.post("/instances/<int:instance_id>/migrate")
def migrate_instance(instance_id):
    instance, result, from_version = migration.move(g.user, instance_id, json_body().get("to_version"))
    return {**instance_summary(instance), "from_version": from_version, "relabelled": result.relabelled,
            "kept_timers": result.kept_timers, "open_tasks": open_task_items(instance)}


@bp.post("/instances/<int:instance_id>/retry")
def retry_instance(instance_id):
    instance = instances.retry(g.user, instance_id)
    return {**instance_summary(instance), "open_tasks": open_task_items(instance)}


@bp.post("/instances/<int:instance_id>/suspend")
def suspend_instance(instance_id):
    return instance_summary(instances.suspend(g.user, instance_id))


@bp.post("/instances/<int:instance_id>/resume")
def resume_instance(instance_id):
    instance = instances.resume(g.user, instance_id)
    return {**instance_summary(instance), "open_tasks": open_task_items(instance)}
