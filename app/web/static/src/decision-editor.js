// The decision-table editor of a draft (templates/decision_edit.html): dmn-js's Modeler in its
// decision-table view, the server's checks listed beside it and the rules they name marked.
// Data comes in the page's JSON block (#decision-data): the DMN text, the problems, the texts.
import DmnModeler from 'dmn-js/lib/Modeler';
import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn.css';
import './decision-editor/decision-editor.css';
import { showProblems } from './decision-editor/problems.js';
import { checker } from './decision-editor/check.js';

function openTable(modeler) {
  const table = modeler.getViews().find((view) => view.type === 'decisionTable');
  if (table && modeler.getActiveView() !== table) {
    return modeler.open(table);
  }
  return Promise.resolve();
}

async function start() {
  const data = JSON.parse(document.getElementById('decision-data').textContent);
  const form = document.getElementById('decision-form');
  const failure = document.getElementById('decision-error');
  const modeler = new DmnModeler({ container: '#decision-table' });
  const show = (problems) => showProblems(problems, data.texts);
  try {
    await modeler.importXML(data.xml);
    await openTable(modeler);
  } catch (err) {
    failure.textContent = data.texts.load_failed;
    failure.hidden = false;
    return;
  }
  show(data.problems);
  const xml = async () => (await modeler.saveXML({ format: true })).xml;
  const check = checker(form, xml, show, data.texts);
  const watched = new WeakSet();  // each view's editor: checked a moment after each change
  const watch = () => {
    const viewer = modeler.getActiveViewer();
    if (viewer && !watched.has(viewer)) {
      watched.add(viewer);
      viewer.get('eventBus').on('commandStack.changed', check.soon);
    }
  };
  modeler.on('views.changed', watch);
  watch();
  document.getElementById('check-decision').addEventListener('click', check.now);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    document.getElementById('decision-xml').value = await xml();
    form.submit();
  });
  document.body.dataset.decisionEditor = 'ready';
}

document.addEventListener('DOMContentLoaded', start);
