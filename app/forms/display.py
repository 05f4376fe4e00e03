"""Answers as people read them: each field under its form's label, fixed choices and yes/no by
their titles, times in the service's local time, in zh-CN or English."""
from datetime import datetime

from marshmallow import fields

from ..clock import local
from . import FORMS, choice_label, field_label

EMPTY = (None, "", [], {})


def label_in(labels: dict, lang: str) -> str:
    """A {'en': ..., 'zh-CN': ...} label in `lang`, zh-CN when it has no such language."""
    return labels.get(lang) or labels.get("zh-CN") or ""


def _text(declared, value, lang: str) -> str:
    """`value` of the field `declared` (a marshmallow field, or None for a field the form no
    longer has) as text."""
    if declared is None:
        return choice_label("", value, lang)
    if isinstance(value, bool):
        return ("Yes" if value else "No") if lang == "en" else ("是" if value else "否")
    choices = declared.metadata.get("choices", {})
    if isinstance(value, dict):
        return "; ".join(f"{k}: {label_in(choices[v], lang) if v in choices else v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, str) and value in choices:
        return label_in(choices[value], lang)
    if isinstance(declared, fields.DateTime) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        return (local(moment) if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _answer(name: str, value, declared, lang: str) -> dict:
    label = label_in(declared.metadata.get("label", {}), lang) \
        if declared is not None else field_label(name, lang)
    return {"name": name, "label": label or name, "value": value, "text": _text(declared, value, lang)}


def answers(form_key: str, data: dict, lang: str) -> list[dict]:
    """What a task of `form_key` submitted, field by field in the form's order: name, label,
    the stored value and its text. Fields left empty are left out; a stored field the form no
    longer declares (an older version of it) comes last under its plain label."""
    declared = FORMS[form_key].schema().load_fields if form_key in FORMS else {}
    names = [name for name in declared if name in data] + [name for name in data if name not in declared]
    return [_answer(name, data[name], declared.get(name), lang) for name in names if data[name] not in EMPTY]


def case_fields(names: tuple[str, ...], form_key: str, case: dict, lang: str) -> list[dict]:
    """The case's current values of the fields `names`, labelled by the first form of the
    procedure of `form_key` that asks for each."""
    procedure = form_key.split(".")[0] + "."
    shown = []
    for name in names:
        value = case.get(name)
        if value in EMPTY:
            continue
        declared = next((form.schema._declared_fields[name] for key, form in FORMS.items()
                         if key.startswith(procedure) and name in form.schema._declared_fields), None)
        shown.append(_answer(name, value, declared, lang))
    return shown
