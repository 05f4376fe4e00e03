// An exclusive gateway that splits has a default flow, or a condition on each outgoing flow (so a
// case never finds no way on). Reported on the gateway, naming the flows without a condition.
import { is, rule, wording } from './util.js';

function hasCondition(flow) {
  const expression = flow.conditionExpression;
  return !!(expression && String(expression.body || '').trim());
}

export default function exclusiveGatewayDefault({ messages } = {}) {

  return rule((node, reporter) => {
    const outgoing = node.outgoing || [];
    if (!is(node, 'bpmn:ExclusiveGateway') || outgoing.length < 2 || node.default) {
      return;
    }
    const bare = outgoing.filter((flow) => !hasCondition(flow));
    if (bare.length) {
      const flows = bare.map((flow) => (flow.name ? `${flow.name} (${flow.id})` : flow.id)).join(', ');
      reporter.report(node.id, wording(messages, 'gatewayNoDefault', { flows }));
    }
  });
}
