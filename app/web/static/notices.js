// The inbox badge in the header: polls the inbox count (/inbox/count) every few seconds and
// shows it; on the inbox page, when a newer task than the page showed arrives, it reveals the
// "new tasks" notice with its reload link. No inline script: the pages' CSP allows only 'self'.
(function () {
  "use strict";
  var badge = document.getElementById("inbox-badge");
  if (!badge) { return; }
  var notice = document.getElementById("new-tasks");
  var interval = Math.max(1, parseFloat(badge.dataset.interval) || 30) * 1000;
  var seen;  // the newest task the page has shown (set by the first answer)
  var timer = null;

  function show(summary) {
    badge.textContent = String(summary.open);
    badge.hidden = summary.open === 0;
    badge.title = badge.dataset.overdueLabel + ": " + summary.overdue;
    badge.classList.toggle("overdue", summary.overdue > 0);
    if (notice) {
      if (seen === undefined) {
        seen = summary.newest;
      } else if (summary.newest && summary.newest !== seen) {
        notice.hidden = false;
      }
    }
  }

  function poll() {
    if (timer !== null) { clearTimeout(timer); }
    var done = fetch(badge.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"},
                                         cache: "no-store", redirect: "error"})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (summary) { if (summary) { show(summary); } })
      .catch(function () { /* offline or signed out: try again next time */ })
      .then(function () {
        if (timer !== null) { clearTimeout(timer); }
        timer = setTimeout(poll, interval);
      });
    return done;
  }

  window.inboxBadge = {poll: poll};  // tests and other scripts may ask for a poll now
  poll();
}());
