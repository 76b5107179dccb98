#!/usr/bin/env node
// Bundles the CLI (dist/cli/main.js and the commands it loads lazily) into dist/bundle/, run by
// bin/qualify.js when present. Why: Node 20's ESM loader costs ~0.5 ms per file and a `qualify run`
// loaded 277 files (our 68 modules, yaml 72, handlebars 44, remark/micromark 60...): 150 ms of a
// 385 ms process. One bundle with a chunk per command loads in a handful of files.
// Packages only some commands use (PDF, signing crypto, schema validation) stay external: they load
// from node_modules when needed, as before. So does `yaml`, required at run time by
// documents/yaml-lib.js only when the fast reader declines a text. Runs after tsc (npm run build).
import { build } from 'esbuild';
import { relative, dirname, join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
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
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [join(dist, 'cli/main.js')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  external: ['pdf-lib', 'fontkit', '@pdf-lib/*', '@signpdf/*', 'node-forge', 'ajv', 'ajv-formats', 'ajv/*', 'dejavu-fonts-ttf', '@expo-google-fonts/*'],
  // CommonJS packages inside an ES module bundle still call require() for node builtins.
  banner: { js: "import { createRequire as __qualifyCreateRequire } from 'node:module'; const require = __qualifyCreateRequire(import.meta.url);" },
  plugins: [ownUrl],
  logLevel: 'warning',
  legalComments: 'none',
});
