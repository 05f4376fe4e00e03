// The server's problems of the decision table: listed, and the rows of the rules they name
// marked (a style rule per rule id, so the marks survive the table re-rendering as it is edited).
let marks;

function ruleIds(problems) {
  const ids = new Set();
  const rows = document.querySelectorAll('#decision-table [data-row-id]');
  const known = new Set(Array.from(rows, (cell) => cell.getAttribute('data-row-id')));
  for (const problem of problems) {
    if (problem.element_id) {
      ids.add(problem.element_id);
    }
    for (const id of known) {  // an overlap names both its rules in the text
      if (problem.message.includes(`(${id})`)) {
        ids.add(id);
      }
    }
  }
  return ids;
}

export function showProblems(problems, texts) {
  const list = document.getElementById('decision-problems');
  const status = document.getElementById('decision-status');
  list.replaceChildren(...problems.map((problem) => {
    const item = document.createElement('li');
    item.textContent = problem.message;
    if (problem.element_id) {
      item.dataset.elementId = problem.element_id;
    }
    return item;
  }));
  status.textContent = problems.length ? '' : texts.none;
  if (!marks) {
    marks = document.createElement('style');
    document.head.appendChild(marks);
  }
  const selectors = Array.from(ruleIds(problems), (id) => `#decision-table td[data-row-id="${CSS.escape(id)}"]`);
  marks.textContent = selectors.length ? `${selectors.join(', ')} { background: #fde2e2 !important; }` : '';
  document.querySelectorAll('#decision-table tr').forEach((row) => {
    const cell = row.querySelector('td[data-row-id]');
    row.classList.toggle('has-problem', Boolean(cell && selectors.length && cell.matches(selectors.join(', '))));
  });
}
