"""The report texts of the modeler's lint rules (app/web/static/src/modeler/lint.js, its
`MESSAGES`, same keys and English) in the page's language: the modeler page passes
`lint_messages()` in its JSON data block and the script hands it to `lintConfig({messages})`.
`{name}` placeholders stay as they are: the rules fill them in."""
from ..i18n import N_, translate

LINT_MESSAGES = {
    "laneNoRole": N_("This lane has no role: choose the role whose holders do its tasks."),
    "laneUnknownRole": N_("The role {role} of this lane is not a known role."),
    "userTaskNoLane": N_("This user task lies in no lane: put it in the lane of the role that does it."),
    "userTaskNoForm": N_("This user task has no form: choose the form it shows."),
    "unknownForm": N_("The form {form} is not one of this procedure's forms."),
    "serviceTaskNoHandler": N_("This service task calls no handler: choose one."),
    "serviceTaskUnknownHandler": N_("The handler {handler} of this service task is not a known handler."),
    "noOutgoing": N_("Nothing follows this element: connect it onward, or end the path with an end event."),
    "noIncoming": N_("Nothing leads to this element: connect a flow into it."),
    "timerEmpty": N_("This timer has no expression: say when it fires, e.g. working_days(2)."),
    "timerMalformed": N_("The timer expression {expression} is incomplete: its brackets or quotes do not pair up, "
                         "or it starts or ends with an operator."),
    "timerUnknownFunction": N_("The timer expression {expression} calls {function}, which is not a diagram function "
                               "(known: {functions})."),
    "gatewayNoDefault": N_("This gateway splits without a default flow and these flows have no condition: {flows}. "
                           "Make one flow the default or give each a condition."),
}


def lint_messages() -> dict[str, str]:
    """The texts by key in the request's language."""
    return {key: translate(text) for key, text in LINT_MESSAGES.items()}
