// Unsaved work kept in localStorage, one entry per procedure and base (version or draft): written
// after each change, offered back after a reload with a notice and a discard button, cleared when
// the diagram is saved as a draft.
export default function keepWork(modeler, { key, base, notice, discard, onRestore }) {
  const storageKey = `modeler:${key}:${base}`;

  function read() {
    try {
      const kept = JSON.parse(window.localStorage.getItem(storageKey) || 'null');
      return kept && typeof kept.xml === 'string' ? kept : null;
    } catch (err) {
      return null;
    }
  }

  function write() {
    modeler.saveXML({ format: false }).then(({ xml }) => {
      try {
        window.localStorage.setItem(storageKey, JSON.stringify({ xml, saved: new Date().toISOString() }));
      } catch (err) { /* storage full or refused: the work is still on the page */ }
    });
  }

  function clear() {
    window.localStorage.removeItem(storageKey);
  }

  return {
    kept: read(),
    start(restored) {
      if (restored) {
        notice.hidden = false;
        discard.addEventListener('click', () => {
          clear();
          notice.hidden = true;
          onRestore();
        });
      }
      modeler.get('eventBus').on('commandStack.changed', write);
    },
    clear,
  };
}
