// Asking the server for the problems of the table being edited: on the button, and a moment
// after each change (JSON {"dmn": xml}, the CSRF token in X-CSRFToken; nothing is stored).
const DELAY_MS = 800;

export function checker(form, xml, show, texts) {
  const status = document.getElementById('decision-status');
  const token = form.querySelector('input[name="csrf_token"]').value;
  let timer;
  let asked = 0;

  async function now() {
    clearTimeout(timer);
    const ask = ++asked;
    status.textContent = texts.checking;
    try {
      const response = await fetch(form.getAttribute('data-check-url'), {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': token },
        body: JSON.stringify({ dmn: await xml() }),
      });
      const body = await response.json();
      if (ask === asked) {
        if (!response.ok) {
          throw new Error(body.message);
        }
        show(body.problems);
        document.body.dataset.checked = String(ask);
      }
    } catch (err) {
      if (ask === asked) {
        status.textContent = texts.failed;
      }
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(now, DELAY_MS);
  }

  return { now, soon };
}
