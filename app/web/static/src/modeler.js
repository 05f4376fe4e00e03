// The diagram editor of /procedures/<key>/edit[?draft=<id>]: bpmn-js's Modeler with the properties
// panel (our groups: modeler/provider.js, our moddle descriptor: modeler/spiffworkflow.json), a
// minimap, zoom to fit, the server's check after each change (modeler/checks.js), unsaved work kept
// across a reload (modeler/keep.js) and, when the lint hook gives a config, bpmnlint. The page's
// data (choices, translated texts, URLs) comes in the JSON block #modeler-data, the diagram in the
// textarea #diagram-xml: the page's CSP allows scripts from 'self' only, no inline script.
import Modeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import MinimapModule from 'diagram-js-minimap';
import LintingModule from 'bpmn-js-bpmnlint';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'diagram-js-minimap/assets/diagram-js-minimap.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import './modeler/modeler.css';

import spiffworkflow from './modeler/spiffworkflow.json';
import SpiffPropertiesProvider from './modeler/provider';
import startChecks from './modeler/checks';
import keepWork from './modeler/keep';
import lintConfig from './modeler/lint.js';

function translateModule(dictionary) {
  const translate = (template, replacements) => {
    const text = dictionary[template] || template;
    return text.replace(/{([^}]+)}/g, (_, key) => (replacements && key in replacements ? replacements[key] : `{${key}}`));
  };
  return { translate: ['value', translate] };
}

function start() {
  const form = document.getElementById('modeler-form');
  const textarea = document.getElementById('diagram-xml');
  const dataBlock = document.getElementById('modeler-data');
  const errorBox = document.getElementById('modeler-error');
  if (!form || !textarea || !dataBlock) { return; }
  const data = JSON.parse(dataBlock.textContent);
  const showError = (err) => {
    errorBox.textContent = String((err && err.message) || err);
    errorBox.hidden = false;
  };

  const lint = lintConfig({
    roles: data.roles, handlers: data.handlers, forms: data.forms, functions: data.functions, lang: data.lang,
    messages: data.texts.lint || {},
  });
  const modules = [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, MinimapModule,
    { __init__: ['spiffPropertiesProvider'], spiffPropertiesProvider: ['type', SpiffPropertiesProvider] },
    translateModule(data.texts.panel || {})];
  if (lint) { modules.push(LintingModule); }
  const modeler = new Modeler({
    container: '#canvas',
    propertiesPanel: { parent: '#properties' },
    additionalModules: modules,
    moddleExtensions: { spiffworkflow },
    spiffChoices: data,
    minimap: { open: true },
    ...(lint ? { linting: { bpmnlint: lint, active: true } } : {}),
  });
  window.modeler = modeler; // for the browser tests

  const canvas = modeler.get('canvas');
  const fit = () => canvas.zoom('fit-viewport', 'auto');
  document.getElementById('zoom-fit').addEventListener('click', fit);

  const keeper = keepWork(modeler, {
    key: data.procedure, base: data.base, notice: document.getElementById('modeler-restored'),
    discard: document.getElementById('modeler-discard'),
    onRestore: () => modeler.importXML(textarea.value).then(fit, showError),
  });
  const restored = keeper.kept && keeper.kept.xml !== textarea.value ? keeper.kept : null;

  const ready = modeler.importXML(restored ? restored.xml : textarea.value).then((result) => {
    fit();
    if (result.warnings && result.warnings.length) { console.warn('bpmn-js import warnings', result.warnings); }
  });
  window.modelerReady = ready;
  ready.then(() => {
    keeper.start(!!restored);
    return startChecks(modeler, {
      url: data.check_url,
      token: form.querySelector('input[name="csrf_token"]').value,
      list: document.getElementById('modeler-problems'),
      status: document.getElementById('modeler-status'),
    });
  }).catch(showError);

  let saving = false;
  form.addEventListener('submit', (event) => {
    if (saving) { return; } // the XML is in the textarea: let the browser submit
    event.preventDefault();
    ready.then(() => modeler.saveXML({ format: true })).then(({ xml }) => {
      textarea.value = xml;
      saving = true;
      keeper.clear();
      form.submit();
    }).catch(showError);
  });
}

start();
