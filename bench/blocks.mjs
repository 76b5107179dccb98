#!/usr/bin/env node
// Protocol body parsing benchmark: scanBlocks (src/documents/blocks.ts) and the parseProtocol built
// on it, against remark-parse (unified + micromark), the parser they replace, on the same bodies: a
// generated 50-check protocol (as bench/run.mjs's) and the shipped protocols/*.md. Each side is
// bundled by esbuild as scripts/bundle.mjs bundles the CLI, the code every side shares (front matter,
// YAML, Handlebars) loaded beforehand; cold = a fresh process importing its chunk and parsing once
// (median of several processes), warm = one parse in a process that already parsed 50 times (median of 100).
// Usage: npm run build && node bench/blocks.mjs   (BENCH_PROCESSES=N cold processes per figure, default 7)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { benchProtocol } from './protocol.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** In a fresh process: prints the ms of importing `method`'s chunk and parsing `file` once (cold), or of one parse after 50 (warm). */
async function child(bundle, method, file, mode) {
  const { parseDocument } = await import(pathToFileURL(join(bundle, 'prelude.js')).href);
  const { document } = parseDocument(readFileSync(file), 'bench.md');
  const t0 = performance.now();
  const m = await import(pathToFileURL(join(bundle, `${method}.js`)).href);
  const parse = method === 'scan' ? () => m.scanBlocks(document.body) : method === 'protocol' ? () => m.parseProtocol(document) : () => m.parse(document.body);
  parse();
  if (mode === 'cold') return console.log(performance.now() - t0);
  for (let i = 0; i < 50; i++) parse();
  const times = [];
  for (let i = 0; i < 100; i++) {
    const t = performance.now();
    parse();
    times.push(performance.now() - t);
  }
  console.log(median(times));
}

// 50 checks: ten of each kind, the protocol bench/run.mjs executes.
const protocol50 = () => benchProtocol(8080, `sha256:${'0'.repeat(64)}`);

async function bundleSides(dir) {
  const { build } = await import('esbuild');
  const dist = join(root, 'dist/documents');
  const entries = {
    prelude: `export { parseDocument } from ${JSON.stringify(join(dist, 'document.js'))};\nexport { templateNames } from ${JSON.stringify(join(dist, 'template.js'))};\n`,
    scan: `export { scanBlocks } from ${JSON.stringify(join(dist, 'blocks.js'))};\n`,
    protocol: `export { parseProtocol } from ${JSON.stringify(join(dist, 'protocol.js'))};\n`,
    remark: "import { unified } from 'unified';\nimport remarkParse from 'remark-parse';\nconst processor = unified().use(remarkParse);\nexport const parse = (body) => processor.parse(body);\n",
  };
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, `${name}.entry.mjs`), text);
  await build({
    entryPoints: Object.keys(entries).map((name) => ({ in: join(dir, `${name}.entry.mjs`), out: name })),
    outdir: join(dir, 'out'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    nodePaths: [join(root, 'node_modules')],
    banner: { js: "import { createRequire as __benchCreateRequire } from 'node:module'; const require = __benchCreateRequire(import.meta.url);" },
    logLevel: 'warning',
  });
  return join(dir, 'out');
}

async function main() {
  if (!existsSync(join(root, 'dist/documents/blocks.js'))) {
    console.error('bench/blocks: build first (npm run build)');
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), 'qualify-bench-blocks-'));
  try {
    const bundle = await bundleSides(work);
    const generated = join(work, 'QP-0900-bench.md');
    writeFileSync(generated, protocol50());
    const inputs = [['generated 50-check protocol', generated]];
    for (const f of readdirSync(join(root, 'protocols')).filter((f) => f.endsWith('.md')).sort()) inputs.push([`protocols/${f}`, join(root, 'protocols', f)]);
    const processes = Math.max(1, Number(process.env.BENCH_PROCESSES ?? 7) || 7);
    const spawn = (method, file, mode) => {
      const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', bundle, method, file, mode], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${method} on ${file} failed:\n${r.stderr}`);
      return Number(r.stdout);
    };
    const measure = (method, file) => ({
      cold: median(Array.from({ length: processes }, () => spawn(method, file, 'cold'))),
      warm: spawn(method, file, 'warm'),
    });
    const f = (ms) => `${ms.toFixed(ms < 1 ? 3 : 1)} ms`.padStart(10);
    const x = (a, b) => `${(a / b).toFixed(1)}x`.padStart(8);
    const row = (label, m, remark) => console.log(`  ${label.padEnd(44)}${f(m.cold)} ${f(m.warm)}${remark ? `${x(remark.cold, m.cold)} ${x(remark.warm, m.warm)}` : ''}`);
    console.log(`Protocol body parsing. cold: a fresh process imports the code and parses once (median of ${processes} processes);`);
    console.log('warm: one parse after 50 (median of 100). remark/this: how many times faster than remark-parse.');
    for (const [name, file] of inputs) {
      const lines = readFileSync(file, 'utf8').split('\n').length;
      const scan = measure('scan', file);
      const proto = measure('protocol', file);
      const remark = measure('remark', file);
      console.log(`\n${name} (${lines} lines)\n${''.padEnd(46)}${'cold'.padStart(10)} ${'warm'.padStart(10)}  remark/this cold, warm`);
      row('scanBlocks (new)', scan, remark);
      row('parseProtocol on scanBlocks, YAML included', proto, remark);
      row('remark-parse (unified().use(remarkParse))', remark);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], process.argv[5], process.argv[6]);
else await main();
