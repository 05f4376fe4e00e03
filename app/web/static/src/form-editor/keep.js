// Unsaved work kept in this browser across a reload or a lost session: the editor's schema, the
// titles and the rules, after each change the person makes. The entry has keep-form.js's key and
// shape (`keep-form:<user id>:<path>`, {savedAt, values}): the server's "forget" after a save and
// keep-form.js's sweep of old entries apply to it too.
const PREFIX = 'keep-form:';
const DELAY_MS = 500;

function storage() {
  try {
    return window.localStorage;
  } catch (e) {
    return null; // disabled: nothing kept
  }
}

export function keeper(key) {
  const store = storage();
  let timer = null;
  return {
    // The kept values ({schema, title_zh, title_en, validators}), or null.
    restore() {
      if (!store || !key) {
        return null;
      }
      try {
        const entry = JSON.parse(store.getItem(PREFIX + key) || 'null');
        return entry && entry.values && typeof entry.values.schema === 'object' ? entry.values : null;
      } catch (e) {
        return null;
      }
    },
    // Keep `values()` shortly after the last change.
    changed(values) {
      if (!store || !key) {
        return;
      }
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          store.setItem(PREFIX + key, JSON.stringify({ savedAt: Date.now(), values: values() }));
        } catch (e) { /* full or refused: nothing kept */ }
      }, DELAY_MS);
    },
    forget() {
      clearTimeout(timer);
      if (store && key) {
        store.removeItem(PREFIX + key);
      }
    },
  };
}
