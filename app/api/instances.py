from flask import g

from ..errors import ValidationFailed
from ..i18n import current_language
from ..services import inbox, instances, migration
from . import bp, json_body


def instance_summary(instance) -> dict:
    return {"id": instance.id, "key": instance.process_key, "version": instance.version.version,
            "status": instance.status, "business_key": instance.business_key}


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
    reason = json_body().get("reason", "")
    if not isinstance(reason, str):
        raise ValidationFailed("give a reason", {"reason": ["must be text"]})
    instance = instances.cancel(g.user, instance_id, reason)
    return instance_summary(instance)


@bp.post("/instances/<int:instance_id>/migrate")
def migrate_instance(instance_id):
    instance, result, from_version = migration.move(g.user, instance_id, json_body().get("to_version"))
    return {**instance_summary(instance), "from_version": from_version, "relabelled": result.relabelled,
            "kept_timers": result.kept_timers, "open_tasks": open_task_items(instance)}
