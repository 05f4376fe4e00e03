// Every user task names its form (`form` property) among the procedure's forms; so does the plain
// start event when it has a `form`. Config: {forms: [key | {key}], messages}. Reported on the task.
import { is, isAny, keySet, property, rule, wording } from './util.js';

export default function userTaskForm({ forms, messages } = {}) {
  const known = keySet(forms);

  return rule((node, reporter) => {
    const human = isAny(node, [ 'bpmn:UserTask', 'bpmn:ManualTask' ]);
    if (!human && !is(node, 'bpmn:StartEvent')) {
      return;
    }
    const form = property(node, 'form');
    if (!form) {
      if (human) {
        reporter.report(node.id, wording(messages, 'userTaskNoForm'));
      }
    } else if (known && !known.has(form)) {
      reporter.report(node.id, wording(messages, 'unknownForm', { form }));
    }
  });
}
