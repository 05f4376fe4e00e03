// Reading and writing our diagram facts (contract 3): `spiffworkflow:properties` name/value pairs,
// the service task's `spiffworkflow:serviceTaskOperator`, and the BPMN expressions of timers and
// conditions. Every write goes through one command on the command stack (undo/redo, saving and
// the server check see it): the `...Changes` functions build the commands, `apply` runs them.
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

function extensionOf(bo, type) {
  return ((bo.extensionElements && bo.extensionElements.values) || []).find((v) => v.$type === type);
}

export function propertyOf(element, name) {
  const props = extensionOf(getBusinessObject(element), 'spiffworkflow:properties');
  const found = props && (props.properties || []).find((p) => p.name === name);
  return found ? (found.value || '') : undefined;
}

export function operatorOf(element) {
  return extensionOf(getBusinessObject(element), 'spiffworkflow:serviceTaskOperator');
}

// Run a list of {cmd, context} as one undoable step.
export function apply(injector, commands) {
  if (commands.length) {
    injector.get('commandStack').execute('properties-panel.multi-command-executor', commands);
  }
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

// The extension element of `type` on the element: [element, commands creating it (if missing)].
function ensureExtension(injector, element, type, attrs) {
  const bo = getBusinessObject(element);
  const bpmnFactory = injector.get('bpmnFactory');
  const found = extensionOf(bo, type);
  if (found) { return [found, []]; }
  const created = bpmnFactory.create(type, attrs || {});
  let extensionElements = bo.extensionElements;
  const commands = [];
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] });
    extensionElements.$parent = bo;
    commands.push(update(element, bo, { extensionElements }));
  }
  created.$parent = extensionElements;
  commands.push(update(element, extensionElements, { values: [...(extensionElements.values || []), created] }));
  return [created, commands];
}

// Commands setting the properties named in `values` (name -> text, or null to remove it).
export function propertyChanges(injector, element, values) {
  const [props, commands] = ensureExtension(injector, element, 'spiffworkflow:properties');
  let list = [...(props.properties || [])];
  let changed = false;
  for (const [name, value] of Object.entries(values)) {
    const found = list.find((p) => p.name === name);
    if (value === null || value === undefined) {
      if (found) { list = list.filter((p) => p !== found); changed = true; }
    } else if (found) {
      if (found.value !== value) { commands.push(update(element, found, { value })); }
    } else {
      const property = injector.get('bpmnFactory').create('spiffworkflow:property', { name, value });
      property.$parent = props;
      list.push(property);
      changed = true;
    }
  }
  if (changed) { commands.push(update(element, props, { properties: list })); }
  return commands;
}

export function setProperties(injector, element, values) {
  apply(injector, propertyChanges(injector, element, values));
}

export function setOperator(injector, element, attrs) {
  const [operator, commands] = ensureExtension(injector, element, 'spiffworkflow:serviceTaskOperator', attrs);
  if (!commands.length) { commands.push(update(element, operator, attrs)); }
  apply(injector, commands);
}

// Parameter values of the operator, by id.
export function parametersOf(element) {
  const operator = operatorOf(element);
  const list = operator && operator.parameterList;
  return Object.fromEntries(((list && list.parameters) || []).map((p) => [p.id, p.value || '']));
}

export function setParameter(injector, element, id, type, value) {
  const bpmnFactory = injector.get('bpmnFactory');
  const operator = operatorOf(element);
  if (!operator) { return; }
  const commands = [];
  let list = operator.parameterList;
  if (!list) {
    list = bpmnFactory.create('spiffworkflow:parameters', { parameters: [] });
    list.$parent = operator;
    commands.push(update(element, operator, { parameterList: list }));
  }
  const found = (list.parameters || []).find((p) => p.id === id);
  if (found) {
    commands.push(value === '' ? update(element, list, { parameters: list.parameters.filter((p) => p !== found) })
      : update(element, found, { value }));
  } else if (value !== '') {
    const parameter = bpmnFactory.create('spiffworkflow:parameter', { id, type, value });
    parameter.$parent = list;
    commands.push(update(element, list, { parameters: [...(list.parameters || []), parameter] }));
  }
  apply(injector, commands);
}

// --- expressions -------------------------------------------------------------------------------

function expression(injector, body, parent) {
  const created = injector.get('bpmnFactory').create('bpmn:FormalExpression', { body });
  created.$parent = parent;
  return created;
}

export function timerOf(element) {
  const bo = getBusinessObject(element);
  return (bo.eventDefinitions || []).find((d) => is(d, 'bpmn:TimerEventDefinition'));
}

export function timeDateOf(element) {
  const timer = timerOf(element);
  return (timer && timer.timeDate && timer.timeDate.body) || '';
}

export function setTimeDate(injector, element, body) {
  const timer = timerOf(element);
  if (!timer) { return; }
  apply(injector, [update(element, timer, {
    timeDate: expression(injector, body, timer), timeDuration: undefined, timeCycle: undefined,
  })]);
}

export function conditionOf(element) {
  const condition = getBusinessObject(element).conditionExpression;
  return (condition && condition.body) || '';
}

export function setCondition(injector, element, body) {
  const bo = getBusinessObject(element);
  injector.get('modeling').updateProperties(element, {
    conditionExpression: body ? expression(injector, body, bo) : undefined,
  });
}
