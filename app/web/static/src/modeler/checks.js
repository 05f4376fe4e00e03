// The server's check of the diagram being edited: after the import and after each change
// (debounced), the XML is posted to the page's check URL (nothing stored). Elements with a problem
// get the 'has-problem' marker, every problem is listed beside the canvas (clicking one selects its
// element), and the selected sequence flow's problems show under its condition field.
const DELAY_MS = 500;

export default function startChecks(modeler, { url, token, list, status }) {
  const canvas = modeler.get('canvas');
  const registry = modeler.get('elementRegistry');
  const eventBus = modeler.get('eventBus');
  const selection = modeler.get('selection');
  let marked = [];
  let byElement = {};
  let timer = null;
  let asked = 0;

  function nameOf(id) {
    const element = registry.get(id);
    const name = element && element.businessObject && element.businessObject.name;
    return name ? `${name} (${id})` : id;
  }

  // The problems of a selected sequence flow: its own, and those of its gateway that quote its
  // condition (the engine reports a condition on the gateway that evaluates it).
  function flowProblems(flow) {
    const condition = flow.businessObject.conditionExpression;
    const text = ((condition && condition.body) || '').trim().slice(0, 30);
    const ofGateway = (flow.source && byElement[flow.source.id]) || [];
    return [...(byElement[flow.id] || []), ...(text ? ofGateway.filter((m) => m.includes(text)) : [])];
  }

  // The condition field's problems: the panel shows them under the field ('spiff-condition').
  function showFieldErrors() {
    const selected = selection.get();
    const messages = selected.length === 1 && selected[0].type === 'bpmn:SequenceFlow' ? flowProblems(selected[0]) : [];
    eventBus.fire('propertiesPanel.setErrors', { errors: messages.length ? { 'spiff-condition': messages.join(' · ') } : {} });
  }

  function show(problems) {
    marked.forEach((id) => { if (registry.get(id)) { canvas.removeMarker(id, 'has-problem'); } });
    marked = [];
    byElement = {};
    list.textContent = '';
    problems.forEach((problem) => {
      const item = document.createElement('li');
      const id = problem.element_id;
      item.setAttribute('data-element-id', id || '');
      if (id) { (byElement[id] = byElement[id] || []).push(problem.message); }
      if (id && registry.get(id)) {
        if (!marked.includes(id)) { canvas.addMarker(id, 'has-problem'); marked.push(id); }
        const link = document.createElement('button');
        link.type = 'button';
        link.className = 'problem-element';
        link.textContent = nameOf(id);
        link.addEventListener('click', () => {
          selection.select(registry.get(id));
          canvas.scrollToElement(registry.get(id));
        });
        item.append(link, ': ');
      } else if (id) {
        item.append(`${id}: `);
      }
      item.append(problem.message);
      list.appendChild(item);
    });
    status.textContent = problems.length ? '' : status.dataset.none;
    showFieldErrors();
  }

  async function check() {
    const mine = ++asked;
    status.textContent = status.dataset.checking;
    try {
      const { xml } = await modeler.saveXML({ format: false });
      const response = await fetch(url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify({ bpmn: xml }),
      });
      if (!response.ok) { throw new Error(String(response.status)); }
      const body = await response.json();
      if (mine === asked) { show(body.problems || []); } // an older answer never replaces a newer one
    } catch (err) {
      if (mine === asked) { status.textContent = status.dataset.failed; }
    }
  }

  eventBus.on('commandStack.changed', () => {
    clearTimeout(timer);
    timer = setTimeout(check, DELAY_MS);
  });
  eventBus.on('selection.changed', () => { setTimeout(showFieldErrors, 0); });
  return check();
}
