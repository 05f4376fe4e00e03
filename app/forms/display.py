"""Answers as people read them: each field under its form's label, fixed choices and yes/no by
their titles, times in the service's local time, in zh-CN or English. `forms` are the forms of
the case's version (app/forms of_version): a field no longer declared is labelled by them."""
from datetime import datetime

from marshmallow import fields

from ..clock import local
from . import Form, choice_label, field_label

EMPTY = (None, "", [], {})


def label_in(labels: dict, lang: str) -> str:
    """A {'en': ..., 'zh-CN': ...} label in `lang`, zh-CN when it has no such language."""
    return labels.get(lang) or labels.get("zh-CN") or ""


def _text(declared, value, lang: str, forms: dict[str, Form]) -> str:
    """`value` of the field `declared` (a marshmallow field, or None for a field the form no
    longer has) as text."""
    if declared is None:
        return choice_label("", value, lang, forms)
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


def _answer(name: str, value, declared, lang: str, forms: dict[str, Form]) -> dict:
    label = label_in(declared.metadata.get("label", {}), lang) \
        if declared is not None else field_label(name, lang, forms)
    return {"name": name, "label": label or name, "value": value, "text": _text(declared, value, lang, forms)}


def answers(form: Form | None, data: dict, lang: str, forms: dict[str, Form]) -> list[dict]:
    """What a task of `form` submitted, field by field in the form's order: name, label,
    the stored value and its text. Fields left empty are left out; a stored field the form no
    longer declares (an older version of it) comes last under its plain label."""
    declared = form.schema().load_fields if form is not None else {}
    names = [name for name in declared if name in data] + [name for name in data if name not in declared]
    return [_answer(name, data[name], declared.get(name), lang, forms) for name in names if data[name] not in EMPTY]


def case_fields(names: tuple[str, ...], case: dict, lang: str, forms: dict[str, Form]) -> list[dict]:
    """The case's current values of the fields `names` (the case fields its diagram names),
    labelled by the first of `forms` (its procedure's) that asks for each."""
    shown = []
    for name in names:
        value = case.get(name)
        if value in EMPTY:
            continue
        declared = next((other.schema._declared_fields[name] for other in forms.values()
                         if name in other.schema._declared_fields), None)
        shown.append(_answer(name, value, declared, lang, forms))
    return shown
