#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js and every module it loads, lazily evaluated) into a CommonJS file,
// dist/bundle/qualify.cjs, and pdf-lib with fontkit into dist/bundle/pdf.cjs, which bin/qualify.js
// runs through V8 code caches. Why: Node 20's ESM loader costs ~0.5 ms per file (a `qualify run`
// loaded 277), and compiling the code again in every process cost ~40 ms of a `qualify run`; a script
// can be compiled from a code cache (Node 20 has no compile cache for ES modules). Packages only
// signing and verification use stay external: they load from node_modules when needed. So does `yaml`,
// required at run time by documents/yaml-lib.js only when the fast reader declines a text.
// Runs after tsc (npm run build).
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

/**
 * pdf-lib and fontkit live in their own bundle, dist/bundle/pdf.cjs, with its own code cache: the main
 * bundle's cache stays small for the runs that render no PDF (--no-pdf, lint, verify). bin/qualify.js
 * passes `__qualifyLoad` to load it; without bin (the bundle required directly) Node's require does.
 */
const pdfBundle = {
  name: 'pdf-bundle',
  setup(b) {
    b.onResolve({ filter: /^(pdf-lib|fontkit)$/ }, (args) => ({ path: args.path, namespace: 'qualify-pdf' }));
    b.onLoad({ filter: /.*/, namespace: 'qualify-pdf' }, (args) => ({
      contents: `module.exports = (typeof __qualifyLoad === 'function' ? __qualifyLoad('pdf') : require(require('node:path').join(__dirname, 'pdf.cjs')))[${JSON.stringify(args.path === 'pdf-lib' ? 'pdfLib' : 'fontkit')}];`,
      loader: 'js',
    }));
  },
};

const common = {
  bundle: true,
  // import() of a package left outside becomes require(): the bundles run as vm scripts, which have no
  // ES module loader behind them.
  supported: { 'dynamic-import': false },
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
  // No comments, ASCII only (non-ASCII escaped): bin/qualify.js reads the bundles as latin1, which for
  // ASCII is the same text and costs a copy instead of a UTF-8 decode. Names stay for stack traces.
  minifyWhitespace: true,
  charset: 'ascii',
};

await rm(outdir, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: [join(dist, 'cli/main.js')],
  outfile: join(outdir, 'qualify.cjs'),
  // Signing and schema validation packages stay in node_modules (sign and verify only).
  external: ['@signpdf/*', 'node-forge', 'ajv', 'ajv-formats', 'ajv/*', 'dejavu-fonts-ttf', '@expo-google-fonts/*'],
  // The URL a module had in dist/ (relative to this bundle), for import.meta.url.
  banner: { js: "const __qualifyUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href;" },
  plugins: [ownUrl, pdfBundle],
});
await build({
  ...common,
  stdin: { contents: "module.exports = { pdfLib: require('pdf-lib'), fontkit: require('fontkit') };", resolveDir: root, sourcefile: 'pdf-entry.cjs', loader: 'js' },
  outfile: join(outdir, 'pdf.cjs'),
  // fontkit inflates its Unicode tables with tiny-inflate when it loads (~20 ms); native zlib is exact.
  alias: { 'tiny-inflate': join(root, 'scripts/shims/tiny-inflate.cjs') },
});
for (const name of ['qualify.cjs', 'pdf.cjs']) {
  const bytes = readFileSync(join(outdir, name));
  const at = bytes.findIndex((b) => b > 0x7f);
  if (at >= 0) throw new Error(`dist/bundle/${name} has a non-ASCII byte at offset ${at}; bin/qualify.js reads it as latin1`);
}
