"""The case as a task's page shows it: the case's current values its form declares, and the
timeline of what was decided so far (who, when, each task's answers under its form's labels),
the latest answers of the forms that matter to this task first."""
from sqlalchemy import select

from .. import forms
from ..extensions import db
from . import deployments
from ..forms.display import answers, case_fields
from ..models import OpenTask, TaskRecord
from ..roles import role_label


def _entry(record: TaskRecord, lang: str, matters: bool) -> dict:
    return {"task": record.task_name, "title": forms.FORMS[record.form_key].title(lang),
            "form_key": record.form_key, "lane": record.lane,
            "lane_title": role_label(record.lane, lang) if record.lane else "",
            "completed_by": record.completed_by.username if record.completed_by else None,
            "completed_at": record.completed_at, "matters": matters,
            "answers": answers(record.form_key, record.data or {}, lang)}


def timeline(instance_id: int, shows: tuple[str, ...], lang: str) -> list[dict]:
    """Every completed form of the case (the start's included), newest first; before them the
    latest answers of each form of `shows` (`matters`), also newest first.
    Admins' actions (retry, migrate, suspend) are in the case's history, not here."""
    records = [r for r in db.session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance_id)
                                             .order_by(TaskRecord.completed_at.desc(), TaskRecord.id.desc()))
               if r.form_key in forms.FORMS]
    latest = {}
    for record in records:
        latest.setdefault(record.form_key, record)
    first = [record for record in records if record.form_key in shows and latest[record.form_key] is record]
    return [_entry(r, lang, True) for r in first] + [_entry(r, lang, False) for r in records if r not in first]


def of_task(task: OpenTask, lang: str) -> dict:
    """What the page of `task` shows of its case, as its diagram says: {"fields": [...], "timeline": [...]}."""
    diagram = deployments.facts(task.instance.version)
    return {"fields": case_fields(diagram.case_fields, task.form_key, task.instance.data or {}, lang),
            "timeline": timeline(task.instance_id, diagram.task(task.task_name).shows, lang)}
