#!/usr/bin/env node
// How much two threads of work gain on this machine (figures printed, not a timed test). Needs `npm run build`.
//   node bench/cores.mjs
// The work is the one Markdown parse (remark-parse + remark-gfm, src/markdown/parse.ts) of the 50-page
// document of bench/render.mjs, each in a fresh node process, as `qualify render` does it in its worker:
// first one process alone, then two at once, alternating (5 rounds). With two real cores the pair takes
// as long as one alone (throughput 2x); on a machine whose two CPUs share one core's time it takes about
// twice as long (throughput 1x). Worker threads in qualify (render's parse, run's report.pdf, the site's
// verification) only pay off as far as this ratio allows.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHILD = `
const { readFileSync } = require('node:fs');
import(${JSON.stringify(join(ROOT, 'dist/markdown/parse.js'))}).then(({ parseMarkdown }) => {
  const md = readFileSync(${JSON.stringify(join(ROOT, 'test/fixtures/render/report-30p.md'))}, 'utf8');
  const text = md + '\\n' + md.split(/\\n(?=## )/).slice(1, 25).join('\\n');
  const t = performance.now();
  parseMarkdown(text);
  process.stdout.write(String(performance.now() - t));
});
`;
const parse = () =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`parse exited with ${code}`))));
  });
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const alone = [];
const paired = [];
await parse(); // page cache
for (let i = 0; i < 5; i++) {
  alone.push(await parse());
  const [a, b] = await Promise.all([parse(), parse()]);
  paired.push(Math.max(a, b));
}
const one = median(alone);
const two = median(paired);
console.log(`\nTwo threads of work on this machine (${availableParallelism()} CPUs reported, ${process.version})\n`);
console.log(`one cold parse alone                  ${one.toFixed(0).padStart(6)} ms`);
console.log(`two cold parses at once (the slower)  ${two.toFixed(0).padStart(6)} ms`);
console.log(`throughput of two at once: ${((2 * one) / two).toFixed(2)}x one alone (2.00x: two real cores; 1.00x: one core's time shared)`);
