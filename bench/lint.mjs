#!/usr/bin/env node
// Lint benchmark: 1,000 generated controlled documents (800 SOPs, 200 protocols with 6 checks each).
// Prints the in-process time of loadRepository and the CLI end to end (`qualify lint`), median of 5.
// Target (issue 10): under 3 s for 1,000 documents, the CLI end to end. Usage: npm run build && node bench/lint.mjs
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const { loadRepository } = await import(join(repo, 'dist/index.js'));
const { loadCatalog } = await import(join(repo, 'dist/cli/repo.js'));

const dir = mkdtempSync(join(tmpdir(), 'qualify-bench-lint-'));
mkdirSync(join(dir, 'sops'));
mkdirSync(join(dir, 'protocols'));
writeFileSync(join(dir, 'qualify.yaml'), 'environments: {}\n');
const para = 'The release engineer verifies the deployment against the approved protocol and records the evidence. '.repeat(6);
for (let i = 0; i < 800; i++) {
  const id = `SOP-${String(i).padStart(4, '0')}`;
  writeFileSync(join(dir, 'sops', `${id}.md`), `---\ndocument_id: ${id}\ntitle: Generated procedure ${i}\ntype: sop\nrevision: "03"\nchange_control: CC-2026-${String(i).padStart(3, '0')}\nstatus: effective\nauthors: [avery]\napprovers: [quinn]\napproval_date: 2026-01-10\neffective_date: 2026-01-15\nreview_period_months: 24\n---\n# Purpose\n\n${para}\n\n## Procedure\n\n1. Step one\n2. Step two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n`);
}
const check = (n) => `\`\`\`check\ntype: container.running\ncontainer: "{{service}}"\nexpect:\n  state: running\n  restarts: { lte: 0 }\n\`\`\`\n\n\`\`\`check\ntype: http.get\nurl: "{{url}}/version"\ntimeout: 5s\nexpect:\n  status: 200\n  json: { version: "{{release}}" }\n\`\`\`\n`;
for (let i = 0; i < 200; i++) {
  const id = `QP-${String(i).padStart(4, '0')}`;
  const cases = [1, 2, 3].map((n) => `### IQ-0${n} Case ${n}\n\n${para}\n\n\`\`\`case\nrequirements: [URS-0${n}]\nrisk: high\n\`\`\`\n\n${check(n)}`).join('\n');
  writeFileSync(join(dir, 'protocols', `${id}.md`), `---\ndocument_id: ${id}\ntype: protocol\ntitle: Generated protocol ${i}\nrevision: "01"\nstatus: effective\napprovers: [quinn]\napproval_date: 2026-01-10\neffective_date: 2026-01-15\nparameters:\n  service: { description: Container }\n  release: { description: Release, pattern: '^\\d+\\.\\d+\\.\\d+$' }\n  url: { description: Base URL, default: "http://127.0.0.1:8080" }\n---\n# Protocol\n\n${cases}`);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const catalog = await loadCatalog();
const inproc = [];
let issues = 0;
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const r = await loadRepository({ root: dir, catalog });
  inproc.push(performance.now() - t);
  issues = r.issues.length;
}
const cli = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'bin/qualify.js'), 'lint', '--errors-only'], { cwd: dir, encoding: 'utf8' });
  cli.push(performance.now() - t);
  if (r.status !== 0) { console.error(r.stdout.slice(0, 2000), r.stderr); process.exit(1); }
}
rmSync(dir, { recursive: true, force: true });
console.log(`documents: 1000 (800 SOPs, 200 protocols with 6 checks), issues: ${issues}`);
console.log(`in-process loadRepository: median ${median(inproc).toFixed(0)} ms (runs: ${inproc.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`CLI qualify lint end to end: median ${median(cli).toFixed(0)} ms (runs: ${cli.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`target 3000 ms: ${median(cli) < 3000 ? "met" : "NOT met"} (${(3000 / median(cli)).toFixed(1)}x headroom)`);
