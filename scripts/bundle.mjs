#!/usr/bin/env node
// Packages the CLI as one CommonJS file, dist/bundle/qualify.cjs, with esbuild (after tsc; `npm run build`).
// Why: the unified/remark, dockerode and pdf-lib ecosystems are hundreds of small files; Node 20's ES
// module loader spends ~0.5 ms on each (a `qualify run` loaded ~900 of them, ~520 ms), and compiles
// them again in every process. bin/qualify.js compiles the one bundle from a V8 code cache (Node 20 has
// no compile cache for ES modules). The libraries are the same code; only their packaging changes.
// Left outside, loaded from node_modules when used: packages with native or optional parts (ssh2), the
// signing ones and the font packages (their files are read at run time).
import { build } from 'esbuild';
import { readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const outdir = join(dist, 'bundle');

/** Modules find files next to themselves (templates, schemas, package.json): each keeps its own URL. */
const ownUrl = (from) => ({
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/].*\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const rel = relative(from, args.path).split('\\').join('/');
      return { contents: text.replaceAll('import.meta.url', `__qualifyUrl(${JSON.stringify(rel)})`), loader: 'js' };
    });
  },
});

/**
 * docker-modem requires ssh2 (its ssh:// transport) when it loads, and dockerode requires gRPC (its BuildKit
 * session) the same way: a command talking to a unix-socket engine used neither, yet paid their loading. The
 * libraries are unchanged; these requires return a stand-in that loads the real package on first use.
 */
const LAZY = /^(ssh2|@grpc\/grpc-js|@grpc\/proto-loader)$/;
const lazyRequire = {
  name: 'lazy-require',
  setup(b) {
    b.onResolve({ filter: LAZY }, (args) => (args.namespace === 'lazy' || !/[\\/](docker-modem|dockerode)[\\/]/.test(args.importer) ? undefined : { path: args.path, namespace: 'lazy' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      resolveDir: root,
      loader: 'js',
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
// A member read at load time (\`require('ssh2').Client\`) is a stand-in too: constructing or calling it loads the package.
const member = (key) => new Proxy(function () {}, {
  construct: (_, a) => Reflect.construct(load()[key], a),
  apply: (_, self, a) => Reflect.apply(load()[key], self, a),
  get: (_, k) => {
    const v = load()[key][k];
    return typeof v === 'function' ? v.bind(load()[key]) : v;
  },
});
module.exports = new Proxy({}, { get: (_, key) => (key === '__esModule' ? undefined : member(key)) });
`,
    }));
  },
};

await rm(outdir, { recursive: true, force: true });
const common = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // import() of a module becomes require(): the bundle runs as a script, with no ES module loader behind it.
  supported: { 'dynamic-import': false },
  logLevel: 'warning',
  legalComments: 'none',
  external: ['ssh2', 'cpu-features', '@signpdf/*', 'node-forge', 'ajv', 'ajv-formats', 'ajv/*', 'dejavu-fonts-ttf', '@expo-google-fonts/*'],
  banner: { js: "const __qualifyUrl = (rel) => require('node:url').pathToFileURL(require('node:path').join(__dirname, rel)).href; const __qualifyWorkers = require('node:path').join(require('node:path').dirname(__filename), 'workers');" },
  // src/worker-url.ts: code of a bundle starts its worker threads from the bundled workers.
  define: { __QUALIFY_WORKERS__: '__qualifyWorkers' },
};
await build({ ...common, entryPoints: [join(dist, 'cli/main.js')], outfile: join(outdir, 'qualify.cjs'), plugins: [lazyRequire, ownUrl(outdir)] });
// Worker threads (site verification, render parsing, report.pdf of a run): each a bundle of its own, for the
// same reason as the CLI (a worker loading the ES modules of dist/ spent about a second on the loader).
const workers = join(outdir, 'workers');
await build({
  ...common,
  entryPoints: Object.fromEntries(['site/verify-worker.js', 'cli/commands/render-parse-worker.js', 'report/pdf-worker.js'].map((f) => [f.split('/').pop().replace(/\.js$/, ''), join(dist, f)])),
  outdir: workers,
  outExtension: { '.js': '.cjs' },
  banner: { js: common.banner.js.replace("join(require('node:path').dirname(__filename), 'workers')", '__dirname') },
  plugins: [ownUrl(workers)],
});
