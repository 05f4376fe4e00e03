// Lints diagrams the way the modeler does (tests/test_modeler_lint.py runs this): bundles
// app/web/static/src/modeler/lint.js with esbuild (as scripts/bundle.mjs does for the page), reads
// each diagram with bpmn-moddle and runs bpmnlint's Linter with lintConfig(options).
//
// stdin: {"options": {...lintConfig options}, "typed": true|false, "files": {"<name>": "<xml>"}}
//   typed: read the spiffworkflow extensions with the moddle descriptor
//   (app/web/static/src/modeler/spiffworkflow.json) or as generic elements, as bpmn-js does without it.
// stdout: {"<name>": {"warnings": [import warnings], "reports": [{rule, id, message, category}]},
//          "defaults": lint.js's English MESSAGES, "functions": its default DIAGRAM_FUNCTIONS}
import { build } from 'esbuild';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { BpmnModdle } from 'bpmn-moddle';
import { Linter } from 'bpmnlint';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const modeler = join(root, 'app/web/static/src/modeler');

async function loadLint() {
  const dir = mkdtempSync(join(tmpdir(), 'lint-'));
  try {
    const outfile = join(dir, 'lint.mjs');
    await build({ entryPoints: [ join(modeler, 'lint.js') ], bundle: true, format: 'esm', platform: 'browser',
                  outfile, logLevel: 'error' });
    return await import(pathToFileURL(outfile).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const input = JSON.parse(readFileSync(0, 'utf8'));
const { default: lintConfig, MESSAGES, DIAGRAM_FUNCTIONS } = await loadLint();
const spiffworkflow = JSON.parse(readFileSync(join(modeler, 'spiffworkflow.json'), 'utf8'));
const moddle = new BpmnModdle(input.typed ? { spiffworkflow } : {});
const packed = lintConfig(input.options || {});
const out = { defaults: MESSAGES, functions: DIAGRAM_FUNCTIONS };

for (const [ name, xml ] of Object.entries(input.files)) {
  const { rootElement, warnings } = await moddle.fromXML(xml);
  const results = await new Linter(packed).lint(rootElement);
  const reports = Object.entries(results).flatMap(([ rule, found ]) =>
    found.map(({ id, message, category }) => ({ rule, id, message, category })));
  out[name] = { warnings: warnings.map((w) => w.message), reports };
}
process.stdout.write(JSON.stringify(out));
