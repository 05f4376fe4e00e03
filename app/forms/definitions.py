"""Form definitions: a form is data, a form-js schema kept beside the diagram in a procedure's
files (`<form key>.form`), and this module compiles it into the marshmallow schema that
validates posts and API payloads (and from which app/forms/jsonschema.py publishes the JSON Schema).

A definition (HELPERS.md, contract 2) is a JSON object:
    "type": "default" (form-js), "id": the form key (= the file's name without `.form`),
    "schemaVersion": form-js's, "components": [...],
    "title": {"zh-CN": "...", "en": "..."} (zh-CN required; English falls back to it),
    "validators": [{"name": <app/forms/validators.py VALIDATORS>, <param>: <value>, ...}].

Each component with a `key` is a field, in the order given:
    label                       the zh-CN label; `properties.label_en` the English (else zh-CN)
    validate.required           required (a missing field is refused); default false
    textfield / textarea        String, Length(min=validate.minLength, else 1 when required, else 0;
                                max=validate.maxLength, else 2000); textarea is shown multiline;
                                validate.pattern: Regexp (re.match), refused with the catalogue text
                                `properties.pattern_error` (else "does not have the expected form")
    number                      Integer (strings of digits accepted), Range(validate.min, validate.max)
                                when given; with `properties.kind` = "amount": Float in yuan, no NaN,
                                Range(validate.min else 0, validate.max else 10,000,000)
    select / radio              String, one of `values[].value`; labels `values[].label` (zh-CN) and
                                `properties["en:<value>"]` (English, else zh-CN)
    checkbox                    Boolean
    datetime, subtype datetime  an aware date-time; one typed without an offset is Asia/Shanghai time
    datetime, subtype date      a date
    textarea/textfield with `properties.kind`:
        "serials"               a list of serial numbers (1-64 characters each, none repeated); the
                                page's textarea sends one per line; at most 500 (at least 1 if required)
        "findings"              serial -> one of `values` (a cause); the textarea sends `SERIAL cause`
                                lines, the cause by key or label
        "quote_items"           serial -> {repair, materials, added_parts, upgrade} in yuan (a unit's
                                itemised quote); the textarea sends `SERIAL repair materials parts
                                upgrade` lines
    defaultValue                what a new task opens with, and the value of a field left out;
                                a required field takes none. Without one, a field left out is
                                "" (text), [] (serials), {} (findings), else None (then null is accepted)
Components without a key (form-js text, spacer, separator, image, html...) are layout: ignored.
Any other form-js field type (checklist, taglist, datetime subtype time...) is refused by
problems(), as is a component holding other components (group, dynamic list): their fields
would not be read.
Validators run after the fields' own checks (app/forms/validators.py says which also run when
a field failed). The due rule, what a task page shows and the case fields are the diagram's
element properties, not the form's."""
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from marshmallow import Schema, ValidationError, validate, validates_schema
from marshmallow import fields as mfields

from ..engine import Problem
from ..i18n import N_
from . import fields as helpers
from .validators import CASE_FIELD, FIELD, FIELDS, NUMBER, TEXT, VALIDATORS, VALUES

SUFFIX = ".form"
FIELD_TYPES = ("textfield", "textarea", "number", "select", "radio", "checkbox", "datetime")
KINDS = {"serials": ("textarea", "textfield"), "findings": ("textarea", "textfield"), "amount": ("number",),
         "quote_items": ("textarea",)}
KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
TEXT_MAX = 2000
AMOUNT_RANGE = (0, 10_000_000)


@dataclass(frozen=True)
class Form:
    key: str
    schema: type[Schema]
    title_en: str
    title_zh: str
    definition: dict = field(default_factory=dict, compare=False, repr=False)

    def title(self, lang: str) -> str:
        return self.title_en if lang == "en" else self.title_zh


class DefinitionError(Exception):
    """A definition that does not compile (problems() says why)."""


def read(text: str | bytes) -> dict:
    """The definition in a `.form` file's text; DefinitionError if it is not a JSON object."""
    try:
        definition = json.loads(text)
    except (ValueError, TypeError):
        raise DefinitionError("not JSON") from None
    if not isinstance(definition, dict):
        raise DefinitionError("not a JSON object")
    return definition


def key_of(file_name: str) -> str:
    return file_name[:-len(SUFFIX)] if file_name.endswith(SUFFIX) else file_name


def fields_of(definition: dict) -> list[dict]:
    """The components that are fields (those with a key), in order."""
    components = definition.get("components")
    return [c for c in components if isinstance(c, dict) and c.get("key") is not None] \
        if isinstance(components, list) else []


# ----------------------------------------------------------------------------- compiling
def _labels(component: dict) -> tuple[str, str]:
    zh = str(component.get("label") or component["key"])
    return (component.get("properties") or {}).get("label_en") or zh, zh


def _choices(component: dict) -> list[tuple[str, str, str]]:
    properties = component.get("properties") or {}
    return [(item["value"], properties.get(f"en:{item['value']}") or item.get("label") or item["value"],
             item.get("label") or item["value"]) for item in component.get("values") or []]


def _field(component: dict) -> mfields.Field:
    kind_of = component["type"]
    checks = component.get("validate") or {}
    properties = component.get("properties") or {}
    kind = properties.get("kind")
    required = bool(checks.get("required"))
    en, zh = _labels(component)
    extra = {}
    if "defaultValue" in component and component["defaultValue"] is not None:
        extra["load_default"] = component["defaultValue"]
    elif not required:
        implicit = {"serials": list, "findings": dict, "quote_items": dict}.get(kind, "" if kind_of in ("textfield", "textarea") else None)
        extra["load_default"] = implicit
        if implicit is None:
            extra["allow_none"] = True
    if isinstance(extra.get("load_default"), (list, dict)):  # a fresh copy for each load
        extra["load_default"] = partial(_copy, extra["load_default"])
    if kind == "serials":
        return helpers.serials(en, zh, required=required, **extra)
    if kind == "findings":
        return helpers.findings(en, zh, _choices(component), required=required, **extra)
    if kind == "quote_items":
        return helpers.quote_items(en, zh, required=required, **extra)
    if kind == "amount":
        low, high = checks.get("min", AMOUNT_RANGE[0]), checks.get("max", AMOUNT_RANGE[1])
        return helpers.amount(en, zh, required=required, minimum=low, maximum=high, **extra)
    if kind_of in ("textfield", "textarea"):
        pattern = checks.get("pattern")
        also = validate.Regexp(pattern, error=N_(properties.get("pattern_error") or "does not have the expected form")) \
            if pattern else None
        return helpers.text(en, zh, required=required, max_length=checks.get("maxLength", TEXT_MAX),
                            min_length=checks.get("minLength"), multiline=kind_of == "textarea",
                            validate_also=also, **extra)
    if kind_of == "number":
        return helpers.number(en, zh, minimum=checks.get("min"), maximum=checks.get("max"), required=required, **extra)
    if kind_of in ("select", "radio"):
        return helpers.choice(en, zh, _choices(component), required=required, **extra)
    if kind_of == "checkbox":
        return helpers.yes_no(en, zh, required=required, **extra)
    if component.get("subtype") == "date":
        return helpers.day(en, zh, required=required, **extra)
    return helpers.moment(en, zh, required=required, **extra)


def _copy(value):
    return json.loads(json.dumps(value))


def _rule(validator, params: dict) -> Callable:
    from . import case_data  # the case of the moment a form is validated (app/forms/__init__.py)

    def check(self, data, **kwargs):
        validator.check(data, params, case_data())
    return validates_schema(skip_on_field_errors=not validator.always)(check)


def schema_of(definition: dict) -> type[Schema]:
    """The marshmallow Schema class of a definition (one that problems() finds nothing in)."""
    attrs: dict = {component["key"]: _field(component) for component in fields_of(definition)}
    for index, entry in enumerate(definition.get("validators") or []):
        params = {name: value for name, value in entry.items() if name != "name"}
        attrs[f"_validator_{index}"] = _rule(VALIDATORS[entry["name"]], params)
    return type(str(definition["id"]).replace(".", "_"), (Schema,), attrs)


def compile_definition(definition: dict) -> Form:
    """The Form of a definition."""
    title = definition.get("title") or {}
    zh = title.get("zh-CN") or definition["id"]
    return Form(definition["id"], schema_of(definition), title.get("en") or zh, zh, definition=definition)


# ----------------------------------------------------------------------------- problems
def problems(file_name: str, definition: str | bytes | dict) -> list[Problem]:
    """What keeps a `.form` file from being a form, each naming the file and the field key."""
    found: list[Problem] = []

    def add(message, key=None):
        found.append(Problem(file_name, key, message))

    if not isinstance(definition, dict):
        try:
            definition = read(definition)
        except DefinitionError:
            add(N_("not a form definition: the file is not a JSON object"))
            return found
    expected = key_of(file_name)
    if definition.get("type") != "default":
        add(N_("not a form-js form: its \"type\" must be \"default\""))
    if definition.get("id") != expected:
        add(N_("the form's id is %(id)s: it must be the file's name without .form, %(key)s",
               id=repr(definition.get("id")), key=expected))
    title = definition.get("title")
    if not isinstance(title, dict) or not isinstance(title.get("zh-CN"), str) or not title["zh-CN"].strip():
        add(N_("the form has no title: \"title\" needs a zh-CN text (and an en one)"))
    components = definition.get("components")
    if not isinstance(components, list):
        add(N_("the form has no \"components\" list"))
        return found
    keys = []
    for position, component in enumerate(components, start=1):
        if not isinstance(component, dict):
            add(N_("component %(position)s is not an object", position=position))
            continue
        key = component.get("key")
        if key is None:
            if component.get("type") in FIELD_TYPES:
                add(N_("component %(position)s (%(type)s) has no key", position=position, type=component.get("type")))
            elif component.get("components"):
                add(N_("component %(position)s (%(type)s) holds other components: put its fields at the top level",
                       position=position, type=component.get("type")))
            continue
        if not isinstance(key, str) or not KEY.match(key):
            add(N_("%(key)s is not a usable key: letters, digits and _, not starting with a digit, at most 64",
                   key=repr(key)), str(key))
            continue
        if key in keys:
            add(N_("the key %(key)s is used twice", key=key), key)
            continue
        keys.append(key)
        found.extend(Problem(file_name, key, message) for message in _component_problems(component))
    if not keys:
        add(N_("the form has no fields at all"))
    found.extend(_validator_problems(file_name, definition.get("validators"), keys))
    return found


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _component_problems(component: dict) -> list:
    kind_of, checks = component.get("type"), component.get("validate") or {}
    properties = component.get("properties") or {}
    if kind_of not in FIELD_TYPES:
        return [N_("the component type %(type)s is not supported (supported: %(types)s)",
                   type=repr(kind_of), types=", ".join(FIELD_TYPES))]
    if not isinstance(checks, dict) or not isinstance(properties, dict):
        return [N_("\"validate\" and \"properties\" must be objects")]
    if not all(isinstance(value, str) for value in properties.values()):
        return [N_("every value of \"properties\" must be a text")]
    found = []
    kind = properties.get("kind")
    if kind is not None and kind_of not in KINDS.get(kind, ()):
        found.append(N_("kind %(kind)s does not go with a %(type)s (kinds: serials and findings on a textarea, "
                        "amount on a number)", kind=repr(kind), type=kind_of))
    if kind_of == "datetime" and component.get("subtype") not in ("date", "datetime"):
        found.append(N_("a datetime field's subtype must be date or datetime, not %(subtype)s",
                        subtype=repr(component.get("subtype"))))
    for low, high in (("minLength", "maxLength"), ("min", "max")):
        for name in (low, high):
            if name in checks and not _is_number(checks[name]):
                found.append(N_("validate.%(name)s must be a number", name=name))
        if _is_number(checks.get(low)) and _is_number(checks.get(high)) and checks[low] > checks[high]:
            found.append(N_("validate.%(low)s is greater than validate.%(high)s", low=low, high=high))
    if any(_is_number(checks.get(name)) and checks[name] < 0 for name in ("minLength", "maxLength")):
        found.append(N_("a length cannot be negative"))
    if "pattern" in checks:
        try:
            re.compile(checks["pattern"])
        except (re.error, TypeError) as err:
            found.append(N_("validate.pattern is not a regular expression: %(reason)s", reason=str(err)))
    if kind_of in ("select", "radio") or kind == "findings":
        values = component.get("values")
        if not isinstance(values, list) or not values:
            found.append(N_("a choice needs its \"values\""))
        elif not all(isinstance(v, dict) and isinstance(v.get("value"), str) and v["value"] for v in values):
            found.append(N_("every choice needs a value (a text) and a label"))
        elif len({v["value"] for v in values}) != len(values):
            found.append(N_("two choices have one value"))
    if found:
        return found
    if "defaultValue" in component and component["defaultValue"] is not None:
        if checks.get("required"):
            return [N_("a required field takes no default value")]
        try:
            _field({**component, "defaultValue": None}).deserialize(component["defaultValue"])
        except ValidationError as err:
            return [N_("the default value is not one this field takes: %(reason)s",
                       reason="; ".join(str(m) for m in _flat(err.messages)))]
        except (TypeError, ValueError, AttributeError):
            return [N_("the default value is not one this field takes: %(reason)s", reason=repr(component["defaultValue"]))]
    return found


def _flat(messages) -> list:
    if isinstance(messages, dict):
        return [m for inner in messages.values() for m in _flat(inner)]
    return list(messages) if isinstance(messages, list) else [messages]


def _validator_problems(file_name: str, entries, keys: list[str]) -> list[Problem]:
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [Problem(file_name, None, N_("\"validators\" must be a list"))]
    found = []
    for entry in entries:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or name not in VALIDATORS:
            found.append(Problem(file_name, None, N_("unknown validator %(name)s (known: %(known)s)", name=repr(name),
                                                     known=", ".join(sorted(VALIDATORS)))))
            continue
        validator = VALIDATORS[name]
        for param in validator.params:
            if param.required and param.name not in entry:
                found.append(Problem(file_name, None, N_("validator %(name)s needs the parameter %(param)s",
                                                         name=name, param=param.name)))
        for param_name, value in entry.items():
            if param_name == "name":
                continue
            param = validator.param(param_name)
            if param is None:
                found.append(Problem(file_name, None, N_("validator %(name)s takes no parameter %(param)s",
                                                         name=name, param=param_name)))
                continue
            for key, message in _param_problems(param.kind, value, keys):
                found.append(Problem(file_name, key, N_("validator %(name)s, parameter %(param)s: %(reason)s",
                                                        name=name, param=param_name, reason=message)))
    return found


def _param_problems(kind: str, value, keys: list[str]) -> list[tuple[str | None, object]]:
    if kind == FIELD:
        value = [value] if isinstance(value, str) else None
    if kind in (FIELD, FIELDS):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            return [(None, N_("must name fields of the form"))]
        return [(v, N_("%(key)s is not a field of the form", key=v)) for v in value if v not in keys]
    if kind == VALUES and not isinstance(value, list):
        return [(None, N_("must be a list of values"))]
    if kind in (TEXT, CASE_FIELD) and (not isinstance(value, str) or not value.strip()):
        return [(None, N_("must be a text"))]
    if kind == NUMBER and (not isinstance(value, int) or isinstance(value, bool) or value < 0):
        return [(None, N_("must be a whole number, 0 or more"))]
    return []
