// Every timer says when it fires: a non-empty timeDate, timeDuration or timeCycle expression that
// reads as an expression (brackets and quotes pair up, it neither starts nor ends in an operator)
// and calls no function but the diagram functions (working_days, add_days, ...).
// Config: {functions: [name], messages}. Reported on the timer event.
import { is, keySet, rule, wording } from './util.js';

const KEYWORDS = new Set([ 'and', 'or', 'not', 'in', 'is', 'if', 'else' ]);
const PAIRS = { ')': '(', ']': '[', '}': '{' };

// The expression with its string literals blanked ('""'), or null when a quote is left open.
function withoutStrings(text) {
  let code = '';
  let quote = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') {
        i++;
      } else if (c === quote) {
        quote = null;
        code += '""';
      }
    } else if (c === '"' || c === '\'') {
      quote = c;
    } else {
      code += c;
    }
  }
  return quote ? null : code;
}

function bracketsPair(code) {
  const open = [];
  for (const c of code) {
    if ('([{'.includes(c)) {
      open.push(c);
    } else if (c in PAIRS && open.pop() !== PAIRS[c]) {
      return false;
    }
  }
  return open.length === 0;
}

function wellFormed(code) {
  const trimmed = code.trim();
  return bracketsPair(trimmed) &&
    !/^[*/%,.)\]}=<>!&|^]/.test(trimmed) &&
    !/([-+*/%,.(\[{=<>!&|^~]|\b(and|or|not|in|is))$/.test(trimmed);
}

// The names the expression calls: `f(` and `a.b(`.
function calls(code) {
  const found = [];
  const call = /[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*(?=\s*\()/g;
  let match;
  while ((match = call.exec(code))) {
    const name = match[0].replace(/\s+/g, '');
    if (!/[\w.]/.test(code[match.index - 1] || '') && !KEYWORDS.has(name)) {
      found.push(name);
    }
  }
  return found;
}

export default function timerExpression({ functions, messages } = {}) {
  const known = keySet(functions);

  return rule((node, reporter) => {
    if (!is(node, 'bpmn:Event')) {
      return;
    }
    (node.eventDefinitions || []).filter((d) => is(d, 'bpmn:TimerEventDefinition')).forEach((timer) => {
      const expressions = [ timer.timeDate, timer.timeDuration, timer.timeCycle ]
        .map((e) => String((e && e.body) || '').trim())
        .filter(Boolean);
      if (!expressions.length) {
        reporter.report(node.id, wording(messages, 'timerEmpty'));
      }
      expressions.forEach((expression) => {
        const code = withoutStrings(expression);
        if (code === null || !wellFormed(code)) {
          reporter.report(node.id, wording(messages, 'timerMalformed', { expression }));
          return;
        }
        calls(code).filter((name) => known && !known.has(name)).forEach((name) => {
          reporter.report(node.id, wording(messages, 'timerUnknownFunction', {
            expression, 'function': name, functions: [ ...known ].join(', ')
          }));
        });
      });
    });
  });
}
