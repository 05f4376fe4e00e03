// The side panel of the diagram editor (/procedures/<key>/edit): for the one selected element its
// id and name, and the lane's role, the user task's form or the service task's handler, written
// into the diagram through bpmn-js's modeling (so undo/redo and saving see them). The choices come
// from the server in the JSON data block #modeler-choices. No bundler: bpmn-js's public services.
//
// How the spiffworkflow extensions are kept: no moddle descriptor is loaded for them, so bpmn-js
// reads <spiffworkflow:...> as generic ("any") elements inside bpmn:extensionElements and writes
// them back as they were; this panel edits and creates such generic elements (moddle.createAny).
//
// Lanes: the engine takes a lane's name as its role key (customer_dept). While editing, a lane named
// by a role key shows the role's label (客户部); just before saving its name is put back to the key.
(function () {
  "use strict";
  var SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core";
  var panel = document.getElementById("modeler-panel");
  var data = document.getElementById("modeler-choices");
  if (!panel || !data || !window.modeler || !window.modelerReady) { return; }
  var choices = JSON.parse(data.textContent);
  var modeler = window.modeler;
  var modeling = modeler.get("modeling");
  var moddle = modeler.get("moddle");
  var registry = modeler.get("elementRegistry");
  var eventBus = modeler.get("eventBus");

  var roleByLabel = {}, labelByRole = {};
  choices.roles.forEach(function (role) {
    roleByLabel[role.label] = role.key;
    labelByRole[role.key] = role.label;
  });
  var handlerDescriptions = {};
  choices.handlers.forEach(function (h) { handlerDescriptions[h.key] = h.description; });

  var selects = {
    role: document.getElementById("panel-role"),
    form: document.getElementById("panel-form"),
    handler: document.getElementById("panel-handler")
  };

  function addOptions(select, items, valueOf, textOf) {
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = valueOf(item);
      option.textContent = textOf(item);
      select.appendChild(option);
    });
  }
  addOptions(selects.role, choices.roles, function (r) { return r.key; },
             function (r) { return r.label + " (" + r.key + ")"; });
  addOptions(selects.form, choices.forms, function (f) { return f.key; },
             function (f) { return f.title + " (" + f.key + ")"; });
  addOptions(selects.handler, choices.handlers, function (h) { return h.key; },
             function (h) { return h.key; });

  // A value the lists do not know (a form of another procedure, a handler since removed) stays
  // selectable, so showing an element never changes it.
  function choose(select, value) {
    value = value || "";
    var known = Array.prototype.some.call(select.options, function (o) { return o.value === value; });
    if (!known) { addOptions(select, [value], String, String); }
    select.value = value;
  }

  // --- lanes: role key <-> label -------------------------------------------------------------
  function lanes() {
    return registry.filter(function (e) { return e.type === "bpmn:Lane"; });
  }
  function roleOf(lane) {
    var name = lane.businessObject.name || "";
    if (labelByRole[name]) { return name; }
    return roleByLabel[name] || "";
  }
  function renameLanes(toLabel) {
    var changed = [];
    lanes().forEach(function (lane) {
      var role = roleOf(lane);
      if (!role) { return; }
      var name = toLabel ? labelByRole[role] : role;
      if (lane.businessObject.name !== name) {
        lane.businessObject.name = name;
        changed.push(lane);
      }
    });
    return changed;
  }
  eventBus.on("saveXML.start", function () { renameLanes(false); });
  eventBus.on("saveXML.done", function () { renameLanes(true); });

  // --- spiffworkflow extension elements (generic moddle elements) -------------------------------
  function extension(bo, type) {
    var values = (bo.extensionElements && bo.extensionElements.values) || [];
    return values.filter(function (v) { return v.$type === type; })[0];
  }
  function formOf(bo) {
    var props = extension(bo, "spiffworkflow:properties");
    var found = ((props && props.$children) || []).filter(function (p) {
      return p.$type === "spiffworkflow:property" && p.name === "form";
    })[0];
    return found ? found.value : "";
  }
  function handlerOf(bo) {
    var operator = extension(bo, "spiffworkflow:serviceTaskOperator");
    return operator ? operator.id : "";
  }
  // The extension element of that type on the element, created (and added through modeling) if missing.
  function ensureExtension(element, type, attrs) {
    var bo = element.businessObject;
    var found = extension(bo, type);
    if (found) { return found; }
    var created = moddle.createAny(type, SPIFF, attrs || {});
    if (!bo.extensionElements) {
      var ext = moddle.create("bpmn:ExtensionElements", { values: [created] });
      modeling.updateProperties(element, { extensionElements: ext });
    } else {
      modeling.updateModdleProperties(element, bo.extensionElements, {
        values: bo.extensionElements.values.concat([created])
      });
    }
    return created;
  }
  function setForm(element, key) {
    var props = ensureExtension(element, "spiffworkflow:properties");
    var children = props.$children || [];
    var found = children.filter(function (p) {
      return p.$type === "spiffworkflow:property" && p.name === "form";
    })[0];
    if (found) {
      modeling.updateModdleProperties(element, found, { value: key });
    } else {
      var property = moddle.createAny("spiffworkflow:property", SPIFF, { name: "form", value: key });
      modeling.updateModdleProperties(element, props, { $children: children.concat([property]) });
    }
  }
  function setHandler(element, key) {
    var operator = extension(element.businessObject, "spiffworkflow:serviceTaskOperator");
    if (operator) {
      modeling.updateModdleProperties(element, operator, { id: key });
    } else {
      ensureExtension(element, "spiffworkflow:serviceTaskOperator", { id: key });
    }
  }

  // --- the panel -------------------------------------------------------------------------------
  var current = null;
  function kindOf(element) {
    if (!element) { return "none"; }
    if (element.type === "bpmn:Lane") { return "lane"; }
    if (element.type === "bpmn:UserTask") { return "user-task"; }
    if (element.type === "bpmn:ServiceTask") { return "service-task"; }
    return "element";
  }
  function show(element) {
    current = element;
    var kind = kindOf(element);
    Array.prototype.forEach.call(panel.querySelectorAll("[data-panel]"), function (part) {
      var shown = part.getAttribute("data-panel");
      part.hidden = !(shown === kind || (shown === "element" && kind !== "none"));
    });
    if (!element) { return; }
    var bo = element.businessObject;
    document.getElementById("panel-id").textContent = bo.id;
    document.getElementById("panel-name").textContent = bo.name || "";
    if (kind === "lane") { choose(selects.role, roleOf(element)); }
    if (kind === "user-task") { choose(selects.form, formOf(bo)); }
    if (kind === "service-task") {
      choose(selects.handler, handlerOf(bo));
      document.getElementById("panel-handler-description").textContent =
        handlerDescriptions[selects.handler.value] || "";
    }
  }

  selects.role.addEventListener("change", function () {
    if (!current) { return; }
    var role = selects.role.value;
    modeling.updateProperties(current, { name: role ? labelByRole[role] : "" });
  });
  selects.form.addEventListener("change", function () {
    if (current && selects.form.value) { setForm(current, selects.form.value); }
  });
  selects.handler.addEventListener("change", function () {
    if (current && selects.handler.value) { setHandler(current, selects.handler.value); }
  });

  eventBus.on("selection.changed", function (event) {
    show(event.newSelection.length === 1 ? event.newSelection[0] : null);
  });
  eventBus.on("elements.changed", function (event) {
    if (current && event.elements.indexOf(current) !== -1) { show(current); }
  });

  window.modelerReady.then(function () {
    var relabelled = renameLanes(true);
    if (relabelled.length) { eventBus.fire("elements.changed", { elements: relabelled }); }
    show(null);
  }, function () { /* modeler.js shows the import error */ });
})();
