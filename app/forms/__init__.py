"""The registry of forms: one marshmallow schema per user-task form (and per start form),
used to validate page posts and API payloads and to publish the JSON Schema clients fill."""
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from marshmallow import Schema, ValidationError

from ..errors import ValidationFailed


@dataclass(frozen=True)
class Form:
    key: str
    schema: type[Schema]
    title_en: str
    title_zh: str
    due_from: str | None = None  # the data key holding the task's due time, if it has one
    due_days: int | None = None  # else: due this many working days after the task opens (domain.md's clocks)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh


FORMS: dict[str, Form] = {}
# The case's data while its task form is validated: a check that needs the case (a serial number
# must be one that arrived) reads it here, since marshmallow 4 schemas carry no context.
_CASE: ContextVar[dict] = ContextVar("case", default={})


def case_data() -> dict:
    return _CASE.get()


def register(key: str, schema: type[Schema], en: str, zh: str, due_from: str | None = None,
             due_days: int | None = None) -> None:
    FORMS[key] = Form(key, schema, en, zh, due_from, due_days)


def get_form(key: str) -> Form:
    return FORMS[key]


def _json_safe(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def validate(key: str, data, case: dict | None = None) -> dict:
    """The cleaned data, or ValidationFailed naming every failing field."""
    if not isinstance(data, dict):
        raise ValidationFailed("the form data must be an object", {"data": ["must be an object"]})
    token = _CASE.set(case or {})
    try:
        loaded = FORMS[key].schema().load(data)
    except ValidationError as err:
        messages = err.normalized_messages()
        fields = {name: (reasons if isinstance(reasons, list) else [str(reasons)])
                  for name, reasons in messages.items()}
        raise ValidationFailed("the form has errors", fields) from None
    finally:
        _CASE.reset(token)
    return {name: _json_safe(value) for name, value in loaded.items()}


from . import complaint  # noqa: E402,F401  (registers the complaint forms)
from . import return_authorization, callback  # noqa: E402,F401  (procedures 2 and 3)


def choice_label(field: str, value, lang: str) -> str:
    """The label of a fixed choice (a category, a channel...) in the page's language;
    a list (serial numbers) reads as one line, a map (unit -> cause) as `key: label` pairs."""
    if isinstance(value, bool):
        return ("Yes" if value else "No") if lang == "en" else ("是" if value else "否")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {choice_label(field, v, lang)}" for k, v in value.items())
    for form in FORMS.values():
        declared = form.schema._declared_fields.get(field)
        choices = declared.metadata.get("choices", {}) if declared else {}
        if value in choices:
            return choices[value].get(lang) or choices[value]["zh-CN"]
    return "" if value is None else str(value)


def field_label(field: str, lang: str) -> str:
    for form in FORMS.values():
        declared = form.schema._declared_fields.get(field)
        if declared and "label" in declared.metadata:
            return declared.metadata["label"].get(lang) or declared.metadata["label"]["zh-CN"]
    return field
