// The dry run: the test case typed in the textarea (JSON) or a saved one is posted to the server,
// which walks the draft through it and undoes everything; the answer's path is marked on the
// draft's diagram and listed step by step, with the answers each task got and where it ended or
// stopped (and why).
import { kindOf, viewerOf } from './changes.js';

function clear(node) {
  while (node.firstChild) { node.removeChild(node.firstChild); }
}

function mark(viewer, result) {
  const canvas = viewer.get('canvas');
  const registry = viewer.get('elementRegistry');
  registry.getAll().forEach((shape) => {
    ['run-done', 'run-end', 'run-stopped'].forEach((name) => canvas.removeMarker(shape.id, name));
  });
  const done = new Set(result.path.map((step) => step.element_id));
  done.forEach((id) => { if (registry.get(id)) { canvas.addMarker(id, 'run-done'); } });
  registry.filter((e) => e.type === 'bpmn:SequenceFlow').forEach((flow) => {
    if (flow.source && flow.target && done.has(flow.source.id) && done.has(flow.target.id)) {
      canvas.addMarker(flow.id, 'run-done');
    }
  });
  if (result.end && registry.get(result.end)) { canvas.addMarker(result.end, 'run-end'); }
  const stopAt = result.stop && result.stop.element_id;
  if (stopAt && registry.get(stopAt)) { canvas.addMarker(stopAt, 'run-stopped'); }
}

function render(result, texts) {
  const status = document.getElementById('dry-run-status');
  const errors = document.getElementById('dry-run-errors');
  const steps = document.getElementById('dry-run-steps');
  [errors, steps].forEach(clear);
  const lines = [];
  if (result.end) { lines.push(`${texts.ended} ${result.end}.`); }
  if (result.stop) { lines.push(`${texts.stopped}: ${result.stop.message}`); }
  lines.push(result.passed ? texts.passed : `${texts.notPassed} ${result.verdict}`);
  status.textContent = lines.join(' ');
  status.dataset.outcome = result.stop ? 'stopped' : 'ended';
  if (result.stop) {
    Object.entries(result.stop.errors || {}).forEach(([field, reasons]) => {
      const li = document.createElement('li');
      li.dataset.field = field;
      li.textContent = `${field}: ${reasons.join('; ')}`;
      errors.append(li);
    });
  }
  const answered = result.tasks.slice();
  result.path.forEach((step) => {
    const li = document.createElement('li');
    li.dataset.element = step.element_id;
    li.textContent = `${step.name || step.element_id} (${step.element_id}) · ${kindOf(`bpmn:${step.kind}`, texts)}`;
    if (answered.length && answered[0].element_id === step.element_id && step.kind === 'UserTask') {
      const answers = document.createElement('pre');
      answers.textContent = `${texts.answers}: ${JSON.stringify(answered.shift().answers, null, 1)}`;
      li.append(answers);
    }
    steps.append(li);
  });
  if (!result.path.length) {
    const li = document.createElement('li');
    li.textContent = texts.noSteps;
    steps.append(li);
  }
  if (result.unused && result.unused.length) {
    const li = document.createElement('li');
    li.textContent = `${texts.unused} ${result.unused.join(', ')}`;
    errors.append(li);
  }
}

function refusal(body, texts) {
  const status = document.getElementById('dry-run-status');
  const errors = document.getElementById('dry-run-errors');
  clear(errors);
  clear(document.getElementById('dry-run-steps'));
  status.textContent = (body && body.message) || texts.failed;
  status.dataset.outcome = 'refused';
  Object.entries((body && body.errors) || {}).forEach(([field, reasons]) => {
    const li = document.createElement('li');
    li.dataset.field = field;
    li.textContent = `${field}: ${reasons.join('; ')}`;
    errors.append(li);
  });
}

export function setUpDryRun(draftXml, texts, exposed) {
  const form = document.getElementById('dry-run-form');
  if (!form) { return; }
  let viewer = null;
  async function run(body) {
    const status = document.getElementById('dry-run-status');
    status.textContent = texts.running;
    delete status.dataset.outcome;
    try {
      const response = await fetch(form.dataset.url, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': form.dataset.csrf },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(() => null);
      if (!response.ok) { refusal(answer, texts); return; }
      if (!viewer) {
        viewer = await viewerOf('dry-run-diagram', draftXml);
        exposed.run = viewer;
      }
      render(answer, texts);
      mark(viewer, answer);
      exposed.result = answer;
    } catch (err) {
      refusal(null, texts);
      console.warn('dry run', err);
    }
  }
  form.addEventListener('submit', (event) => {
    if (event.submitter && event.submitter.id === 'keep-case-button') { return; }  // posted as a form
    event.preventDefault();
    let parsed;
    try {
      parsed = JSON.parse(document.getElementById('dry-run-case').value);
    } catch (err) {
      refusal({ message: texts.badJson, errors: { case: [String(err.message)] } }, texts);
      return;
    }
    run({ case: parsed });
  });
  const savedButton = document.getElementById('dry-run-saved-button');
  if (savedButton) {
    savedButton.addEventListener('click', () => run({ saved: document.getElementById('dry-run-saved').value }));
  }
}
