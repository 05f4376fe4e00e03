// The form editor page (templates/form_edit.html): form-js's FormEditor with its palette and
// properties panel, and beside it our inputs: the English labels of the selected field, the
// cross-field rules, a zh-CN preview in form-js's Viewer. On submit the editor's schema and the
// rules go into the page's form as JSON; the titles are plain inputs of that form.
import { FormEditor } from '@bpmn-io/form-js-editor';

import '@bpmn-io/form-js/dist/assets/form-js.css';
import '@bpmn-io/form-js/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js/dist/assets/properties-panel.css';
import '@bpmn-io/form-js-editor/dist/assets/dragula.css';
import './form-editor/form-editor.css';

import { englishLabels, withoutStaleChoices } from './form-editor/english.js';
import { validatorRows } from './form-editor/validators.js';
import { preview } from './form-editor/preview.js';
import { fieldKeys } from './form-editor/fields.js';

// Our top-level keys (contract 2): sent as their own fields, not inside the editor's schema.
const OURS = ['title', 'validators'];

function start() {
  const data = JSON.parse(document.getElementById('form-editor-data').textContent);
  const failure = document.getElementById('form-editor-error');
  const editor = new FormEditor({
    container: document.getElementById('form-editor'),
    propertiesPanel: { parent: document.getElementById('form-properties') },
  });
  window.formEditor = editor; // for the browser's console
  const rules = validatorRows(document.getElementById('validator-rows'), data);
  document.getElementById('add-validator').addEventListener('click', () => rules.add());
  englishLabels(editor, document.getElementById('english-labels'));
  preview(editor, document.getElementById('form-preview'), failure, data.texts);

  const keys = document.getElementById('field-keys');
  editor.on('changed', () => {
    keys.replaceChildren(...fieldKeys(editor.getSchema()).map((key) => new Option(key, key)));
  });

  const schema = { ...data.definition };
  OURS.forEach((key) => delete schema[key]);
  editor.importSchema(schema).catch((error) => {
    failure.textContent = data.texts.unreadable.replace('%(reason)s', error.message);
    failure.hidden = false;
  });

  document.getElementById('form-definition').addEventListener('submit', () => {
    const saved = withoutStaleChoices(editor.saveSchema());
    OURS.forEach((key) => delete saved[key]);
    document.getElementById('form-schema').value = JSON.stringify(saved);
    document.getElementById('form-validators').value = JSON.stringify(rules.value());
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
