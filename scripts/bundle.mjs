#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js and every module it loads, lazily evaluated) into one CommonJS
// file, dist/bundle/qualify.cjs, which bin/qualify.js runs through a V8 code cache. Why: Node 20's ESM
// loader costs ~0.5 ms per file (a `qualify run` loaded 277), and compiling the code again in every
// process cost ~40 ms of a `qualify run`; a single script can be compiled from a code cache (Node 20
// has no compile cache for ES modules). Packages only some commands use (PDF, signing crypto, schema
// validation) stay external: they load from node_modules when needed. Runs after tsc (npm run build).
import { build } from 'esbuild';
import { relative, join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');

/** Modules resolve files next to themselves (templates, schemas, package.json): keep each module's own URL. */
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = relative(outdir, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `__qualifyUrl(${JSON.stringify(rel)})`), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(dist, 'cli/main.js')],
  outfile: join(outdir, 'qualify.cjs'),
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external: ['pdf-lib', 'fontkit', '@pdf-lib/*', '@signpdf/*', 'node-forge', 'ajv', 'ajv-formats', 'ajv/*', 'dejavu-fonts-ttf', '@expo-google-fonts/*'],
  // The URL a module had in dist/ (relative to this bundle), for import.meta.url.
  banner: { js: "const __qualifyUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;" },
  plugins: [ownUrl],
  logLevel: 'warning',
  legalComments: 'none',
  // No comments, ASCII only (non-ASCII escaped): bin/qualify.js reads the bundle as latin1, which for
  // ASCII is the same text and costs a copy instead of a UTF-8 decode. Names stay for stack traces.
  minifyWhitespace: true,
  charset: 'ascii',
});
const bytes = readFileSync(join(outdir, 'qualify.cjs'));
const at = bytes.findIndex((b) => b > 0x7f);
if (at >= 0) throw new Error(`dist/bundle/qualify.cjs has a non-ASCII byte at offset ${at}; bin/qualify.js reads it as latin1`);
