#!/usr/bin/env node
// YAML benchmark: the front matter and the 50 check blocks of the benchmark protocol, read (a) the old
// way, importing `yaml` and parsing each with parseDocument + toJS and positions (as parseYamlWithPositions
// did), against (b) the fast reader (dist/documents/yaml-fast.js). Each measure runs in a fresh process:
// cold is the import plus the first pass over the 51 sources, warm the median of later passes.
// Prints medians over the processes and the ratios old / fast.
// Usage: npm run build && node bench/yaml.mjs   (BENCH_RUNS=N processes per reader, default 15)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchProtocol } from './protocol.mjs';

const WARM_PASSES = 200;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** The front matter and the check blocks, sliced as the document parser slices them. */
function sources() {
  const text = benchProtocol(8080, `sha256:${'a'.repeat(64)}`);
  const front = /^---[^\n]*(\n[\s\S]*?)\n---/.exec(text)[1];
  const checks = [...text.matchAll(/```check\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  return [front, ...checks];
}

/** The readers, each imported and used the way its caller does. */
const readers = {
  async yaml() {
    const { LineCounter, parseDocument, isMap, isScalar } = await import('yaml');
    return (source) => {
      const lineCounter = new LineCounter();
      const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
      const positions = {};
      if (isMap(doc.contents)) {
        for (const pair of doc.contents.items) {
          if (isScalar(pair.key)) positions[String(pair.key.value)] = [lineCounter.linePos(pair.key.range[0]), pair.value?.range && lineCounter.linePos(pair.value.range[0])];
        }
      }
      return [doc.toJS({ maxAliasCount: 50 }), positions];
    };
  },
  async fast() {
    const { parseYamlFast } = await import(new URL('../dist/documents/yaml-fast.js', import.meta.url));
    return (source) => {
      const r = parseYamlFast(source);
      if (!r) throw new Error('the fast reader declined a bench source');
      return r;
    };
  },
};

/** In the child: one reader's import, first pass and warm passes, as JSON on stdout. */
async function child(name) {
  const inputs = sources();
  const t0 = performance.now();
  const read = await readers[name]();
  const t1 = performance.now();
  for (const s of inputs) read(s);
  const t2 = performance.now();
  const warm = [];
  for (let i = 0; i < WARM_PASSES; i++) {
    const t = performance.now();
    for (const s of inputs) read(s);
    warm.push(performance.now() - t);
  }
  process.stdout.write(JSON.stringify({ sources: inputs.length, importMs: t1 - t0, firstMs: t2 - t1, warmMs: median(warm) }));
}

function measure(name) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url), name], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function parent() {
  const runs = Number(process.env.BENCH_RUNS ?? 15);
  const results = { yaml: [], fast: [] };
  for (let i = 0; i < runs; i++) for (const name of Object.keys(results)) results[name].push(measure(name));
  const summary = Object.fromEntries(
    Object.entries(results).map(([name, rs]) => [
      name,
      { importMs: median(rs.map((r) => r.importMs)), firstMs: median(rs.map((r) => r.firstMs)), coldMs: median(rs.map((r) => r.importMs + r.firstMs)), warmMs: median(rs.map((r) => r.warmMs)) },
    ]),
  );
  const ms = (v) => `${v.toFixed(2)} ms`.padStart(10);
  const row = (label, s) => `${label.padEnd(14)}${ms(s.importMs)}${ms(s.firstMs)}${ms(s.coldMs)}${ms(s.warmMs)}`;
  const ratio = (k) => `${(summary.yaml[k] / summary.fast[k]).toFixed(0)}x`.padStart(10);
  console.log(`${results.yaml[0].sources} sources (front matter + 50 check blocks), median of ${runs} fresh processes each`);
  console.log(`${''.padEnd(14)}${'import'.padStart(10)}${'1st pass'.padStart(10)}${'cold'.padStart(10)}${'warm pass'.padStart(10)}`);
  console.log(row('yaml (old)', summary.yaml));
  console.log(row('fast reader', summary.fast));
  console.log(`${'ratio'.padEnd(14)}${ratio('importMs')}${ratio('firstMs')}${ratio('coldMs')}${ratio('warmMs')}`);
}

if (process.argv[2]) await child(process.argv[2]);
else await parent();
