// The case page (/instances/<id>): bpmn-js's navigated viewer (vendor/bpmn-js, installed by
// scripts/bootstrap) draws the diagram of the case's version, fetched with the elements the case
// went through, stands on and stopped at (records.instance_diagram, JSON); each gets a marker
// class (done, current, failed) that static/case.css colours. No inline script: the page's CSP
// allows scripts from 'self' only.
(function () {
  "use strict";
  var container = document.getElementById("case-diagram");
  var errorBox = document.getElementById("diagram-error");
  if (!container || typeof window.BpmnJS !== "function") { return; }

  function fail(err) {
    errorBox.hidden = false;
    console.warn("case diagram", err);  // a warning: the page still works without the diagram
  }

  var viewer = new window.BpmnJS({ container: container });
  window.caseViewer = viewer;  // for the browser tests
  fetch(container.getAttribute("data-source"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (diagram) {
      return viewer.importXML(diagram.xml).then(function () { return diagram; });
    })
    .then(function (diagram) {
      var registry = viewer.get("elementRegistry");
      var canvas = viewer.get("canvas");
      function mark(id, marker) {
        if (id && registry.get(id)) { canvas.addMarker(id, marker); }
      }
      diagram.completed.forEach(function (id) { mark(id, "done"); });
      // A flow between two elements gone through was taken (a loop's flows included).
      var done = {};
      diagram.completed.forEach(function (id) { done[id] = true; });
      registry.filter(function (e) { return e.type === "bpmn:SequenceFlow"; }).forEach(function (flow) {
        if (flow.source && flow.target && done[flow.source.id] && (done[flow.target.id] ||
            diagram.current.indexOf(flow.target.id) >= 0 || flow.target.id === diagram.error)) {
          canvas.addMarker(flow.id, "done");
        }
      });
      diagram.current.forEach(function (id) { mark(id, "current"); });
      mark(diagram.error, "failed");
      // The whole diagram when it stays readable; else the current task (or the stop) at a
      // readable scale, the buttons switching between the two (the viewer also pans and zooms).
      var focus = registry.get(diagram.error || diagram.current[0] || "");
      function whole() { canvas.zoom("fit-viewport", "auto"); }
      function here() {
        var box = { x: focus.x + focus.width / 2, y: focus.y + focus.height / 2 };
        canvas.zoom(0.9, box);
        var viewbox = canvas.viewbox();
        canvas.viewbox({ x: box.x - viewbox.width / 2, y: box.y - viewbox.height / 2,
                         width: viewbox.width, height: viewbox.height });
      }
      whole();
      if (focus && canvas.zoom() < 0.5) { here(); }
      var buttons = document.getElementById("diagram-buttons");
      if (buttons) {
        buttons.hidden = false;
        document.getElementById("diagram-whole").addEventListener("click", whole);
        var current = document.getElementById("diagram-current");
        if (focus) { current.addEventListener("click", here); } else { current.hidden = true; }
      }
      container.setAttribute("data-ready", "1");
    })
    .catch(fail);
}());
