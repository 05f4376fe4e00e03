// The form's cross-field rules: one row per rule, the rule chosen from the application's
// registry (data.validators: name, params, description) with an input per parameter (field
// keys offered from the form, <datalist id="field-keys">). value() gives [{name, ...params}].

export function validatorRows(list, data) {
  const registry = Object.fromEntries(data.validators.map((v) => [v.name, v]));

  function paramInputs(container, name, values) {
    const validator = registry[name];
    const description = document.createElement('small');
    description.className = 'hint';
    description.textContent = validator ? validator.description : '';
    container.replaceChildren(description, ...(validator ? validator.params : []).map((param) => {
      const label = document.createElement('label');
      const input = document.createElement('input');
      input.name = `param-${param}`;
      input.dataset.param = param;
      input.setAttribute('list', 'field-keys');
      input.value = values[param] == null ? '' : String(values[param]);
      label.append(`${param} `, input);
      return label;
    }));
  }

  function add(rule = {}) {
    const row = document.createElement('li');
    row.className = 'validator-row';
    const select = document.createElement('select');
    select.className = 'validator-name';
    select.append(new Option(data.texts.choose, ''));
    data.validators.forEach((v) => select.append(new Option(v.name, v.name)));
    if (rule.name && !registry[rule.name]) { // a rule this application no longer has: kept visible
      select.append(new Option(rule.name, rule.name));
    }
    select.value = rule.name || '';
    const params = document.createElement('div');
    params.className = 'validator-params';
    const remove = document.createElement('button');
    remove.type = 'button';
    remove.textContent = data.texts.remove;
    remove.addEventListener('click', () => row.remove());
    select.addEventListener('change', () => paramInputs(params, select.value, current(row)));
    paramInputs(params, select.value, rule);
    row.append(select, remove, params);
    list.append(row);
  }

  function current(row) {
    const rule = { name: row.querySelector('.validator-name').value };
    row.querySelectorAll('[data-param]').forEach((input) => { rule[input.dataset.param] = input.value.trim(); });
    return rule;
  }

  const rules = Array.isArray(data.definition.validators) ? data.definition.validators : [];
  rules.filter((rule) => rule && typeof rule === 'object').forEach((rule) => add(rule));
  return {
    add: () => add(),
    value: () => Array.from(list.querySelectorAll('.validator-row')).map(current).filter((rule) => rule.name),
  };
}
