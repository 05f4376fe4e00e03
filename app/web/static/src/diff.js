// The page before deploying a draft (/procedures/drafts/<id>/diff): the deployed version and the
// draft side by side in bpmn-js's navigated viewer, the difference (bpmn-js-differ) coloured on
// both and listed in words, and the dry run (its path marked on the draft). The diagrams travel
// in hidden textareas and the page's texts in a JSON block: the page's CSP allows no inline script.
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import './diff/diff.css';

import { showDiff } from './diff/changes.js';
import { setUpDryRun } from './diff/dryrun.js';

function start() {
  const texts = JSON.parse(document.getElementById('diff-texts').textContent);
  const before = document.getElementById('diff-before-xml').value;
  const after = document.getElementById('diff-after-xml').value;
  window.diffPage = {};  // the viewers, for the browser tests
  showDiff(before, after, texts, window.diffPage).catch((err) => {
    document.getElementById('diff-error').hidden = false;
    console.warn('diff', err);  // a warning: the rest of the page still works
  });
  setUpDryRun(after, texts, window.diffPage);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}
