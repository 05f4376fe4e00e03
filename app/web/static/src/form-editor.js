// The form editor page (templates/form_edit.html): form-js's FormEditor with its palette and
// properties panel, and beside it our inputs: the English labels of the selected field, the
// cross-field rules, a zh-CN preview in form-js's Viewer. On submit the editor's schema and the
// rules go into the page's form as JSON; the titles are plain inputs of that form. Unsaved work
// stays in this browser until it is saved (form-editor/keep.js).
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
import { keeper } from './form-editor/keep.js';

// Our top-level keys (contract 2): sent as their own fields, not inside the editor's schema.
const OURS = ['title', 'validators'];

function start() {
  const data = JSON.parse(document.getElementById('form-editor-data').textContent);
  const page = document.getElementById('form-definition');
  const failure = document.getElementById('form-editor-error');
  const kept = keeper(page.dataset.keepKey);
  const restored = data.refused ? null : kept.restore(); // a refused save shows what was sent
  const titles = ['title_zh', 'title_en'].map((name) => page.elements[name]);
  if (restored) {
    titles.forEach((input) => { input.value = restored[input.name] || ''; });
    data.definition = { ...data.definition, validators: restored.validators };
    const note = document.getElementById('form-restored');
    note.hidden = false;
    note.querySelector('button').addEventListener('click', () => {
      kept.forget();
      window.location.reload();
    });
  }

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

  const schemaOf = () => {
    const schema = withoutStaleChoices(editor.saveSchema());
    OURS.forEach((key) => delete schema[key]);
    return schema;
  };
  const keep = () => kept.changed(() => ({
    schema: schemaOf(), title_zh: titles[0].value, title_en: titles[1].value, validators: rules.value(),
  }));
  editor.on('commandStack.changed', keep);
  page.addEventListener('input', keep);
  page.addEventListener('change', keep);
  page.addEventListener('click', (event) => { if (event.target.closest('button')) keep(); });

  const schema = { ...(restored ? restored.schema : data.definition) };
  OURS.forEach((key) => delete schema[key]);
  editor.importSchema(schema).catch((error) => {
    failure.textContent = data.texts.unreadable.replace('%(reason)s', error.message);
    failure.hidden = false;
  });

  page.addEventListener('submit', () => {
    document.getElementById('form-schema').value = JSON.stringify(schemaOf());
    document.getElementById('form-validators').value = JSON.stringify(rules.value());
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
