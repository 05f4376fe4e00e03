// Every user task lies in a lane (whose role does it; lane-role checks the lane). A task inside a
// sub-process lies in the sub-process's lane, or names its own role in a `role` property (an
// escalation to the next level up inside a department's clock). Reported on the task.
import { is, isAny, property, rule, wording } from './util.js';

const HUMAN = [ 'bpmn:UserTask', 'bpmn:ManualTask' ];

function leafLanes(laneSets) {
  const found = [];
  (laneSets || []).forEach((laneSet) => {
    (laneSet.lanes || []).forEach((lane) => {
      const inner = lane.childLaneSet ? leafLanes([ lane.childLaneSet ]) : [];
      found.push(...(inner.length ? inner : [ lane ]));
    });
  });
  return found;
}

export default function userTaskLane({ messages } = {}) {

  function walk(container, inLane, laned, reporter) {
    (container.flowElements || []).forEach((element) => {
      const here = inLane || laned.has(element);
      if (isAny(element, HUMAN) && !here && !property(element, 'role')) {
        reporter.report(element.id, wording(messages, 'userTaskNoLane'));
      }
      if (is(element, 'bpmn:SubProcess')) {
        walk(element, here, laned, reporter);
      }
    });
  }

  return rule((node, reporter) => {
    if (!is(node, 'bpmn:Process')) {
      return;
    }
    const laned = new Set();
    leafLanes(node.laneSets).forEach((lane) => (lane.flowNodeRef || []).forEach((ref) => laned.add(ref)));
    walk(node, false, laned, reporter);
  });
}
