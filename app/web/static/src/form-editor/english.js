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
  let shownField = null;

  label.addEventListener('input', () => {
    const field = selection.get();
    if (field && field.key) {
      setProperty(modeling, field, 'label_en', label.value.trim());
    }
  });

  // One item per choice, kept while the field and the number of its choices stay: the input the
  // person types in is never replaced under the cursor, only relabelled.
  function renderChoices(field) {
    const values = Array.isArray(field.values) ? field.values : [];
    if (shownField !== field.id || list.children.length !== values.length) {
      shownField = field.id;
      list.replaceChildren(...values.map(() => {
        const item = document.createElement('li');
        const text = document.createElement('label');
        const input = document.createElement('input');
        input.lang = 'en';
        input.addEventListener('input', () => {
          setProperty(modeling, selection.get(), `en:${input.dataset.value}`, input.value.trim());
        });
        text.append(document.createElement('span'), input);
        item.append(text);
        return item;
      }));
    }
    values.forEach((choice, i) => {
      const item = list.children[i];
      const input = item.querySelector('input');
      item.querySelector('span').textContent = `${choice.label} (${choice.value}) `;
      input.dataset.value = choice.value;
      show(input, properties(field)[`en:${choice.value}`]);
    });
    choices.hidden = values.length === 0;
  }

  function render() {
    const field = selection.get();
    const editable = Boolean(field && field.key);
    none.hidden = editable;
    panel.hidden = !editable;
    if (!editable) {
      shownField = null;
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

// The schema to save without English words of choices it no longer has (a value renamed after
// its English was typed).
export function withoutStaleChoices(schema) {
  const walk = (components) => (components || []).forEach((component) => {
    if (component.properties && Array.isArray(component.values)) {
      const values = new Set(component.values.map((choice) => `en:${choice.value}`));
      Object.keys(component.properties).filter((name) => name.startsWith('en:') && !values.has(name))
        .forEach((name) => delete component.properties[name]);
    }
    walk(component.components);
  });
  walk(schema.components);
  return schema;
}
