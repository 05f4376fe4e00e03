"""The report texts of the modeler's lint rules (app/web/static/src/modeler/lint.js, its
`MESSAGES`, same keys and English) in the page's language: the modeler page passes
`lint_messages()` in its JSON data block and the script hands it to `lintConfig({messages})`.
`{name}` placeholders stay as they are: the rules fill them in. BPMNLINT_MESSAGES: the reports of
bpmnlint's own rules (bpmnlint 11), in English as bpmnlint words them."""
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

BPMNLINT_MESSAGES = {
    "adHocStartEvent": N_("A <Start Event> is not allowed in <Ad Hoc Sub Process>"),
    "adHocEndEvent": N_("An <End Event> is not allowed in <Ad Hoc Sub Process>"),
    "flowWithoutCondition": N_("Sequence flow is missing condition"),
    "processNoEnd": N_("Process is missing end event"),
    "subProcessNoEnd": N_("Sub process is missing end event"),
    "processNoStart": N_("Process is missing start event"),
    "subProcessNoStart": N_("Sub process is missing start event"),
    "processManyBlankStarts": N_("Process has multiple blank start events"),
    "subProcessManyBlankStarts": N_("Sub process has multiple blank start events"),
    "eventGatewayFewFlows": N_("An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>"),
    "eventGatewayConditional": N_("A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional"),
    "startWithoutDefinition": N_("Start event is missing event definition"),
    "startNotBlank": N_("Start event must be blank"),
    "fakeJoin": N_("Incoming flows do not join"),
    "missingName": N_("Element is missing name"),
    "unused": N_("Element is unused"),
    "nameNotUnique": N_("Element name is not unique"),
    "linkWithoutName": N_("Link event is missing link name"),
    "missingDiagram": N_("Element is missing bpmndi"),
    "complexGateway": N_("Element type <bpmn:ComplexGateway> is discouraged"),
    "inclusiveGateway": N_("Element type <bpmn:InclusiveGateway> is discouraged"),
    "duplicateFlow": N_("SequenceFlow is a duplicate"),
    "duplicateOutgoing": N_("Duplicate outgoing sequence flows"),
    "duplicateIncoming": N_("Duplicate incoming sequence flows"),
    "implicitSplit": N_("Flow splits implicitly"),
    "overlaps": N_("Element overlaps with other element"),
    "outsideParent": N_("Element is outside of parent boundary"),
    "manyEventDefinitions": N_("Event has multiple event definitions"),
    "superfluousGateway": N_("Gateway is superfluous. It only has one source and target."),
    "superfluousLabel": N_("Sequence flow has superfluous label"),
    "superfluousTermination": N_("Termination is superfluous."),
}


def lint_messages() -> dict[str, str]:
    """The texts by key in the request's language."""
    return {key: translate(text) for key, text in (LINT_MESSAGES | BPMNLINT_MESSAGES).items()}
