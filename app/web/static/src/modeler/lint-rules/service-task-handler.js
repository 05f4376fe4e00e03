// Every service task calls a registered handler: <spiffworkflow:serviceTaskOperator id="...">.
// Config: {handlers: [key | {key}], messages}. Reported on the task.
import { extensions, is, keySet, rule, wording } from './util.js';

export default function serviceTaskHandler({ handlers, messages } = {}) {
  const known = keySet(handlers);

  return rule((node, reporter) => {
    if (!is(node, 'bpmn:ServiceTask')) {
      return;
    }
    const operator = extensions(node, 'serviceTaskOperator')[0];
    const handler = String((operator && operator.id) || '').trim();
    if (!handler) {
      reporter.report(node.id, wording(messages, 'serviceTaskNoHandler'));
    } else if (known && !known.has(handler)) {
      reporter.report(node.id, wording(messages, 'serviceTaskUnknownHandler', { handler }));
    }
  });
}
