// English words of the selected field (contract 2): its label in the custom property `label_en`,
// each static choice's label in `en:<value>`. The same properties show in form-js's "Custom
// properties" group of the properties panel; these inputs are the readable way to fill them.

function properties(field) {
  return { ...(field.properties || {}) };
}

function setProperty(modeling, field, name, value) {
  const next = properties(field);
  if (value) {
    next[name] = value;
  } else {
    delete next[name];
  }
  modeling.editFormField(field, 'properties', next);
}

// Set an input's value unless the person is typing in it.
function show(input, value) {
  if (document.activeElement !== input) {
    input.value = value || '';
  }
}

export function englishLabels(editor, root) {
  const selection = editor.get('selection');
  const modeling = editor.get('modeling');
  const none = root.querySelector('[data-english="none"]');
  const panel = root.querySelector('[data-english="field"]');
  const label = root.querySelector('#english-label');
  const choices = root.querySelector('#english-choices');
  const list = choices.querySelector('ul');
  let shownChoices = null;

  label.addEventListener('input', () => {
    const field = selection.get();
    if (field && field.key) {
      setProperty(modeling, field, 'label_en', label.value.trim());
    }
  });

  function renderChoices(field) {
    const values = Array.isArray(field.values) ? field.values : [];
    const signature = JSON.stringify([field.id, values]);
    if (signature !== shownChoices) {
      shownChoices = signature;
      list.replaceChildren(...values.map((choice) => {
        const item = document.createElement('li');
        const text = document.createElement('label');
        const input = document.createElement('input');
        input.lang = 'en';
        input.dataset.value = choice.value;
        input.addEventListener('input', () => {
          setProperty(modeling, selection.get(), `en:${choice.value}`, input.value.trim());
        });
        text.append(`${choice.label} (${choice.value}) `, input);
        item.append(text);
        return item;
      }));
    }
    list.querySelectorAll('input').forEach((input) => show(input, properties(field)[`en:${input.dataset.value}`]));
    choices.hidden = values.length === 0;
  }

  function render() {
    const field = selection.get();
    const editable = Boolean(field && field.key);
    none.hidden = editable;
    panel.hidden = !editable;
    if (!editable) {
      shownChoices = null;
      return;
    }
    root.querySelector('#english-field-label').textContent = field.label || '';
    root.querySelector('#english-field-key').textContent = field.key;
    show(label, properties(field).label_en);
    renderChoices(field);
  }

  editor.on('selection.changed', render);
  editor.on('changed', render);
  render();
}
