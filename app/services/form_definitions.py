"""A draft's form definitions as the form editor opens and saves them: `<form key>.form`, a
form-js schema with our `title` (zh-CN and English) and `validators` (named cross-field rules of
app/forms/validators.py). Saving makes a new draft with the form replaced or added; what the
components mean is checked where the procedure's files are (the forms machinery)."""
import json
import re

from ..errors import BadRequest, PayloadTooLarge, ValidationFailed
from ..forms.validators import FIELDS, NUMBER, VALIDATORS, VALUES
from ..i18n import N_
from ..models import ProcessDraft, User
from . import drafts

KEY = re.compile(r"[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+")  # <procedure>.<name>
MAX_KEY = 100
MAX_TITLE = 200
MAX_VALIDATORS_BYTES = 64 * 1024
# The file's top-level keys in this order, the rest after them by name; inside, keys by name.
TOP_ORDER = ("id", "type", "schemaVersion", "title", "validators", "components")


def check_key(form_key: str) -> str:
    if len(form_key) > MAX_KEY or not KEY.fullmatch(form_key):
        raise ValidationFailed(N_("not a form key: %(key)s", key=form_key[:MAX_KEY]),
                               {"key": [N_("a form key is <procedure>.<name>: letters, digits, underscores and dots, "
                                           "at most %(count)s characters", count=MAX_KEY)]})
    return form_key


def file_name(form_key: str) -> str:
    return f"{form_key}.form"


def empty(form_key: str) -> dict:
    return {"id": form_key, "type": "default", "title": {"zh-CN": "", "en": ""}, "validators": [], "components": []}


def open_form(user: User, draft_id: int, form_key: str) -> tuple[ProcessDraft, dict]:
    """The draft and its definition of `form_key`, or an empty one when the draft has none."""
    draft = drafts.get(user, draft_id)
    check_key(form_key)
    text = draft.files.get(file_name(form_key))
    if text is None:
        return draft, empty(form_key)
    try:
        definition = json.loads(text)
    except ValueError:
        definition = None
    if not isinstance(definition, dict):
        raise ValidationFailed(N_("%(name)s is not a form definition (a JSON object)", name=file_name(form_key)),
                               {"files": [N_("%(name)s: not a JSON object", name=file_name(form_key))]})
    return draft, definition


def definition_of(form_key: str, schema: str, title_zh: str, title_en: str, validators: str) -> dict:
    """The definition the editor sent: its form-js schema (JSON text), titles and validators
    (JSON text), or the refused fields with their reasons."""
    if len(schema.encode("utf-8")) > drafts.MAX_FILE_BYTES:
        raise PayloadTooLarge(N_("the form is too large"),
                              {"schema": [N_("larger than %(size)s bytes", size=drafts.MAX_FILE_BYTES)]})
    if len(validators.encode("utf-8")) > MAX_VALIDATORS_BYTES:
        raise PayloadTooLarge(N_("the form is too large"),
                              {"validators": [N_("larger than %(size)s bytes", size=MAX_VALIDATORS_BYTES)]})
    unreadable = {}
    parsed = {}
    for field, text in (("schema", schema), ("validators", validators)):
        try:
            parsed[field] = json.loads(text)
        except ValueError as err:
            unreadable[field] = [N_("not JSON (line %(line)s, column %(column)s)", line=err.lineno, column=err.colno)]
    if unreadable:
        raise BadRequest(N_("the form cannot be read: nothing was saved"), unreadable)
    errors = {}
    body, rules = parsed["schema"], parsed["validators"]
    if not isinstance(body, dict):
        errors["schema"] = [N_("a JSON object is required")]
    elif not isinstance(body.get("components"), list):
        errors["schema.components"] = [N_("a list of fields is required")]
    elif body.get("type", "default") != "default":
        errors["schema.type"] = [N_("must be default")]
    for field, title in (("title_zh", title_zh), ("title_en", title_en)):
        if not title.strip():
            errors[field] = [N_("required")]
        elif len(title) > MAX_TITLE:
            errors[field] = [N_("at most %(count)s characters", count=MAX_TITLE)]
    rules, refused = _typed_rules(rules)
    errors.update(refused)
    if errors:
        raise ValidationFailed(N_("the form was not saved"), errors)
    return {**body, "id": form_key, "type": "default",
            "title": {"zh-CN": title_zh.strip(), "en": title_en.strip()}, "validators": rules}


def _typed(param, text: str):
    """A parameter typed in the editor as its kind's value: lists split on commas (each item
    read as JSON when it is one: `false`, `3`), numbers as numbers, the rest as text."""
    if param.kind in (FIELDS, VALUES):
        items = [item.strip() for item in text.split(",") if item.strip()]
        if param.kind == FIELDS:
            return items
        values = []
        for item in items:
            try:
                values.append(json.loads(item))
            except ValueError:
                values.append(item)
        return values
    if param.kind == NUMBER:
        return int(text) if text.lstrip("-").isdigit() else text
    return text


def _typed_rules(rules) -> tuple[list, dict]:
    """The rules with their parameters typed, and what is wrong with them by field."""
    if not isinstance(rules, list):
        return rules, {"validators": [N_("a list is required")]}
    typed, errors = [], {}
    for i, rule in enumerate(rules):
        where = f"validators[{i}]"
        if not isinstance(rule, dict):
            errors[where] = [N_("an object with a name and parameters is required")]
            continue
        validator = VALIDATORS.get(rule.get("name"))
        if validator is None:
            errors[f"{where}.name"] = [N_("not a registered rule: %(name)s (known: %(known)s)",
                                          name=str(rule.get("name")), known=", ".join(sorted(VALIDATORS)))]
            continue
        unknown = sorted(set(rule) - {"name", *(param.name for param in validator.params)})
        if unknown:
            errors[where] = [N_("unknown parameters: %(names)s", names=", ".join(unknown))]
        entry = {"name": validator.name}
        for param in validator.params:
            value = rule.get(param.name)
            if isinstance(value, str):
                value = _typed(param, value.strip()) if value.strip() else None
            if value in (None, [], ""):
                if param.required:
                    errors[f"{where}.{param.name}"] = [N_("required")]
                continue
            entry[param.name] = value
        typed.append(entry)
    return typed, errors


def _sorted(value):
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def dumps(definition: dict) -> str:
    """The file's text: compact JSON in a stable key order, one component per line (readable
    diffs). The definition has its id (definition_of gives it)."""
    ordered = {key: _sorted(definition[key]) for key in (*TOP_ORDER, *sorted(set(definition) - set(TOP_ORDER)))
               if key in definition and key != "components"}
    compact = {"ensure_ascii": False, "separators": (",", ":")}
    head = json.dumps(ordered, **compact)
    lines = ",\n".join(json.dumps(item, **compact) for item in _sorted(definition.get("components", [])))
    components = f"[\n{lines}\n]" if lines else "[]"
    return f'{head[:-1]},"components":{components}}}\n'  # head holds the id: never "{}"


def as_sent(definition: dict, schema: str, title_zh: str, title_en: str, validators: str) -> dict:
    """What the editor sent, as far as it reads, over `definition`: the page shown again after a
    refusal keeps the owner's work."""
    sent = dict(definition)
    body, rules = _loads(schema), _loads(validators)
    if isinstance(body, dict):
        sent.update(body)
    if isinstance(rules, list):
        sent["validators"] = rules
    sent["title"] = {"zh-CN": title_zh, "en": title_en}
    sent["id"] = definition["id"]
    return sent


def _loads(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None


def save(user: User, draft_id: int, form_key: str, schema: str, title_zh: str, title_en: str,
         validators: str) -> ProcessDraft:
    """A new draft: draft `draft_id`'s files with this form replaced or added."""
    check_key(form_key)
    definition = definition_of(form_key, schema, title_zh, title_en, validators)
    return drafts.revise(user, draft_id, {file_name(form_key): dumps(definition)})
