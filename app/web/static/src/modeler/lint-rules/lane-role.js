// Every lane says which role does its tasks: a `role` property naming a known role (the lane's
// name is then its label, in Chinese), or, in older diagrams, a name that is a role key.
// Config: {roles: [key | {key}], messages}. Reported on the lane.
import { is, keySet, property, rule, wording } from './util.js';

export default function laneRole({ roles, messages } = {}) {
  const known = keySet(roles);

  return rule((node, reporter) => {
    if (!is(node, 'bpmn:Lane') || (node.childLaneSet && (node.childLaneSet.lanes || []).length)) {
      return;  // a lane split into lanes: its inner lanes hold the tasks
    }
    const role = property(node, 'role');
    if (!role) {
      const name = (node.name || '').trim();
      if (!(known ? known.has(name) : name)) {
        reporter.report(node.id, wording(messages, 'laneNoRole'));
      }
    } else if (known && !known.has(role)) {
      reporter.report(node.id, wording(messages, 'laneUnknownRole', { role }));
    }
  });
}
