"""The registry of forms: one marshmallow schema per user-task form (and per start form),
used to validate page posts and API payloads and to publish the JSON Schema clients fill."""
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime

from marshmallow import Schema, ValidationError, missing

from ..errors import ValidationFailed
from ..i18n import N_


@dataclass(frozen=True)
class Form:
    key: str
    schema: type[Schema]
    title_en: str
    title_zh: str

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh


FORMS: dict[str, Form] = {}
# The case's data while its task form is validated: a check that needs the case (a serial number
# must be one that arrived) reads it here, since marshmallow 4 schemas carry no context.
_CASE: ContextVar[dict] = ContextVar("case", default={})


def case_data() -> dict:
    return _CASE.get()


def register(key: str, schema: type[Schema], en: str, zh: str) -> None:
    FORMS[key] = Form(key, schema, en, zh)


def get_form(key: str) -> Form:
    return FORMS[key]


def _json_safe(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def defaults(key: str) -> dict:
    """What a new task of form `key` opens with: the defaults the form declares, nothing else
    (never the case's values, nor an earlier round's answers)."""
    opening = {}
    for name, declared in FORMS[key].schema().load_fields.items():
        default = declared.load_default
        if default is missing or default is None:
            continue
        opening[name] = _json_safe(default() if callable(default) else default)
    return opening


def _reasons(found) -> list:
    """A field's reasons as one flat list, one reason an item: a list's or a map's entries
    (`{0: [...]}`, `{"SN1": {"value": [...]}}`) read as `entry: reason`."""
    if isinstance(found, dict):
        return [N_("%(entry)s: %(reason)s", entry=entry, reason=reason)
                for entry, inner in found.items() for reason in _reasons(inner)]
    return list(found) if isinstance(found, list) else [found]


def validate(key: str, data, case: dict | None = None) -> dict:
    """The cleaned data, or ValidationFailed naming every failing field. Every field of the form
    is in it (None when left empty and the form declares no default), so completing a task sets
    each of its fields: an earlier round's value cannot stay behind in the case."""
    if not isinstance(data, dict):
        raise ValidationFailed(N_("the form data must be an object"), {"data": [N_("must be an object")]})
    token = _CASE.set(case or {})
    try:
        loaded = FORMS[key].schema().load(data)
    except ValidationError as err:
        fields = {name: _reasons(found) for name, found in err.normalized_messages().items()}
        raise ValidationFailed(N_("the form has errors"), fields) from None
    finally:
        _CASE.reset(token)
    return {name: _json_safe(loaded.get(name)) for name in FORMS[key].schema().load_fields}


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
