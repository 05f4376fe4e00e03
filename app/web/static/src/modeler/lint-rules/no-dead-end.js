// No dead ends: every flow node but an end event has an outgoing sequence flow, every one but a
// start or boundary event an incoming one. Not concerned: event sub-processes, compensation
// handlers and their boundary events, link events (joined by name) and the loose contents of an
// ad-hoc sub-process. Reported on the node.
import { is, isAny, rule, wording } from './util.js';

function definedBy(node, type) {
  return (node.eventDefinitions || []).some((definition) => is(definition, type));
}

export default function noDeadEnd({ messages } = {}) {

  return rule((node, reporter) => {
    if (!is(node, 'bpmn:FlowNode') || is(node.$parent, 'bpmn:AdHocSubProcess') ||
        node.triggeredByEvent || node.isForCompensation) {
      return;
    }
    const needsOutgoing = !is(node, 'bpmn:EndEvent') &&
      !(is(node, 'bpmn:IntermediateThrowEvent') && definedBy(node, 'bpmn:LinkEventDefinition')) &&
      !(is(node, 'bpmn:BoundaryEvent') && definedBy(node, 'bpmn:CompensateEventDefinition'));
    const needsIncoming = !isAny(node, [ 'bpmn:StartEvent', 'bpmn:BoundaryEvent' ]) &&
      !(is(node, 'bpmn:IntermediateCatchEvent') && definedBy(node, 'bpmn:LinkEventDefinition'));
    if (needsOutgoing && !(node.outgoing || []).length) {
      reporter.report(node.id, wording(messages, 'noOutgoing'));
    }
    if (needsIncoming && !(node.incoming || []).length) {
      reporter.report(node.id, wording(messages, 'noIncoming'));
    }
  });
}
