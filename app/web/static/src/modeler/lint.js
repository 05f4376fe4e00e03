// Lint while editing: the bpmnlint configuration of the modeler (bpmn-js-bpmnlint's
// `linting: {bpmnlint: lintConfig({...})}`), packed here by hand the way bpmnlint-pack-config
// would: {config: {rules}, resolver} with the rules bundled by esbuild.
//
// Our rules (./lint-rules/, reported as `aftersales/<rule>`) check what our engine needs: lanes
// with a role, user tasks in a lane and with a form, service tasks with a known handler, no dead
// ends, timers with a plausible expression, exclusive gateways that never find no way on. Besides
// them, bpmnlint's recommended rules that hold for the shipped diagrams.
//
// lintConfig({roles, handlers, forms, functions, lang, messages}): roles, handlers and forms are
// lists of keys or of {key, ...} (the page's choices); one left out is not checked for membership,
// only for presence. functions: the diagram functions a timer may call (default working_days,
// add_days). messages: the report texts in the page's language by key (the server's
// app/web/lint_messages.py), over the English defaults below (ours, and bpmnlint's own reports
// reworded); `{name}` placeholders are filled in.
// lang: the page's language; unused here, the texts come translated in `messages`.
// Returns null when called without options.
import adHocSubProcess from 'bpmnlint/rules/ad-hoc-sub-process.js';
import conditionalFlows from 'bpmnlint/rules/conditional-flows.js';
import endEventRequired from 'bpmnlint/rules/end-event-required.js';
import eventBasedGateway from 'bpmnlint/rules/event-based-gateway.js';
import eventSubProcessTypedStartEvent from 'bpmnlint/rules/event-sub-process-typed-start-event.js';
import fakeJoin from 'bpmnlint/rules/fake-join.js';
import globalRule from 'bpmnlint/rules/global.js';
import linkEvent from 'bpmnlint/rules/link-event.js';
import noBpmndi from 'bpmnlint/rules/no-bpmndi.js';
import noComplexGateway from 'bpmnlint/rules/no-complex-gateway.js';
import noDuplicateSequenceFlows from 'bpmnlint/rules/no-duplicate-sequence-flows.js';
import noImplicitSplit from 'bpmnlint/rules/no-implicit-split.js';
import noInclusiveGateway from 'bpmnlint/rules/no-inclusive-gateway.js';
import noOverlappingElements from 'bpmnlint/rules/no-overlapping-elements.js';
import singleBlankStartEvent from 'bpmnlint/rules/single-blank-start-event.js';
import singleEventDefinition from 'bpmnlint/rules/single-event-definition.js';
import startEventRequired from 'bpmnlint/rules/start-event-required.js';
import subProcessBlankStartEvent from 'bpmnlint/rules/sub-process-blank-start-event.js';
import superfluousGateway from 'bpmnlint/rules/superfluous-gateway.js';
import superfluousLabel from 'bpmnlint/rules/superfluous-label.js';
import superfluousTermination from 'bpmnlint/rules/superfluous-termination.js';

import exclusiveGatewayDefault from './lint-rules/exclusive-gateway-default.js';
import laneRole from './lint-rules/lane-role.js';
import noDeadEnd from './lint-rules/no-dead-end.js';
import serviceTaskHandler from './lint-rules/service-task-handler.js';
import timerExpression from './lint-rules/timer-expression.js';
import userTaskForm from './lint-rules/user-task-form.js';
import userTaskLane from './lint-rules/user-task-lane.js';

export const MESSAGES = {
  laneNoRole: 'This lane has no role: choose the role whose holders do its tasks.',
  laneUnknownRole: 'The role {role} of this lane is not a known role.',
  userTaskNoLane: 'This user task lies in no lane: put it in the lane of the role that does it.',
  userTaskNoForm: 'This user task has no form: choose the form it shows.',
  unknownForm: 'The form {form} is not one of this procedure\'s forms.',
  serviceTaskNoHandler: 'This service task calls no handler: choose one.',
  serviceTaskUnknownHandler: 'The handler {handler} of this service task is not a known handler.',
  noOutgoing: 'Nothing follows this element: connect it onward, or end the path with an end event.',
  noIncoming: 'Nothing leads to this element: connect a flow into it.',
  timerEmpty: 'This timer has no expression: say when it fires, e.g. working_days(2).',
  timerMalformed: 'The timer expression {expression} is incomplete: its brackets or quotes do not pair up, or it starts or ends with an operator.',
  timerUnknownFunction: 'The timer expression {expression} calls {function}, which is not a diagram function (known: {functions}).',
  gatewayNoDefault: 'This gateway splits without a default flow and these flows have no condition: {flows}. Make one flow the default or give each a condition.'
};

// The texts bpmnlint's rules report (bpmnlint 11), by key: a page in Chinese passes their words
// under the same keys. A text not listed (one naming a link) shows as the rule reports it.
const BPMNLINT_MESSAGES = {
  adHocStartEvent: 'A <Start Event> is not allowed in <Ad Hoc Sub Process>',
  adHocEndEvent: 'An <End Event> is not allowed in <Ad Hoc Sub Process>',
  flowWithoutCondition: 'Sequence flow is missing condition',
  processNoEnd: 'Process is missing end event',
  subProcessNoEnd: 'Sub process is missing end event',
  processNoStart: 'Process is missing start event',
  subProcessNoStart: 'Sub process is missing start event',
  processManyBlankStarts: 'Process has multiple blank start events',
  subProcessManyBlankStarts: 'Sub process has multiple blank start events',
  eventGatewayFewFlows: 'An <Event-based Gateway> must have at least 2 outgoing <Sequence Flows>',
  eventGatewayConditional: 'A <Sequence Flow> outgoing from an <Event-based Gateway> must not be conditional',
  startWithoutDefinition: 'Start event is missing event definition',
  startNotBlank: 'Start event must be blank',
  fakeJoin: 'Incoming flows do not join',
  missingName: 'Element is missing name',
  unused: 'Element is unused',
  nameNotUnique: 'Element name is not unique',
  linkWithoutName: 'Link event is missing link name',
  missingDiagram: 'Element is missing bpmndi',
  complexGateway: 'Element type <bpmn:ComplexGateway> is discouraged',
  inclusiveGateway: 'Element type <bpmn:InclusiveGateway> is discouraged',
  duplicateFlow: 'SequenceFlow is a duplicate',
  duplicateOutgoing: 'Duplicate outgoing sequence flows',
  duplicateIncoming: 'Duplicate incoming sequence flows',
  implicitSplit: 'Flow splits implicitly',
  overlaps: 'Element overlaps with other element',
  outsideParent: 'Element is outside of parent boundary',
  manyEventDefinitions: 'Event has multiple event definitions',
  superfluousGateway: 'Gateway is superfluous. It only has one source and target.',
  superfluousLabel: 'Sequence flow has superfluous label',
  superfluousTermination: 'Termination is superfluous.'
};

const KEY_OF_BPMNLINT_MESSAGE = Object.fromEntries(Object.entries(BPMNLINT_MESSAGES).map(([ k, v ]) => [ v, k ]));

Object.assign(MESSAGES, BPMNLINT_MESSAGES);

export const DIAGRAM_FUNCTIONS = [ 'working_days', 'add_days', 'in_hours', 'weekly_on' ];

// The packages of the rule names: `aftersales/x` reads as bpmnlint-plugin-aftersales.
const OURS = 'bpmnlint-plugin-aftersales';

const OUR_RULES = {
  'lane-role': laneRole,
  'user-task-lane': userTaskLane,
  'user-task-form': userTaskForm,
  'service-task-handler': serviceTaskHandler,
  'no-dead-end': noDeadEnd,
  'timer-expression': timerExpression,
  'exclusive-gateway-default': exclusiveGatewayDefault
};

// bpmnlint's recommended rules, at their recommended level, but for those the shipped diagrams
// break by design or that say again what ours say: label-required (unnamed start and end events of
// sub-processes), no-gateway-join-fork (the complaint's dispatch gateway joins the ways back and
// forks to the departments), no-disconnected, no-implicit-start and no-implicit-end (no-dead-end).
const BPMNLINT_RULES = {
  'ad-hoc-sub-process': [ adHocSubProcess, 'error' ],
  'conditional-flows': [ conditionalFlows, 'error' ],
  'end-event-required': [ endEventRequired, 'error' ],
  'event-based-gateway': [ eventBasedGateway, 'error' ],
  'event-sub-process-typed-start-event': [ eventSubProcessTypedStartEvent, 'error' ],
  'fake-join': [ fakeJoin, 'warn' ],
  'global': [ globalRule, 'warn' ],
  'link-event': [ linkEvent, 'error' ],
  'no-bpmndi': [ noBpmndi, 'error' ],
  'no-complex-gateway': [ noComplexGateway, 'error' ],
  'no-duplicate-sequence-flows': [ noDuplicateSequenceFlows, 'error' ],
  'no-implicit-split': [ noImplicitSplit, 'error' ],
  'no-inclusive-gateway': [ noInclusiveGateway, 'warn' ],
  'no-overlapping-elements': [ noOverlappingElements, 'warn' ],
  'single-blank-start-event': [ singleBlankStartEvent, 'error' ],
  'single-event-definition': [ singleEventDefinition, 'error' ],
  'start-event-required': [ startEventRequired, 'error' ],
  'sub-process-blank-start-event': [ subProcessBlankStartEvent, 'error' ],
  'superfluous-gateway': [ superfluousGateway, 'warn' ],
  'superfluous-label': [ superfluousLabel, 'warn' ],
  'superfluous-termination': [ superfluousTermination, 'warn' ]
};

// A bpmnlint rule whose reports read in the given texts.
function reworded(rule, texts) {
  const reword = (reporter) => ({
    report: (id, message, path) => reporter.report(id, texts[KEY_OF_BPMNLINT_MESSAGE[message]] || message, path)
  });
  const { check } = rule;
  if (typeof check === 'function') {
    return { ...rule, check: (node, reporter) => check(node, reword(reporter)) };
  }
  return {
    ...rule,
    check: {
      enter: check.enter && ((node, reporter) => check.enter(node, reword(reporter))),
      leave: check.leave && ((node, reporter) => check.leave(node, reword(reporter)))
    }
  };
}

function resolverFor(texts) {
  return {
    resolveRule(pkg, ruleName) {
      if (pkg === OURS && OUR_RULES[ruleName]) {
        return OUR_RULES[ruleName];
      }
      if (pkg === 'bpmnlint' && BPMNLINT_RULES[ruleName]) {
        const factory = BPMNLINT_RULES[ruleName][0];
        return (config) => reworded(factory(config), texts);
      }
      throw new Error(`cannot resolve rule <${pkg}/${ruleName}>: not bundled`);
    },
    resolveConfig(pkg, configName) {
      throw new Error(`cannot resolve config <${configName}> in <${pkg}>: not bundled`);
    }
  };
}

export default function lintConfig(options) {
  if (!options) {
    return null;
  }
  const { roles, handlers, forms, functions = DIAGRAM_FUNCTIONS, messages } = options;
  const texts = { ...MESSAGES, ...(messages || {}) };
  const settings = {
    'lane-role': { roles },
    'user-task-lane': {},
    'user-task-form': { forms },
    'service-task-handler': { handlers },
    'no-dead-end': {},
    'timer-expression': { functions },
    'exclusive-gateway-default': {}
  };
  const rules = {};
  Object.entries(BPMNLINT_RULES).forEach(([ name, [ , level ] ]) => {
    rules[name] = level;
  });
  Object.entries(settings).forEach(([ name, setting ]) => {
    rules[`aftersales/${name}`] = [ 'error', { ...setting, messages: texts } ];
  });
  return { config: { rules }, resolver: resolverFor(texts) };
}
