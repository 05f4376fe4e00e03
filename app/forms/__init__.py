"""Forms: each user-task form (and start form) is a definition kept with its procedure's
files (`<form key>.form`, app/forms/definitions.py), compiled into a marshmallow schema that
validates page posts and API payloads and publishes the JSON Schema clients fill. A case uses
the forms of its version, compiled once per version (versions are immutable)."""
import logging
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from marshmallow import ValidationError, missing

from ..caching import Kept
from ..errors import ValidationFailed
from ..i18n import N_
from .definitions import SUFFIX, DefinitionError, Form, compile_definition, key_of, problems, read  # noqa: F401

log = logging.getLogger(__name__)

# The case's data while its task form is validated: a check that needs the case (a serial number
# must be one that arrived) reads it here, since marshmallow 4 schemas carry no context.
_CASE: ContextVar[dict] = ContextVar("case", default={})


def case_data() -> dict:
    return _CASE.get()


# ----------------------------------------------------------------------------- the forms of files
def compile_files(files: dict[str, str]) -> dict[str, Form]:
    """The forms among a procedure's files, by key; a file that does not compile is left out
    (deploying refuses one: app/services/deployments.check)."""
    found = {}
    for name, text in sorted(files.items()):
        if not name.endswith(SUFFIX):
            continue
        try:
            if problems(name, text):
                raise DefinitionError(name)
            definition = read(text)
            found[definition["id"]] = compile_definition(definition)
        except (DefinitionError, KeyError, TypeError, ValueError) as err:
            log.warning("form file %s does not compile: %r", name, err)
    return found


_COMPILED: Kept[dict[str, Form]] = Kept(128)  # versions and drafts, by digest or content


def _cached(key: tuple, files) -> dict[str, Form]:
    return _COMPILED.get(key, lambda: compile_files(files()))  # made outside the lock


def of_version(version) -> dict[str, Form]:
    """The forms of a deployed version (a ProcessVersion), compiled once: its files are loaded
    only the first time (the digest of its files names it)."""
    return _cached(("version", version.sha256), lambda: version.files or {})


def of_files(files: dict[str, str]) -> dict[str, Form]:
    """The forms of a draft's files (or any procedure's files), compiled once per content."""
    return _cached(("files", tuple(sorted((n, t) for n, t in files.items() if n.endswith(SUFFIX)))), lambda: files)


def form_of(version, key: str | None) -> Form | None:
    return of_version(version).get(key) if key else None


def shipped() -> dict[str, Form]:
    """The forms of the repository's processes/forms/ (PROCESSES_DIR): what the API document
    describes, and the forms used outside a procedure's tasks (receiving a shipment at the door)."""
    folder = Path(current_app.config["PROCESSES_DIR"]) / "forms"
    files = {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.glob(f"*{SUFFIX}"))}
    return of_files(files)


# ----------------------------------------------------------------------------- using a form
def _json_safe(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def defaults(form: Form) -> dict:
    """What a new task of `form` opens with: the defaults the form declares, nothing else
    (never the case's values, nor an earlier round's answers)."""
    opening = {}
    for name, declared in form.schema().load_fields.items():
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


def validate(form: Form, data, case: dict | None = None) -> dict:
    """The cleaned data, or ValidationFailed naming every failing field. Every field of the form
    is in it (None when left empty and the form declares no default), so completing a task sets
    each of its fields: an earlier round's value cannot stay behind in the case."""
    if not isinstance(data, dict):
        raise ValidationFailed(N_("the form data must be an object"), {"data": [N_("must be an object")]})
    token = _CASE.set(case or {})
    try:
        loaded = form.schema().load(data)
    except ValidationError as err:
        fields = {name: _reasons(found) for name, found in err.normalized_messages().items()}
        raise ValidationFailed(N_("the form has errors"), fields) from None
    finally:
        _CASE.reset(token)
    return {name: _json_safe(loaded.get(name)) for name in form.schema().load_fields}


def choices(forms: dict[str, Form], field: str) -> list[tuple[str, str, str]]:
    """(key, English, Chinese) of the choices of `field` in the first of `forms` that has it."""
    for form in forms.values():
        declared = form.schema._declared_fields.get(field)
        if declared is not None and "choices" in declared.metadata:
            return [(key, labels.get("en") or labels["zh-CN"], labels["zh-CN"])
                    for key, labels in declared.metadata["choices"].items()]
    return []


def choice_label(field: str, value, lang: str, forms: dict[str, Form]) -> str:
    """The label of a fixed choice (a category, a channel...) in the page's language, as `forms`
    declare it; a list (serial numbers) reads as one line, a map (unit -> cause) as `key: label` pairs."""
    if isinstance(value, bool):
        return ("Yes" if value else "No") if lang == "en" else ("是" if value else "否")
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {choice_label(field, v, lang, forms)}" for k, v in value.items())
    for form in forms.values():
        declared = form.schema._declared_fields.get(field)
        labels = declared.metadata.get("choices", {}) if declared else {}
        if value in labels:
            return labels[value].get(lang) or labels[value]["zh-CN"]
    return "" if value is None else str(value)


def field_label(field: str, lang: str, forms: dict[str, Form]) -> str:
    for form in forms.values():
        declared = form.schema._declared_fields.get(field)
        if declared and "label" in declared.metadata:
            return declared.metadata["label"].get(lang) or declared.metadata["label"]["zh-CN"]
    return field
