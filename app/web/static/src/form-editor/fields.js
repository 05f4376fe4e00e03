// The input fields of a form-js schema, walking groups and dynamic lists.

export function fields(schema) {
  const found = [];
  const walk = (components) => (components || []).forEach((component) => {
    if (component.key) {
      found.push(component);
    }
    walk(component.components);
  });
  walk(schema && schema.components);
  return found;
}

export function fieldKeys(schema) {
  return fields(schema).map((field) => field.key);
}
