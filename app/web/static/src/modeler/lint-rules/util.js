// What the lint rules of ours share: reading the spiffworkflow extensions of an element and
// wording a report.
//
// The extensions read the same whether the modeler loads a moddle descriptor for the
// spiffworkflow namespace (../spiffworkflow.json: typed elements, `properties.properties`,
// `serviceTaskOperator.id`) or not (generic elements: `$type` as written in the XML, children in
// `$children`, attributes as plain fields). Type names are compared without case, so a descriptor
// naming its types `Properties`/`Property` reads alike.

const SPIFF = 'spiffworkflow:';

export function is(node, type) {
  return !!(node && node.$instanceOf && node.$instanceOf(type));
}

export function isAny(node, types) {
  return types.some((type) => is(node, type));
}

// 'properties' for <spiffworkflow:properties>, null for elements of other namespaces.
function spiffName(element) {
  const type = (element && element.$type) || '';
  return type.startsWith(SPIFF) ? type.slice(SPIFF.length).toLowerCase() : null;
}

// The child elements of a spiffworkflow element: `$children` of a generic one, the element-valued
// fields of a typed one.
function childrenOf(element) {
  if (Array.isArray(element.$children)) {
    return element.$children;
  }
  const found = [];
  Object.keys(element).forEach((key) => {
    if (key.startsWith('$')) {
      return;
    }
    const value = element[key];
    (Array.isArray(value) ? value : [ value ]).forEach((child) => {
      if (child && typeof child === 'object' && child.$type) {
        found.push(child);
      }
    });
  });
  return found;
}

// The <spiffworkflow:NAME> elements in the node's bpmn:extensionElements.
export function extensions(node, name) {
  const values = (node && node.extensionElements && node.extensionElements.values) || [];
  return values.filter((element) => spiffName(element) === name.toLowerCase());
}

// The value of the node's <spiffworkflow:property name="NAME" value="...">, trimmed; '' if absent.
export function property(node, name) {
  for (const properties of extensions(node, 'properties')) {
    for (const element of childrenOf(properties)) {
      if (spiffName(element) === 'property' && element.name === name) {
        return String(element.value == null ? '' : element.value).trim();
      }
    }
  }
  return '';
}

// The keys of a list the page passes (strings or {key, ...}); null when none was passed: then a
// rule checks that a value is there, not that it is known.
export function keySet(list) {
  if (!Array.isArray(list)) {
    return null;
  }
  return new Set(list.map((item) => (typeof item === 'string' ? item : item && item.key)).filter(Boolean));
}

// The message KEY of the given texts with its {placeholders} filled in.
export function wording(messages, key, params = {}) {
  const text = (messages && messages[key]) || key;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// The rule object bpmnlint expects. No `meta`: bpmn-js-bpmnlint reads `meta.documentation.url`
// of any rule that has a meta.
export function rule(check) {
  return { check };
}
