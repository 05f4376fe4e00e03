// Keeps what is typed into a task form (form[data-keep]) in this browser's localStorage, so that
// a lost session or an expired form loses nothing: the values come back when the page opens
// again. The server says when to forget them (<meta name="forget-form">: completed, or saved as
// a draft). No inline script: the pages' Content-Security-Policy allows only our own files.
(function () {
  "use strict";
  var PREFIX = "keep-form:";
  var MAX_AGE_MS = 14 * 24 * 3600 * 1000;  // older entries are dropped on any page

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }  // disabled: keep nothing
  }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && !el.disabled && !el.readOnly &&
        el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
  }

  function save(store, key, form) {
    var values = {};
    fields(form).forEach(function (el) { values[el.name] = el.value; });
    try {
      store.setItem(PREFIX + key, JSON.stringify({savedAt: Date.now(), values: values}));
    } catch (e) { /* full or refused: nothing kept */ }
  }

  function restore(store, key, form) {
    var entry;
    try { entry = JSON.parse(store.getItem(PREFIX + key) || "null"); } catch (e) { entry = null; }
    if (!entry || typeof entry.values !== "object" || entry.values === null) return;
    var changed = false;
    fields(form).forEach(function (el) {
      if (Object.prototype.hasOwnProperty.call(entry.values, el.name) && el.value !== entry.values[el.name]) {
        el.value = String(entry.values[el.name]);
        changed = true;
      }
    });
    var note = form.querySelector(".keep-note");
    if (changed && note) note.hidden = false;
  }

  function sweep(store) {
    var now = Date.now(), stale = [];
    for (var i = 0; i < store.length; i++) {
      var name = store.key(i);
      if (name && name.indexOf(PREFIX) === 0) {
        var entry;
        try { entry = JSON.parse(store.getItem(name)); } catch (e) { entry = null; }
        if (!entry || !(now - entry.savedAt < MAX_AGE_MS)) stale.push(name);
      }
    }
    stale.forEach(function (name) { store.removeItem(name); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var store = storage();
    if (!store) return;
    document.querySelectorAll('meta[name="forget-form"]').forEach(function (meta) {
      store.removeItem(PREFIX + meta.content);
    });
    sweep(store);
    document.querySelectorAll("form[data-keep]").forEach(function (form) {
      var key = form.getAttribute("data-keep");
      restore(store, key, form);
      var keep = function () { save(store, key, form); };
      form.addEventListener("input", keep);
      form.addEventListener("change", keep);
    });
  });
})();
