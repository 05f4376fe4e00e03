// Bundles each entry app/web/static/src/<name>.js (with the npm packages it imports and the CSS
// and fonts they bring) into app/web/static/vendor/bundles/<name>.js and <name>.css, served by
// the app: nothing comes from a CDN. Run by scripts/bootstrap (npm run build).
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'app/web/static/src');
const entries = readdirSync(src).filter((name) => name.endsWith('.js')).map((name) => join(src, name));

await build({
  entryPoints: entries,
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'iife',
  target: ['chrome110', 'firefox110', 'safari16'],
  outdir: join(root, 'app/web/static/vendor/bundles'),
  // One preact in every bundle: @bpmn-io/form-js-editor carries an older copy of its own, and
  // preact components of two copies cannot nest (form-js's viewer fields inside its editor).
  alias: { preact: join(root, 'node_modules/preact') },
  loader: { '.woff': 'file', '.woff2': 'file', '.ttf': 'file', '.eot': 'file', '.svg': 'file', '.bpmnlintrc': 'json' },
  assetNames: 'assets/[name]-[hash]',
  legalComments: 'linked',
  logLevel: 'warning',
});
