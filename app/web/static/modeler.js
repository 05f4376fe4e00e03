// The diagram editor of /procedures/<key>/edit: bpmn-js's Modeler (vendor/bpmn-js, installed by
// scripts/bootstrap) on the BPMN text of the hidden textarea #diagram-xml; "Save as draft" puts
// the edited XML back into the textarea and submits the form. No inline script: the page's CSP
// allows scripts from 'self' only.
(function () {
  "use strict";
  var form = document.getElementById("modeler-form");
  var textarea = document.getElementById("diagram-xml");
  var errorBox = document.getElementById("modeler-error");
  if (!form || !textarea || typeof window.BpmnJS !== "function") { return; }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  var modeler = new window.BpmnJS({ container: "#canvas" });
  window.modeler = modeler;  // for the side panel (modeler-panel.js) and the browser tests
  var ready = modeler.importXML(textarea.value).then(function (result) {
    modeler.get("canvas").zoom("fit-viewport");
    if (result.warnings && result.warnings.length) {
      console.warn("bpmn-js import warnings", result.warnings);
    }
  }).catch(function (err) {
    showError(String(err && err.message || err));
    throw err;
  });
  window.modelerReady = ready;

  var saving = false;
  form.addEventListener("submit", function (event) {
    if (saving) { return; }  // the XML is in the textarea: let the browser submit
    event.preventDefault();
    ready.then(function () {
      return modeler.saveXML({ format: true });
    }).then(function (result) {
      textarea.value = result.xml;
      saving = true;
      form.submit();
    }).catch(function (err) {
      showError(String(err && err.message || err));
    });
  });
})();
