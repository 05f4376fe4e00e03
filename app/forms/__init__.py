"""Forms: each user-task form (and start form) is a definition kept with its procedure's
files (`<form key>.form`, app/forms/definitions.py), compiled into a marshmallow schema that
validates page posts and API payloads and publishes the JSON Schema clients fill. A case uses
the forms of its version, compiled once per version (versions are immutable)."""
import logging
import threading
from collections import OrderedDict
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path

from flask import current_app
from marshmallow import ValidationError, missing

from ..errors import ValidationFailed
from ..i18n import N_
from .definitions import SUFFIX, DefinitionError, Form, compile_definition, key_of, problems, read  # noqa: F401

log = logging.getLogger(__name__)

# The case's data while its task form is validated: a check that needs the case (a serial number
# must be one that arrived) reads it here, since marshmallow 4 schemas carry no context.
_CASE: ContextVar[dict] = ContextVar("case", default={})


def case_data() -> dict:
    return _CASE.get()


# Transitional: the due rule, what a task page shows and the case fields move into the diagram's
# element properties (the lead's branch); until then each shipped form's facts, by form key.
_COMPLAINT_CASE = ("customer_name", "contact_phone", "vehicle", "description", "customer_request", "category",
                   "severity")
_HANDLED = ("complaint.handle", "complaint.handle_repair", "complaint.repair_plan")
_FOR_THE_DEPARTMENT = ("complaint.major_decision", "complaint.classify", "complaint.follow_up",
                       "complaint.repair_plan", "complaint.confirm", "complaint.callback", "complaint.escalation")
_RETURN_CASE = ("branch", "model", "quantity", "serial_numbers", "fault_description", "purchase_date",
                "warranty_card", "dealer_seal", "customer_name", "contact_phone")
_APPLIED = ("return.correct", "return.request")
_RECEIVED = ("return.receive", "return.shipment")
_CALLBACK_CASE = ("customer_name", "contact_phone", "subject", "repair_summary", "picked_up_at", "source", "source_ref")
_LEGACY_FACTS: dict[str, dict] = {key: {"case_fields": case, **facts} for case, group in (
    (_COMPLAINT_CASE, {
        "complaint.intake": {},
        "complaint.classify": {"due_days": 1, "shows": ("complaint.intake",)},
        "complaint.follow_up": {"due_from": "deadlines.first_response", "shows": ("complaint.classify",)},
        "complaint.major_decision": {"due_from": "deadlines.handling",
                                     "shows": ("complaint.follow_up", "complaint.classify")},
        "complaint.handle": {"due_from": "deadlines.handling", "shows": _FOR_THE_DEPARTMENT},
        "complaint.handle_repair": {"due_from": "deadlines.handling", "shows": _FOR_THE_DEPARTMENT},
        "complaint.repair_plan": {"due_from": "deadlines.handling", "shows": (
            "complaint.handle_repair", "complaint.major_decision", "complaint.classify", "complaint.confirm",
            "complaint.callback")},
        "complaint.confirm": {"due_days": 1, "shows": (*_HANDLED, "complaint.major_decision", "complaint.classify",
                                                       "complaint.callback")},
        "complaint.callback": {"due_days": 3, "shows": ("complaint.confirm", *_HANDLED, "complaint.major_decision")},
        "complaint.close": {"due_days": 2, "shows": ("complaint.callback", "complaint.confirm", *_HANDLED,
                                                     "complaint.major_decision")},
        "complaint.vehicle_release": {"shows": ("complaint.repair_plan", "complaint.handle_repair")},
        "complaint.escalation": {"shows": ("complaint.escalation", "complaint.classify", *_HANDLED)},
        "complaint.repeated_overdue": {"shows": ("complaint.escalation",)},
    }),
    (_RETURN_CASE, {
        "return.request": {},
        "return.correct": {"shows": ("return.review", *_APPLIED)},
        "return.review": {"shows": _APPLIED},
        "return.approve": {"shows": ("return.review", *_APPLIED)},
        "return.rejection_notice": {"shows": ("return.approve", "return.review")},
        "return.receive": {"shows": _APPLIED},
        "return.shipment": {"shows": _APPLIED},
        "return.mismatch": {"shows": (*_RECEIVED, *_APPLIED)},
        "return.warranty_check": {"shows": _RECEIVED},
        "return.quote": {"shows": ("return.warranty_check",)},
        "return.quote_answer": {"due_from": "quote_answer_due_at", "shows": ("return.quote", "return.warranty_check")},
        "return.repair": {"due_from": "repair_due_at", "shows": ("return.quality_check", "return.warranty_check",
                                                                 *_APPLIED)},
        "return.aging": {"due_from": "repair_due_at", "shows": ("return.repair",)},
        "return.quality_check": {"due_from": "repair_due_at", "shows": ("return.repair", "return.aging")},
        "return.ship_back": {"shows": ("return.quality_check", "return.repair", "return.quote_answer")},
    }),
    (_CALLBACK_CASE, {
        "callback.start": {},
        "callback.call": {"due_from": "callback_due_at", "shows": ("callback.call",)},
        "callback.complaint": {"shows": ("callback.call",)},
        "callback.follow_up": {"due_from": "follow_up_due_at", "shows": ("callback.call", "callback.complaint",
                                                                        "callback.follow_up")},
    })) for key, facts in group.items()}


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
            found[definition["id"]] = compile_definition(definition, **_LEGACY_FACTS.get(definition["id"], {}))
        except (DefinitionError, KeyError, TypeError, ValueError) as err:
            log.warning("form file %s does not compile: %r", name, err)
    return found


_CACHE: "OrderedDict[tuple, dict[str, Form]]" = OrderedDict()
_CACHE_SIZE = 128


_CACHE_LOCK = threading.Lock()


def _cached(key: tuple, files) -> dict[str, Form]:
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    compiled = compile_files(files())  # outside the lock: another thread may compile the same, harmlessly
    with _CACHE_LOCK:
        _CACHE[key] = compiled
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return compiled


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
