"""Named cross-field rules a form definition refers to by name (`"validators": [{"name": ..., **params}]`),
the way service tasks name handlers. Each takes the answers and its parameters and returns the
refused fields with their reasons ({} when the answers pass).

This branch (the form editor) carries one rule so its page can offer the registry; the forms
branch brings the real set."""
from dataclasses import dataclass
from typing import Callable

from ..i18n import N_, Message


@dataclass(frozen=True)
class Validator:
    check: Callable[..., dict[str, list[Message]]]
    params: tuple[str, ...]  # the parameter names a form gives it
    description: Message     # what it checks, for the editors (N_ text)


def required_when(answers: dict, field: str, when: str, equals) -> dict[str, list[Message]]:
    """`field` must be answered when the answer `when` equals `equals`."""
    if str(answers.get(when)) == str(equals) and answers.get(field) in (None, "", []):
        return {field: [N_("required when %(when)s is %(equals)s", when=when, equals=equals)]}
    return {}


VALIDATORS: dict[str, Validator] = {
    "required_when": Validator(required_when, ("field", "when", "equals"),
                               N_("A field is required when another field has a given value")),
}
