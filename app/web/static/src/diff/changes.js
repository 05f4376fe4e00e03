// The difference between two diagrams: both drawn, each changed element marked (added and
// changed on the draft, removed and changed on the deployed version, moved ones on the draft),
// and a list saying, for each, its kind, its name and what changed.
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { diff } from 'bpmn-js-differ';

export function kindOf(type, texts) {
  return texts.kinds[type] || String(type || '').replace(/^bpmn:/, '');
}

function label(element, texts) {
  const name = element && element.name ? `“${element.name}”` : texts.unnamed;
  return `${kindOf(element && element.$type, texts)} ${name} (${element && element.id})`;
}

function shown(value) {
  if (value === undefined || value === null || value === '') { return '–'; }
  if (typeof value === 'object') { return value.id || value.$type || '…'; }
  return String(value);
}

function describeAttrs(attrs, texts) {
  return Object.keys(attrs).filter((key) => key !== 'di').map((key) => {
    const title = texts.attribute[key] || key;
    const { oldValue, newValue } = attrs[key];
    const plain = (v) => v === undefined || v === null || typeof v !== 'object';
    return plain(oldValue) && plain(newValue) ? `${title}: ${shown(oldValue)} → ${shown(newValue)}` : title;
  }).join('; ');
}

function item(list, kind, element, texts, detail) {
  const li = document.createElement('li');
  li.dataset.change = kind;
  li.dataset.element = element.id;
  const tag = document.createElement('strong');
  tag.className = `diff-tag diff-${kind}`;
  tag.textContent = texts[kind];
  li.append(tag, ` ${label(element, texts)}`);
  if (detail) { li.append(`: ${detail}`); }
  list.append(li);
}

async function viewerOf(containerId, xml) {
  const viewer = new NavigatedViewer({ container: document.getElementById(containerId) });
  if (xml) {
    await viewer.importXML(xml);
    viewer.get('canvas').zoom('fit-viewport', 'auto');
  }
  return viewer;
}

function marker(viewer, id, name) {
  if (viewer.get('elementRegistry').get(id)) { viewer.get('canvas').addMarker(id, name); }
}

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="none" targetNamespace="http://bpmn.io/schema/bpmn"></bpmn:definitions>';

export async function showDiff(beforeXml, afterXml, texts, exposed) {
  const before = await viewerOf('diff-before', beforeXml);
  const after = await viewerOf('diff-after', afterXml);
  exposed.before = before;
  exposed.after = after;
  let oldDefinitions = before.getDefinitions();
  if (!oldDefinitions) {  // nothing deployed yet: everything is new
    oldDefinitions = (await before.get('moddle').fromXML(EMPTY)).rootElement;
  }
  const changes = diff(oldDefinitions, after.getDefinitions());
  const list = document.getElementById('diff-changes');
  const seen = new Set();
  Object.values(changes._added).forEach((element) => {
    marker(after, element.id, 'diff-added');
    item(list, 'added', element, texts);
  });
  Object.values(changes._removed).forEach((element) => {
    marker(before, element.id, 'diff-removed');
    item(list, 'removed', element, texts);
  });
  Object.values(changes._changed).forEach(({ model, attrs }) => {
    seen.add(model.id);
    marker(before, model.id, 'diff-changed');
    marker(after, model.id, 'diff-changed');
    item(list, 'changed', model, texts, describeAttrs(attrs, texts));
  });
  Object.values(changes._layoutChanged).forEach((element) => {
    if (seen.has(element.id) || changes._added[element.id]) { return; }
    marker(after, element.id, 'diff-moved');
    item(list, 'moved', element, texts);
  });
  if (!list.children.length) {
    const li = document.createElement('li');
    li.textContent = texts.none;
    list.append(li);
  }
  exposed.changes = changes;
  document.getElementById('diff').dataset.ready = '1';
}

export { viewerOf };
