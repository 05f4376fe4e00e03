"""Named cross-field validators: rules that span fields, registered in code and named by a form
definition with their parameters, the way a service task names its handler:

    "validators": [{"name": "required_when", "fields": ["qc_notes"], "when_field": "qc_passed",
                    "when_values": [false], "message": "say what failed: it goes back to repair with it"}]

Each one says which parameters it takes (their kinds, for checking a definition and for a form
editor to offer), a short description, and whether it also runs when a field failed its own
checks (`always`: its refusal then comes with the other fields'). A check gets the loaded data
and its parameters, and raises marshmallow's ValidationError naming the field it refuses.
Messages are catalogue texts: a `message` parameter is an English text of the catalogue (shown
in the reader's language; a text the catalogue lacks is shown as written)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from marshmallow import ValidationError

from ..clock import local, now
from ..i18n import N_, Message

# Parameter kinds: a field key of the form, a list of them, a list of values (JSON), a text,
# a whole number, a key of the case's data.
FIELD, FIELDS, VALUES, TEXT, NUMBER, CASE_FIELD = "field", "fields", "values", "text", "number", "case_field"


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool = True


@dataclass(frozen=True)
class Validator:
    name: str
    description: Message
    params: tuple[Param, ...]
    check: Callable[[dict, dict, dict], None]  # (loaded data, params, the case's data)
    always: bool = False  # runs even when a field failed its own checks

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


VALIDATORS: dict[str, Validator] = {}


def register(name: str, description: Message, params: tuple[Param, ...], always: bool = False):
    def decorate(check):
        VALIDATORS[name] = Validator(name, description, params, check, always)
        return check
    return decorate


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ([], {})


@register("required_when", N_("fields required when another field has one of some values"),
          (Param("fields", FIELDS), Param("when_field", FIELD), Param("when_values", VALUES),
           Param("message", TEXT, required=False)))
def required_when(data: dict, params: dict, case: dict) -> None:
    if params["when_field"] not in data or data[params["when_field"]] not in params["when_values"]:
        return
    message = Message(params.get("message") or "required here")
    missing = {name: [message] for name in params["fields"] if _empty(data.get(name))}
    if missing:
        raise ValidationError(missing)


@register("serials_match_quantity", N_("one serial number per unit: the count of serials equals the quantity"),
          (Param("quantity", FIELD), Param("serials", FIELD)), always=True)
def serials_match_quantity(data: dict, params: dict, case: dict) -> None:
    quantity, listed = data.get(params["quantity"]), data.get(params["serials"])
    if quantity is not None and listed is not None and len(listed) != quantity:
        raise ValidationError(N_("%(count)s serial numbers given for a quantity of %(quantity)s: one per unit",
                                 count=len(listed), quantity=quantity), params["serials"])


@register("not_in_future", N_("a date or time that lies not in the future (with some minutes' grace)"),
          (Param("field", FIELD), Param("grace_minutes", NUMBER, required=False), Param("message", TEXT, required=False)),
          always=True)
def not_in_future(data: dict, params: dict, case: dict) -> None:
    value = data.get(params["field"])
    if isinstance(value, datetime):
        late = value > now() + timedelta(minutes=params.get("grace_minutes") or 0)
    elif isinstance(value, date):
        late = value > local(now()).date()
    else:
        return
    if late:
        raise ValidationError(Message(params.get("message") or "lies in the future"), params["field"])


@register("units_received", N_("the serial numbers named (a list, or a map's keys) are among those the case received"),
          (Param("fields", FIELDS), Param("case_field", CASE_FIELD)))
def units_received(data: dict, params: dict, case: dict) -> None:
    arrived = set(case.get(params["case_field"]) or [])
    for name in params["fields"]:
        unknown = sorted(set(data.get(name) or []) - arrived)
        if unknown:
            raise ValidationError(N_("not among the units received: %(serials)s", serials=", ".join(unknown)), name)


# Texts the shipped definitions (processes/forms/) give as a `message` or `pattern_error`: kept
# in the catalogue, so they read in Chinese.
SHIPPED_MESSAGES = (
    N_("required here"), N_("lies in the future"), N_("not a phone number"),
    N_("name the responsible department for category Other"), N_("say why the result goes back"), N_("say why"),
    N_("say what failed: it goes back to repair with it"), N_("the customer was reached: record the answer"),
    N_("the purchase date lies in the future"), N_("the pickup lies in the future"),
    N_("a complaint number such as TS-202611-0001"),
    N_("a complaint needs the issue the customer raised"),
)
