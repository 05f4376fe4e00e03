"""The case as a task's page shows it: the case's current values its form declares, and the
timeline of what was decided so far (who, when, each task's answers under its form's labels),
the latest answers of the forms that matter to this task first."""
from sqlalchemy import select

from .. import forms
from ..extensions import db
from ..forms.display import answers, case_fields
from ..models import OpenTask, ProcessInstance, TaskRecord
from ..roles import role_label
from . import deployments


def _entry(record: TaskRecord, lang: str, matters: bool, known: dict) -> dict:
    return {"task": record.task_name, "title": known[record.form_key].title(lang),
            "form_key": record.form_key, "lane": record.lane,
            "lane_title": role_label(record.lane, lang) if record.lane else "",
            "completed_by": record.completed_by.username if record.completed_by else None,
            "completed_at": record.completed_at, "matters": matters,
            "answers": answers(known[record.form_key], record.data or {}, lang, known)}


def timeline(instance: ProcessInstance, shows: tuple[str, ...], lang: str) -> list[dict]:
    """Every completed form of the case (the start's included), newest first; before them the
    latest answers of each form of `shows` (`matters`), also newest first.
    Admins' actions (retry, migrate, suspend) are in the case's history, not here."""
    known = forms.of_version(instance.version)  # the forms of the case's version
    records = [r for r in db.session.scalars(select(TaskRecord).where(TaskRecord.instance_id == instance.id)
                                             .order_by(TaskRecord.completed_at.desc(), TaskRecord.id.desc()))
               if r.form_key in known]
    latest = {}
    for record in records:
        latest.setdefault(record.form_key, record)
    first = [record for record in records if record.form_key in shows and latest[record.form_key] is record]
    return [_entry(r, lang, True, known) for r in first] + [_entry(r, lang, False, known)
                                                            for r in records if r not in first]


def of_task(task: OpenTask, lang: str) -> dict:
    """What the page of `task` shows of its case, as its diagram says: {"fields": [...], "timeline": [...]}."""
    known, diagram = forms.of_version(task.instance.version), deployments.facts(task.instance.version)
    return {"fields": case_fields(diagram.case_fields, task.instance.data or {}, lang, known),
            "timeline": timeline(task.instance, diagram.task(task.task_name).shows, lang)}
