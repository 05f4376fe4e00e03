// The diagram editor of /procedures/<key>/edit: bpmn-js's Modeler (vendor/bpmn-js, installed by
// scripts/bootstrap) on the BPMN text of the hidden textarea #diagram-xml; "Save as draft" puts
// the edited XML back into the textarea and submits the form. No inline script: the page's CSP
// allows scripts from 'self' only. After the import and after each change (debounced) the XML is
// checked by POST data-check-url (nothing stored): elements with a problem get the 'has-problem'
// marker (modeler.css), every problem is listed beside the canvas; clicking one selects its element.
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

  var canvas = modeler.get("canvas");
  var registry = modeler.get("elementRegistry");
  var list = document.getElementById("modeler-problems");
  var status = document.getElementById("modeler-status");
  var token = form.querySelector('input[name="csrf_token"]').value;
  var marked = [];
  var timer = null;
  var asked = 0;

  function nameOf(id) {
    var element = id && registry.get(id);
    var name = element && element.businessObject && element.businessObject.name;
    return name ? name + " (" + id + ")" : id;
  }

  function show(problems) {
    marked.forEach(function (id) { if (registry.get(id)) { canvas.removeMarker(id, "has-problem"); } });
    marked = [];
    list.textContent = "";
    problems.forEach(function (problem) {
      var item = document.createElement("li");
      var id = problem.element_id;
      item.setAttribute("data-element-id", id || "");
      if (id && registry.get(id)) {
        if (marked.indexOf(id) < 0) { canvas.addMarker(id, "has-problem"); marked.push(id); }
        var link = document.createElement("button");
        link.type = "button";
        link.className = "problem-element";
        link.textContent = nameOf(id);
        link.addEventListener("click", function () {
          modeler.get("selection").select(registry.get(id));
          canvas.scrollToElement(registry.get(id));
        });
        item.appendChild(link);
        item.appendChild(document.createTextNode(": "));
      } else if (id) {
        item.appendChild(document.createTextNode(id + ": "));
      }
      item.appendChild(document.createTextNode(problem.message));
      list.appendChild(item);
    });
    status.textContent = problems.length ? "" : status.getAttribute("data-none");
  }

  function check() {
    var mine = ++asked;
    status.textContent = status.getAttribute("data-checking");
    return modeler.saveXML({ format: false }).then(function (result) {
      return fetch(form.getAttribute("data-check-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ bpmn: result.xml })
      });
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (body) {
      if (mine === asked) { show(body.problems || []); }  // an older answer never replaces a newer one
    }).catch(function () {
      if (mine === asked) { status.textContent = status.getAttribute("data-failed"); }
    });
  }

  ready.then(check, function () {});
  modeler.on("commandStack.changed", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 800);
  });

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
