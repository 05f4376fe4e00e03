// Our groups in bpmn-js-properties-panel, labelled in the page's language (`texts`, translated by
// the server): a lane's role, a user task's form / due rule / what it shows, the plain start
// event's form and case fields, a service task's handler with its parameters and result, a
// timer's working-day helper and a sequence flow's condition (checked by the server as you type,
// its problems shown under the field by checks.js through 'propertiesPanel.setErrors').
import { h } from '@bpmn-io/properties-panel/preact';
import {
  CheckboxEntry, NumberFieldEntry, SelectEntry, TextFieldEntry,
  isCheckboxEntryEdited, isNumberFieldEntryEdited, isSelectEntryEdited, isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';

import {
  apply, conditionOf, operatorOf, parametersOf, propertyChanges, propertyOf, setCondition,
  setOperator, setParameter, setProperties, setTimeDate, timeDateOf, timerOf,
} from './extensions';

const NEW_FORM = '__new__';
const FORM_NAME = /^[a-z][a-z0-9_]*$/;
export const TIMER_PATTERNS = { days: /^working_days\((\d+)\)$/, hours: /^in_hours\((\d+)\)$/ };
const TIMER_FUNCTIONS = { days: 'working_days', hours: 'in_hours' };

function fill(text, values) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => (name in values ? values[name] : ''));
}

export function isPlainStart(element) {
  const bo = getBusinessObject(element);
  return is(element, 'bpmn:StartEvent') && !(bo.eventDefinitions || []).length;
}

export function isConditionalFlow(element) {
  const source = is(element, 'bpmn:SequenceFlow') && element.source;
  return !!source && (is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway'));
}

export default function SpiffPropertiesProvider(propertiesPanel, injector, eventBus, choices) {
  this._injector = injector;
  this._eventBus = eventBus;
  this._choices = choices;
  this._texts = choices.texts;
  this._creating = new Set(); // element ids whose form select stands on "new form…"
  this._freeTimer = new Set(); // timer element ids edited as a free expression
  propertiesPanel.registerProvider(400, this);
}

SpiffPropertiesProvider.$inject = ['propertiesPanel', 'injector', 'eventBus', 'config.spiffChoices'];

SpiffPropertiesProvider.prototype._refresh = function () {
  this._eventBus.fire('propertiesPanel.providersChanged');
};

SpiffPropertiesProvider.prototype.getGroups = function (element) {
  return (groups) => {
    const ours = this._groupsOf(element).filter((group) => group.entries.length)
      .map((group) => ({ ...group, shouldOpen: true }));
    const general = groups.findIndex((group) => group.id === 'general');
    groups.splice(general + 1, 0, ...ours);
    return groups;
  };
};

SpiffPropertiesProvider.prototype._groupsOf = function (element) {
  const t = this._texts;
  if (is(element, 'bpmn:Lane')) {
    return [{ id: 'spiff-lane', label: t.role, entries: [this._roleEntry(element)] }];
  }
  if (is(element, 'bpmn:UserTask')) {
    return [
      { id: 'spiff-form', label: t.form, entries: this._formEntries(element) },
      { id: 'spiff-due', label: t.due, entries: this._dueEntries(element) },
      { id: 'spiff-assignee', label: t.assignee, entries: [this._assigneeEntry(element)] },
      { id: 'spiff-shows', label: t.shows, entries: this._showsEntries(element) },
    ];
  }
  if (isPlainStart(element)) {
    return [{ id: 'spiff-form', label: t.form, entries: [...this._formEntries(element), this._caseFieldsEntry(element)] }];
  }
  if (is(element, 'bpmn:ServiceTask')) {
    return [{ id: 'spiff-handler', label: t.handler, entries: this._handlerEntries(element) }];
  }
  if (timerOf(element)) {
    return [{ id: 'spiff-timer', label: t.timer, entries: this._timerEntries(element) }];
  }
  if (isConditionalFlow(element)) {
    return [{ id: 'spiff-condition-group', label: t.condition, entries: [this._conditionEntry(element)] }];
  }
  return [];
};

// --- entries: small preact components around the panel's own fields ------------------------------

function Text(props) {
  const debounce = useService('debounceInput');
  return h(TextFieldEntry, { ...props, debounce });
}

function NumberField(props) {
  const debounce = useService('debounceInput');
  return h(NumberFieldEntry, { ...props, debounce });
}

// --- lane: role -----------------------------------------------------------------------------

SpiffPropertiesProvider.prototype._roleOf = function (element) {
  const role = propertyOf(element, 'role');
  if (role !== undefined) { return role; }
  const name = getBusinessObject(element).name || '';
  return this._choices.roles.some((r) => r.key === name) ? name : ''; // a lane still named by its key
};

SpiffPropertiesProvider.prototype._roleEntry = function (element) {
  const roles = this._choices.roles;
  return {
    id: 'spiff-role', element, component: SelectEntry, isEdited: isSelectEntryEdited, label: this._texts.role,
    getValue: () => this._roleOf(element),
    getOptions: () => {
      const current = this._roleOf(element);
      const options = [{ value: '', label: this._texts.no_role }, ...roles.map((r) => ({ value: r.key, label: `${r.label} (${r.key})` }))];
      if (current && !roles.some((r) => r.key === current)) { options.push({ value: current, label: current }); }
      return options;
    },
    setValue: (value) => {
      const commands = propertyChanges(this._injector, element, { role: value || null });
      const name = getBusinessObject(element).name || '';
      const automatic = !name || roles.some((r) => r.key === name || r.label === name);
      const role = roles.find((r) => r.key === value);
      if (role && automatic && name !== role.label) {
        commands.push({ cmd: 'element.updateProperties', context: { element, properties: { name: role.label } } });
      }
      apply(this._injector, commands);
    },
  };
};

// --- user task and start event: form ------------------------------------------------------------

SpiffPropertiesProvider.prototype._knownForms = function () {
  const forms = new Map(this._choices.forms.map((f) => [f.key, f.title]));
  const registry = this._injector.get('elementRegistry');
  registry.forEach((el) => {
    const key = propertyOf(el, 'form');
    if (key && !forms.has(key)) { forms.set(key, fill(this._texts.new_form_title, { key })); }
  });
  return forms;
};

SpiffPropertiesProvider.prototype._formEntries = function (element) {
  const t = this._texts;
  const prefix = `${this._choices.procedure}.`;
  const creating = this._creating.has(element.id);
  const entries = [{
    id: 'spiff-form-key', element, component: SelectEntry, isEdited: isSelectEntryEdited, label: t.form,
    getValue: () => (this._creating.has(element.id) ? NEW_FORM : propertyOf(element, 'form') || ''),
    getOptions: () => [
      { value: '', label: t.no_form },
      ...[...this._knownForms()].map(([key, title]) => ({ value: key, label: `${title} (${key})` })),
      { value: NEW_FORM, label: t.new_form },
    ],
    setValue: (value) => {
      if (value === NEW_FORM) {
        this._creating.add(element.id);
        this._refresh();
        return;
      }
      this._creating.delete(element.id);
      setProperties(this._injector, element, { form: value || null });
      this._refresh();
    },
  }];
  const newName = () => {
    const key = propertyOf(element, 'form') || '';
    return key.startsWith(prefix) && !this._choices.forms.some((f) => f.key === key) ? key.slice(prefix.length) : '';
  };
  if (creating) {
    entries.push({
      id: 'spiff-form-new', element, component: Text, isEdited: isTextFieldEntryEdited, label: t.new_form_name,
      description: newName() ? fill(t.new_form_key, { key: prefix + newName() }) : fill(t.new_form_hint, { prefix }),
      getValue: newName,
      validate: (value) => (value && !FORM_NAME.test(value) ? t.new_form_invalid : null),
      setValue: (value) => {
        if (FORM_NAME.test(value || '')) { setProperties(this._injector, element, { form: prefix + value }); }
      },
    });
  }
  return entries;
};

// --- user task: due rule ------------------------------------------------------------------------

SpiffPropertiesProvider.prototype._dueEntries = function (element) {
  const t = this._texts;
  const mode = () => (propertyOf(element, 'due_days') !== undefined ? 'days'
    : propertyOf(element, 'due_from') !== undefined ? 'from' : '');
  const entries = [{
    id: 'spiff-due-rule', element, component: SelectEntry, isEdited: isSelectEntryEdited, label: t.due,
    getValue: mode,
    getOptions: () => [{ value: '', label: t.due_none }, { value: 'days', label: t.due_days },
      { value: 'from', label: t.due_from }],
    setValue: (value) => setProperties(this._injector, element, {
      due_days: value === 'days' ? (propertyOf(element, 'due_days') || '1') : null,
      due_from: value === 'from' ? (propertyOf(element, 'due_from') || '') : null,
    }),
  }];
  if (mode() === 'days') {
    entries.push({
      id: 'spiff-due-days', element, component: NumberField, isEdited: isNumberFieldEntryEdited,
      label: t.working_days, min: 1, max: 3660, step: 1,
      getValue: () => Number(propertyOf(element, 'due_days') || 0) || '',
      setValue: (value) => {
        if (Number.isInteger(value) && value > 0) { setProperties(this._injector, element, { due_days: String(value) }); }
      },
    });
  } else if (mode() === 'from') {
    entries.push({
      id: 'spiff-due-from', element, component: Text, isEdited: isTextFieldEntryEdited,
      label: t.data_field, description: t.due_from_hint,
      getValue: () => propertyOf(element, 'due_from') || '',
      setValue: (value) => setProperties(this._injector, element, { due_from: (value || '').trim() }),
    });
  }
  return entries;
};

// --- user task: who it opens assigned to ------------------------------------------------------

SpiffPropertiesProvider.prototype._assigneeEntry = function (element) {
  const t = this._texts;
  return {
    id: 'spiff-assignee-from', element, component: Text, isEdited: isTextFieldEntryEdited,
    label: t.assignee_from, description: t.assignee_from_hint,
    getValue: () => propertyOf(element, 'assignee_from') || '',
    setValue: (value) => setProperties(this._injector, element, { assignee_from: (value || '').trim() || null }),
  };
};

// --- user task: shows ---------------------------------------------------------------------------

SpiffPropertiesProvider.prototype._showsEntries = function (element) {
  const own = propertyOf(element, 'form');
  const shown = () => (propertyOf(element, 'shows') || '').split(/\s+/).filter(Boolean);
  return [...this._knownForms()].filter(([key]) => key !== own).map(([key, title]) => ({
    id: `spiff-shows-${key}`, element, component: CheckboxEntry, isEdited: isCheckboxEntryEdited,
    label: `${title} (${key})`,
    getValue: () => shown().includes(key),
    setValue: (checked) => {
      const keys = shown().filter((k) => k !== key).concat(checked ? [key] : []);
      setProperties(this._injector, element, { shows: keys.length ? keys.join(' ') : null });
    },
  }));
};

// --- plain start event: case fields ----------------------------------------------------------------

SpiffPropertiesProvider.prototype._caseFieldsEntry = function (element) {
  return {
    id: 'spiff-case-fields', element, component: Text, isEdited: isTextFieldEntryEdited,
    label: this._texts.case_fields, description: this._texts.case_fields_hint,
    getValue: () => propertyOf(element, 'case_fields') || '',
    setValue: (value) => {
      const fields = (value || '').split(/[\s,，]+/).filter(Boolean).join(' ');
      setProperties(this._injector, element, { case_fields: fields || null });
    },
  };
};

// --- service task: handler, parameters, result -------------------------------------------------------

SpiffPropertiesProvider.prototype._handlerEntries = function (element) {
  const t = this._texts;
  const handlers = this._choices.handlers;
  const current = () => (operatorOf(element) && operatorOf(element).id) || '';
  const handler = handlers.find((hd) => hd.key === current());
  const described = handler ? [handler.description, handler.returns && fill(t.returns, { what: handler.returns })]
    .filter(Boolean).join(' ') : '';
  const entries = [{
    id: 'spiff-handler-key', element, component: SelectEntry, isEdited: isSelectEntryEdited, label: t.handler,
    description: described,
    getValue: current,
    getOptions: () => {
      const options = [{ value: '', label: t.no_handler }, ...handlers.map((hd) => ({ value: hd.key, label: hd.key }))];
      if (current() && !handler) { options.push({ value: current(), label: current() }); }
      return options;
    },
    setValue: (value) => setOperator(this._injector, element, { id: value }),
  }];
  if (!operatorOf(element)) { return entries; }
  for (const param of (handler && handler.parameters) || []) {
    entries.push({
      id: `spiff-param-${param.name}`, element, component: Text, isEdited: isTextFieldEntryEdited,
      label: fill(t.parameter, { name: param.name }), description: param.description,
      getValue: () => parametersOf(element)[param.name] || '',
      setValue: (value) => setParameter(this._injector, element, param.name, param.type || 'any', (value || '').trim()),
    });
  }
  entries.push({
    id: 'spiff-result-variable', element, component: Text, isEdited: isTextFieldEntryEdited,
    label: t.result_variable, description: t.result_variable_hint,
    getValue: () => operatorOf(element).resultVariable || '',
    setValue: (value) => setOperator(this._injector, element, { resultVariable: (value || '').trim() || undefined }),
  });
  return entries;
};

// --- timers: the working-day helper ---------------------------------------------------------------

SpiffPropertiesProvider.prototype._timerMode = function (element) {
  if (this._freeTimer.has(element.id)) { return 'expression'; }
  const body = timeDateOf(element).trim();
  return Object.keys(TIMER_PATTERNS).find((mode) => TIMER_PATTERNS[mode].test(body)) || 'expression';
};

SpiffPropertiesProvider.prototype._timerEntries = function (element) {
  const t = this._texts;
  const mode = this._timerMode(element);
  const number = () => {
    const found = Object.values(TIMER_PATTERNS).map((re) => re.exec(timeDateOf(element).trim())).find(Boolean);
    return found ? Number(found[1]) : 0;
  };
  const expressionText = fill(t.timer_expression_is, { expression: timeDateOf(element) || '—' });
  const entries = [{
    id: 'spiff-timer-mode', element, component: SelectEntry, isEdited: isSelectEntryEdited, label: t.timer,
    getValue: () => this._timerMode(element),
    getOptions: () => [{ value: 'days', label: t.timer_days }, { value: 'hours', label: t.timer_hours },
      { value: 'expression', label: t.timer_free }],
    setValue: (value) => {
      if (value === 'expression') {
        this._freeTimer.add(element.id);
        this._refresh();
        return;
      }
      this._freeTimer.delete(element.id);
      setTimeDate(this._injector, element, `${TIMER_FUNCTIONS[value]}(${number() || (value === 'days' ? 1 : 24)})`);
      this._refresh();
    },
  }];
  if (mode === 'expression') {
    entries.push({
      id: 'spiff-timer-expression', element, component: Text, isEdited: isTextFieldEntryEdited,
      label: t.expression, description: t.timer_free_hint,
      getValue: () => timeDateOf(element),
      setValue: (value) => setTimeDate(this._injector, element, (value || '').trim()),
    });
  } else {
    entries.push({
      id: 'spiff-timer-count', element, component: NumberField, isEdited: isNumberFieldEntryEdited,
      label: mode === 'days' ? t.working_days : t.hours, min: 1, max: mode === 'days' ? 3660 : 87840, step: 1,
      description: expressionText,
      getValue: () => number() || '',
      setValue: (value) => {
        if (Number.isInteger(value) && value > 0) {
          setTimeDate(this._injector, element, `${TIMER_FUNCTIONS[mode]}(${value})`);
        }
      },
    });
  }
  return entries;
};

// --- sequence flow: condition ----------------------------------------------------------------------

SpiffPropertiesProvider.prototype._conditionEntry = function (element) {
  return {
    id: 'spiff-condition', element, component: Text, isEdited: isTextFieldEntryEdited,
    label: this._texts.condition, description: this._texts.condition_hint,
    getValue: () => conditionOf(element),
    setValue: (value) => setCondition(this._injector, element, (value || '').trim()),
  };
};
