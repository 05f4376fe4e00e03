// The form as staff will see it (zh-CN labels), in form-js's Viewer, shortly after each change.
import { Form } from '@bpmn-io/form-js-viewer';

const DELAY_MS = 300;

export function preview(editor, container, failure, texts) {
  const form = new Form({ container });
  let timer = null;
  editor.on('changed', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      form.importSchema(editor.getSchema()).then(() => {
        failure.hidden = true;
      }).catch((error) => {
        failure.textContent = texts.unreadable.replace('%(reason)s', error.message);
        failure.hidden = false;
      });
    }, DELAY_MS);
  });
}
