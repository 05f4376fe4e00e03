"""The texts of the diagram editor's page script (app/web/static/src/modeler/), passed translated
in the page's JSON data block: our properties groups (MODELER_TEXTS, by name) and the words of
bpmn-js's own properties panel (PANEL_TEXTS, looked up by their English text)."""
from ..i18n import N_

MODELER_TEXTS = {
    "role": N_("Role"),
    "no_role": N_("(no role)"),
    "form": N_("Form"),
    "no_form": N_("(no form)"),
    "new_form": N_("New form…"),
    "new_form_title": N_("new form %(key)s"),
    "new_form_name": N_("Name of the new form"),
    "new_form_hint": N_("Its key is %(prefix)s followed by this name: lower-case letters, digits and _."),
    "new_form_key": N_("Form key: %(key)s"),
    "new_form_invalid": N_("Lower-case letters, digits and _, starting with a letter."),
    "due": N_("Time limit"),
    "due_none": N_("None"),
    "due_days": N_("N working days"),
    "due_from": N_("From a data field"),
    "working_days": N_("Working days"),
    "hours": N_("Hours"),
    "data_field": N_("Data field"),
    "due_from_hint": N_("The path of the field holding the due time, e.g. deadlines.handling"),
    "shows": N_("Shows first"),
    "case_fields": N_("Case fields"),
    "case_fields_hint": N_("Fields every task page of the case shows, separated by spaces"),
    "handler": N_("Handler"),
    "no_handler": N_("(no handler)"),
    "returns": N_("Returns: %(what)s"),
    "parameter": N_("Parameter %(name)s"),
    "result_variable": N_("Result variable"),
    "result_variable_hint": N_("The data field that receives what the handler returns"),
    "timer": N_("Timer"),
    "timer_days": N_("After N working days"),
    "timer_hours": N_("Within N hours"),
    "timer_free": N_("Free expression"),
    "timer_free_hint": N_("A moment: working_days(n), in_hours(n), add_days(moment, n) or a data field"),
    "timer_expression_is": N_("Expression: %(expression)s"),
    "expression": N_("Expression"),
    "condition": N_("Condition"),
    "condition_hint": N_("A Python expression on the case's data, checked as you type"),
}

PANEL_TEXTS = [
    N_("General"), N_("Name"), N_("ID"), N_("Documentation"), N_("Element documentation"),
    N_("Process documentation"), N_("Executable"), N_("Process"), N_("Participant"), N_("Process ID"),
    N_("Process name"), N_("Version tag"), N_("Timer"), N_("Type"), N_("Value"), N_("Message"), N_("Signal"),
    N_("Condition"), N_("Multi-instance"), N_("Inputs"), N_("Outputs"), N_("Date"), N_("Duration"),
    N_("Cycle"), N_("<none>"),
]
