#!/usr/bin/env node
// Rendering benchmark (figures printed, not a timed test). Needs `npm run build`.
//   node bench/render.mjs            our engine in-process, CLI end to end, 100-SOP book, pandoc + LaTeX
// The document is the 30-page report of test/fixtures/render/report-30p.md with 24 of its cases again
// (renumbered): about 50 pages. "In-process" includes the one Markdown parse (parseMarkdown).
//   BENCH_NO_PANDOC=1 node bench/render.mjs   skip the pandoc comparison
// pandoc and XeLaTeX come from Debian packages installed here on demand (never by CI or setup.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderMarkdownToPdf, renderBook } = await import(join(ROOT, 'dist/pdf/index.js'));
const { parseMarkdown } = await import(join(ROOT, 'dist/markdown/parse.js'));
const render = (md, meta) => renderMarkdownToPdf(parseMarkdown(md), meta);

/** About 50 pages: the 30-page report with 24 of its 30 cases again, numbered 31 to 54. */
function fiftyPages(md) {
  const sections = md.split(/\n(?=## )/);
  const cases = sections.filter((s) => /^## (IQ|OQ|PQ)-\d\d /.test(s));
  const tail = sections.slice(sections.indexOf(cases.at(-1)) + 1);
  const head = sections.slice(0, sections.indexOf(cases.at(-1)) + 1);
  const more = cases.slice(0, 24).map((s) => s.replace(/\b(IQ|OQ|PQ)-(\d\d)\b/g, (_, st, n) => `${st}-${Number(n) + 30}`));
  return [...head, ...more, ...tail].join('\n');
}
const MD = fiftyPages(readFileSync(join(ROOT, 'test/fixtures/render/report-30p.md'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'qualify-bench-render-'));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ms = (v) => `${v.toFixed(0)} ms`;
// CPU time (user + system) besides wall time: on a shared machine the wall clock measures the neighbours.
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** Runs a command; wall ms, and CPU ms of the command and its children from bash's `times`. */
function timed(cmd, args, cwd) {
  const t0 = performance.now();
  const r = spawnSync('bash', ['-c', '"$@" >/dev/null 2>.bench-stderr; s=$?; times; exit $s', 'bench', cmd, ...args], { cwd, encoding: 'utf8' });
  const wall = performance.now() - t0;
  const kids = r.stdout.trim().split('\n').at(-1).split(/\s+/).map((v) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(v);
    return m ? (Number(m[1]) * 60 + Number(m[2])) * 1000 : 0;
  });
  const stderr = (() => {
    try {
      return readFileSync(join(cwd, '.bench-stderr'), 'utf8');
    } catch {
      return '';
    }
  })();
  return { status: r.status, wall, cpu: kids[0] + kids[1], stderr };
}

const meta = {
  documentId: 'QP-0001-20261008T090000Z-a1b2', reportId: 'QP-0001-20261008T090000Z-a1b2', title: 'QP-0001 Deployment Qualification Protocol',
  revision: '01', status: 'executed', kind: 'report', authors: ['Eve Executor (eve)'], created: '2026-10-08T09:04:31Z', recordHash: 'ab'.repeat(32), conclusion: 'pass',
  protocol: { documentId: 'QP-0001', revision: '01', sha256: 'cd'.repeat(32) },
  subject: { images: [{ repository: '127.0.0.1:5000/app', tag: '1.4.2', digest: `127.0.0.1:5000/app@sha256:${'a'.repeat(64)}`, imageId: `sha256:${'b'.repeat(64)}` }], application: { repo: '.', commit: 'd'.repeat(40), tag: 'v1.4.2' } },
};

// 1. In-process: the first render in a fresh process (modules already loaded; parse, fonts, JIT cold) and warm renders.
let t = performance.now();
let c = cpuNow();
const first = await render(MD, meta);
const cold = performance.now() - t;
const coldCpu = cpuNow() - c;
const warm = [];
const warmCpu = [];
for (let i = 0; i < 10; i++) {
  t = performance.now();
  c = cpuNow();
  await render(MD, meta);
  warm.push(performance.now() - t);
  warmCpu.push(cpuNow() - c);
}
writeFileSync(join(work, 'ours.pdf'), first);
const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(work, 'ours.pdf')], { encoding: 'utf8' }))[1]);

// 2. CLI end to end: process start, read, render, atomic write. With pandoc present, each run of ours is
// followed by a pandoc run (interleaved), so that both see the same load on a shared machine.
mkdirSync(join(work, 'qms/sops'), { recursive: true });
writeFileSync(join(work, 'qms/qualify.yaml'), 'environments: {}\n');
writeFileSync(join(work, 'qms/sops/REPORT.md'), `---\ndocument_id: RPT-0001\ntitle: Fifty-page report\nrevision: "01"\nstatus: effective\napproval_date: 2026-10-01\neffective_date: 2026-10-05\n---\n${MD}`);
const cli = [];
const cliCpu = [];
const ours = () => {
  const r = timed(process.execPath, [join(ROOT, 'bin/qualify.js'), 'render', 'sops/REPORT.md'], join(work, 'qms'));
  if (r.status !== 0) throw new Error(`qualify render failed: ${r.stderr}`);
  cli.push(r.wall);
  cliCpu.push(r.cpu);
};

// 3. A book of 100 SOPs of about 3 pages each (in-process).
const sop = (n) => {
  const p = (k) => `Step ${k} of the procedure for area ${n}: the operator records the result in the log book, checks the container digest against the approved release and escalates any deviation to Quality Assurance within one working day. `.repeat(3);
  return `# Purpose\n\n${p(1)}\n\n# Scope\n\n${p(2)}\n\n# Responsibilities\n\n| Role | Responsibility |\n|---|---|\n| QA | approves the procedure and its revisions |\n| Release engineer | executes the steps and records evidence |\n| Operations | keeps the hosts in the qualified state |\n\n# Procedure\n\n${Array.from({ length: 8 }, (_, k) => `${k + 1}. ${p(k + 3)}`).join('\n')}\n\n\`\`\`bash\nqualify run protocols/QP-0001.md --env production --param release=1.4.${n}\n\`\`\`\n\n# Records\n\n${p(12)}\n`;
};
const docs = Array.from({ length: 100 }, (_, i) => ({
  markdown: sop(i + 1),
  meta: { documentId: `SOP-${String(i + 1).padStart(4, '0')}`, title: `Procedure ${i + 1}`, revision: '02', status: 'effective', kind: 'sop', approvers: ['quinn'], approvalDate: '2026-01-10', effectiveDate: '2026-01-15', created: '2026-01-10' },
}));
const bookMeta = { documentId: 'SOPS', title: 'sops: 100 controlled documents', revision: '—', status: 'compilation', kind: 'document', created: '2026-01-15' };
t = performance.now();
const book = await renderBook(docs.map((d) => ({ tree: parseMarkdown(d.markdown), meta: d.meta })), bookMeta);
const bookMs = performance.now() - t;
writeFileSync(join(work, 'book.pdf'), book);
const bookPages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(work, 'book.pdf')], { encoding: 'utf8' }))[1]);

// 4. pandoc + XeLaTeX on the same Markdown (Unicode needs XeLaTeX; pdflatex stops at Cyrillic and CJK),
// interleaved with our CLI runs.
let pandoc = null;
let pandocCpu = null;
let pandocNote = '';
const havePandoc = () => {
  const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!have('pandoc') || !have('xelatex')) {
    console.error('installing pandoc and XeLaTeX from Debian packages (benchmark only)...');
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'pandoc', 'texlive-xetex', 'texlive-latex-recommended', 'texlive-fonts-recommended', 'lmodern', 'fonts-dejavu-core'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  return have('pandoc') && have('xelatex');
};
if (!process.env.BENCH_NO_PANDOC && havePandoc()) {
  writeFileSync(join(work, 'in.md'), MD);
  const runs = [];
  const runsCpu = [];
  for (let i = 0; i < 5; i++) {
    ours();
    const r = timed('pandoc', ['in.md', '-o', 'pandoc.pdf', '--pdf-engine=xelatex', '-V', 'mainfont=DejaVu Sans', '-V', 'monofont=DejaVu Sans Mono', '-V', 'geometry:margin=2cm'], work);
    if (r.status !== 0) {
      pandocNote = `pandoc failed: ${r.stderr.split('\n').slice(0, 3).join(' ')}`;
      break;
    }
    runs.push(r.wall);
    runsCpu.push(r.cpu);
  }
  if (!pandocNote) {
    pandoc = median(runs);
    pandocCpu = median(runsCpu);
    const pp = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(work, 'pandoc.pdf')], { encoding: 'utf8' }))[1];
    pandocNote = `pandoc ${execFileSync('pandoc', ['--version'], { encoding: 'utf8' }).split('\n')[0].split(' ')[1]} + XeLaTeX, ${pp} pages`;
  }
} else {
  if (!process.env.BENCH_NO_PANDOC) pandocNote = 'pandoc/xelatex not installable here';
  for (let i = 0; i < 5; i++) ours();
}

const warmMed = median(warm);
const cliMed = median(cli);
const [warmCpuMed, cliCpuMed] = [median(warmCpu), median(cliCpu)];
const row = (name, wall, cpu, target = '', ok = true) => console.log(`${name.padEnd(44)} ${ms(wall).padStart(9)} ${cpu === null ? ''.padStart(9) : ms(cpu).padStart(9)}   ${target ? `target ${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}` : ''}`);
console.log(`\nqualify render benchmark (${process.version}, ${pages}-page document from test/fixtures/render/report-30p.md)\n`);
console.log(`${''.padEnd(44)} ${'wall'.padStart(9)} ${'CPU'.padStart(9)}`);
row('in-process, warm (median of 10)', warmMed, warmCpuMed);
row('in-process, first render in a fresh process', cold, coldCpu);
row(`CLI end to end: qualify render (median of ${cli.length})`, cliMed, cliCpuMed);
row(`book: 100 SOPs, ${bookPages} pages`, bookMs, null, '< 3000 ms', bookMs < 3000);
if (pandoc !== null) {
  row('pandoc + XeLaTeX (median of 5, interleaved)', pandoc, pandocCpu);
  const x = (a, b) => `${(a / b).toFixed(1)}x`;
  console.log(`\nratios pandoc / ours, wall (CPU): in-process warm ${x(pandoc, warmMed)} (${x(pandocCpu, warmCpuMed)}), first render ${x(pandoc, cold)} (${x(pandocCpu, coldCpu)}), CLI ${x(pandoc, cliMed)} (${x(pandocCpu, cliCpuMed)}); target >= 3x`);
}
if (pandocNote) console.log(pandocNote);
rmSync(work, { recursive: true, force: true });
