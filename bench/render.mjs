#!/usr/bin/env node
// Rendering benchmark (figures printed, not a timed test). Needs `npm run build`.
//   node bench/render.mjs            our engine in-process, CLI end to end, 100-SOP book, pandoc + LaTeX
//   BENCH_NO_PANDOC=1 node bench/render.mjs   skip the pandoc comparison
// pandoc and XeLaTeX come from Debian packages installed here on demand (never by CI or setup.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { renderMarkdownToPdf, renderBook } = await import(join(ROOT, 'dist/pdf/index.js'));
const MD = readFileSync(join(ROOT, 'test/fixtures/render/report-30p.md'), 'utf8');
const work = mkdtempSync(join(tmpdir(), 'qualify-bench-render-'));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const ms = (v) => `${v.toFixed(0)} ms`;

const meta = {
  documentId: 'QP-0001-20261008T090000Z-a1b2', reportId: 'QP-0001-20261008T090000Z-a1b2', title: 'QP-0001 Deployment Qualification Protocol',
  revision: '01', status: 'executed', kind: 'report', authors: ['Eve Executor (eve)'], created: '2026-10-08T09:04:31Z', recordHash: 'ab'.repeat(32), conclusion: 'pass',
  protocol: { documentId: 'QP-0001', revision: '01', sha256: 'cd'.repeat(32) },
  subject: { images: [{ repository: '127.0.0.1:5000/app', tag: '1.4.2', digest: `127.0.0.1:5000/app@sha256:${'a'.repeat(64)}`, imageId: `sha256:${'b'.repeat(64)}` }], application: { repo: '.', commit: 'd'.repeat(40), tag: 'v1.4.2' } },
};

// 1. In-process, same 30-page report: the first render in a fresh process (fonts parsed) and warm renders.
let t = performance.now();
const first = await renderMarkdownToPdf(MD, meta);
const cold = performance.now() - t;
const warm = [];
for (let i = 0; i < 10; i++) {
  t = performance.now();
  await renderMarkdownToPdf(MD, meta);
  warm.push(performance.now() - t);
}
writeFileSync(join(work, 'ours.pdf'), first);
const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(work, 'ours.pdf')], { encoding: 'utf8' }))[1]);

// 2. CLI end to end: process start, read, render, atomic write.
mkdirSync(join(work, 'qms/sops'), { recursive: true });
writeFileSync(join(work, 'qms/qualify.yaml'), 'environments: {}\n');
writeFileSync(join(work, 'qms/sops/REPORT.md'), `---\ndocument_id: RPT-0001\ntitle: Thirty-page report\nrevision: "01"\nstatus: effective\napproval_date: 2026-10-01\neffective_date: 2026-10-05\n---\n${MD}`);
const cli = [];
for (let i = 0; i < 5; i++) {
  t = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/qualify.js'), 'render', 'sops/REPORT.md'], { cwd: join(work, 'qms'), encoding: 'utf8' });
  cli.push(performance.now() - t);
  if (r.status !== 0) throw new Error(`qualify render failed: ${r.stderr}`);
}

// 3. A book of 100 SOPs of about 3 pages each.
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
const book = await renderBook(docs, bookMeta);
const bookMs = performance.now() - t;
writeFileSync(join(work, 'book.pdf'), book);
const bookPages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(work, 'book.pdf')], { encoding: 'utf8' }))[1]);

// 4. pandoc + XeLaTeX on the same Markdown (Unicode needs XeLaTeX; pdflatex stops at Cyrillic and CJK).
let pandoc = null;
let pandocNote = '';
if (!process.env.BENCH_NO_PANDOC) {
  const have = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (!have('pandoc') || !have('xelatex')) {
    console.error('installing pandoc and XeLaTeX from Debian packages (benchmark only)...');
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'pandoc', 'texlive-xetex', 'texlive-latex-recommended', 'texlive-fonts-recommended', 'lmodern', 'fonts-dejavu-core'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (have('pandoc') && have('xelatex')) {
    writeFileSync(join(work, 'in.md'), MD);
    const runs = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const r = spawnSync('pandoc', ['in.md', '-o', 'pandoc.pdf', '--pdf-engine=xelatex', '-V', 'mainfont=DejaVu Sans', '-V', 'monofont=DejaVu Sans Mono', '-V', 'geometry:margin=2cm'], { cwd: work, encoding: 'utf8' });
      runs.push(performance.now() - t);
      if (r.status !== 0) {
        pandocNote = `pandoc failed: ${r.stderr.split('\n').slice(0, 3).join(' ')}`;
        break;
      }
    }
    if (!pandocNote) {
      pandoc = median(runs);
      const pp = /Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [join(work, 'pandoc.pdf')], { encoding: 'utf8' }))[1];
      pandocNote = `pandoc ${execFileSync('pandoc', ['--version'], { encoding: 'utf8' }).split('\n')[0].split(' ')[1]} + XeLaTeX, ${pp} pages`;
    }
  } else pandocNote = 'pandoc/xelatex not installable here';
}

const warmMed = median(warm);
const cliMed = median(cli);
const row = (name, value, target, ok) => console.log(`${name.padEnd(44)} ${value.padStart(10)}   target ${target.padEnd(10)} ${ok ? 'ok' : 'MISSED'}`);
console.log(`\nqualify render benchmark (${process.version}, ${pages}-page report from test/fixtures/render/report-30p.md)\n`);
row('in-process, warm (median of 10)', ms(warmMed), '< 300 ms', warmMed < 300);
row('in-process, first render in a fresh process', ms(cold), '< 300 ms', cold < 300);
row('CLI end to end: qualify render (median of 5)', ms(cliMed), '< 1000 ms', cliMed < 1000);
row(`book: 100 SOPs, ${bookPages} pages`, ms(bookMs), '< 3000 ms', bookMs < 3000);
if (pandoc !== null) {
  row(`pandoc + XeLaTeX (median of 3)`, ms(pandoc), '', true);
  console.log(`\nratios: pandoc / ours in-process warm ${(pandoc / warmMed).toFixed(1)}x, cold ${(pandoc / cold).toFixed(1)}x, pandoc / our CLI ${(pandoc / cliMed).toFixed(1)}x (target >= 10x)`);
}
if (pandocNote) console.log(pandocNote);
rmSync(work, { recursive: true, force: true });
