// Typesetting a typographer would sign, read back from the PDF: headings keep with what follows them (a
// test case heading with the start of its results), small tables and code blocks are not split, split ones
// say "continued", one type size for every table, no line break inside "Annex 11", hyphenation and
// justification, and covers and books that say what they are.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PDFDocument, PDFName, PDFRawStream, PDFRef, decodePDFRawStream } from 'pdf-lib';
import { afterAll, describe, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import { renderMarkdownToPdf, type PdfDocumentMeta } from '../src/pdf/index.js';
import { runCli } from './helpers/cli.js';
import { pdftotext, savePdf, squash } from './helpers/pdf-tools.js';
import { makeGitRepo, makeTempDir } from './helpers/tmp.js';
import { buildReport, writeReport } from './signing/fixture.js';

const tmp = makeTempDir('qualify-typeset-');
afterAll(() => tmp.cleanup());
const meta: PdfDocumentMeta = { documentId: 'SOP-0500', title: 'Typesetting', revision: '01', status: 'effective', kind: 'sop', created: '2026-10-01', approvalDate: '2026-10-01', effectiveDate: '2026-10-01' };
const FURNITURE = /^(SOP-0500 · Rev 01|Typesetting|Effective|Effective 2026-10-01|Uncontrolled when printed|Page \d+ of \d+|File sha256 .*|Table continued from the previous page|.*\(continued\))$/;

async function render(name: string, md: string, options: Parameters<typeof renderMarkdownToPdf>[2] = {}): Promise<{ path: string; pages: string[][] }> {
  const path = savePdf(tmp.dir, `${name}.pdf`, await renderMarkdownToPdf(parseMarkdown(md), meta, options));
  const pages = pdftotext(path, '-layout').split('\f').slice(0, -1).map((p) => p.split('\n').map((l) => l.trim()).filter((l) => l && !FURNITURE.test(l)));
  return { path, pages };
}

const filler = (n: number): string => Array.from({ length: n }, (_, i) => `Paragraph ${i + 1} of the procedure: the operator records the observation in the log and checks it against the approved value before going on.`).join('\n\n');

describe('keep with next, no split, continued', () => {
  test('a heading is never the last line of a page, whatever the paragraph count before it', async () => {
    for (let n = 20; n <= 30; n++) {
      const { pages } = await render(`heading-${n}`, `${filler(n)}\n\n## Section after ${n}\n\nThe first paragraph of the section, long enough to take two lines on the page when it is set in the body size of the document.\n`);
      for (const p of pages) expect(p.at(-1), `n=${n}`).not.toMatch(/^Section after/);
    }
  });

  test('a test case heading stays with the start of its results (the step table)', async () => {
    const md = (n: number): string => `${filler(n)}\n\n## OQ-07 The endpoint answers\n\nStage: OQ · Risk: high · Result: **PASS**\n\nThe objective: the application answers on its health endpoint within the latency the URS sets.\n\n| Step | Expected | Actual | Result |\n|---|---|---|---|\n| OQ-07.1 | 200 | 200 | PASS |\n| OQ-07.2 | ≤ 500 | 87 | PASS |\n`;
    for (let n = 22; n <= 30; n++) {
      const { pages } = await render(`case-${n}`, md(n));
      const at = pages.findIndex((p) => p.some((l) => l.startsWith('OQ-07 The endpoint answers')));
      expect(pages[at]!.some((l) => l.startsWith('OQ-07.1')), `n=${n}`).toBe(true);
    }
  });

  test('a 2-row table and a 9-line check block are never split; a long block says "continued"', async () => {
    const check = ['type: http.get', 'url: "{{url}}/health"', 'expect:', '  status: 200', '  json:', '    status: ok', '    version: "{{release}}"', '  latency_ms: { lte: 500 }', 'timeout: 10s'].join('\n');
    for (let n = 22; n <= 30; n++) {
      const { pages } = await render(`small-${n}`, `${filler(n)}\n\n| Role | Responsibility |\n|---|---|\n| QA | approves |\n| Engineer | executes |\n\n\`\`\`check\n${check}\n\`\`\`\n`);
      const qa = pages.findIndex((p) => p.some((l) => l.startsWith('QA')));
      expect(pages[qa]!.some((l) => l.startsWith('Engineer')), `table, n=${n}`).toBe(true);
      const first = pages.findIndex((p) => p.some((l) => l.startsWith('type: http.get')));
      expect(pages[first]!.some((l) => l.startsWith('timeout: 10s')), `check block, n=${n}`).toBe(true);
    }
    const long = Array.from({ length: 120 }, (_, i) => `line ${i + 1}`).join('\n');
    const { pages } = await render('long-code', `${filler(3)}\n\n\`\`\`log\n${long}\n\`\`\`\n`);
    const raw = pdftotext(join(tmp.dir, 'long-code.pdf'));
    expect(raw).toContain('log block (continued)');
    // No page holds fewer than four lines of the block.
    for (const p of pages) {
      const lines = p.filter((l) => /^line \d+$/.test(l)).length;
      if (lines) expect(lines).toBeGreaterThanOrEqual(4);
    }
  });

  test('a long table repeats its header and says it is continued', async () => {
    const rows = Array.from({ length: 90 }, (_, i) => `| OQ-01.${i + 1} | expected ${i} | actual ${i} | PASS |`).join('\n');
    const { pages } = await render('long-table', `| Step | Expected | Actual | Result |\n|---|---|---|---|\n${rows}\n`);
    const raw = pdftotext(join(tmp.dir, 'long-table.pdf')).split('\f');
    const withRows = pages.map((p, i) => ({ p, i })).filter(({ p }) => p.some((l) => l.startsWith('OQ-01.')));
    expect(withRows.length).toBeGreaterThan(1);
    for (const { p, i } of withRows.slice(1)) {
      expect(p.some((l) => /^Step\s+Expected\s+Actual\s+Result$/.test(l))).toBe(true);
      expect(raw[i]).toContain('Table continued from the previous page');
    }
  });
});

/** Font sizes (Tf) used inside table cells (TD/TH marked content), over all pages. */
async function cellSizes(path: string): Promise<Set<number>> {
  const doc = await PDFDocument.load(execFileSync('cat', [path]));
  const sizes = new Set<number>();
  for (const page of doc.getPages()) {
    const ref = page.node.get(PDFName.of('Contents'));
    const stream = (ref instanceof PDFRef ? doc.context.lookup(ref) : ref) as PDFRawStream;
    const ops = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    for (const m of ops.matchAll(/\/T[DH] <<\/MCID \d+>> BDC([\s\S]*?)EMC/g)) {
      for (const f of m[1]!.matchAll(/ ([\d.]+) Tf/g)) sizes.add(Number(f[1]));
    }
  }
  return sizes;
}

describe('words and lines', () => {
  test('one table type size: a table too wide for the page keeps the size of the others (mono cells at 92 %)', async () => {
    const wide = `| ${Array.from({ length: 9 }, (_, i) => `Column ${i}`).join(' | ')} |\n|${'---|'.repeat(9)}\n| ${Array.from({ length: 9 }, () => '`sha256:' + 'a'.repeat(64) + '`').join(' | ')} |\n`;
    const { path } = await render('sizes', `| A | B |\n|---|---|\n| narrow | table |\n\n${wide}`);
    const sizes = [...(await cellSizes(path))].sort();
    expect(sizes).toEqual([7.73, 8.4]);
  });

  test('"Annex 11", "Part 11", "SOP 0013" and "§ 11.10" are never broken across lines', async () => {
    const sentence = 'Records follow EU GMP Annex 11 and 21 CFR Part 11 as SOP 0013 says in § 11.10 of its text.';
    const { pages } = await render('ties', Array.from({ length: 6 }, (_, i) => `${'word '.repeat(i * 3)}${sentence} ${sentence}`).join('\n\n'));
    const lines = pages.flat();
    for (const l of lines) {
      expect(l).not.toMatch(/(Annex|Part|SOP|§)$/);
      expect(l).not.toMatch(/^(11|0013|11\.10)\b/);
    }
  });

  test('hyphenation with the English patterns where a word would leave a gap; the text stays searchable', async () => {
    const s = 'Documented verification that the installation, configuration and operation of the containerised application meet their requirements.';
    const md = `| Term | Meaning | Note | Remark |\n|---|---|---|---|\n| ${s} | ${s} | ${s} | ${s} |\n`;
    const { path } = await render('hyphens', md, { pageSize: 'A4' });
    const doc = await PDFDocument.load(execFileSync('cat', [path]));
    const ops = doc.getPages().map((page) => {
      const ref = page.node.get(PDFName.of('Contents'));
      return Buffer.from(decodePDFRawStream((ref instanceof PDFRef ? doc.context.lookup(ref) : ref) as PDFRawStream).decode()).toString('latin1');
    }).join('\n');
    // A hyphenated head carries its text without the hyphen (/ActualText), so search finds the word.
    const heads = [...ops.matchAll(/\/ActualText <FEFF([0-9A-F]+)>/g)].map((m) => Buffer.from(m[1]!, 'hex').swap16().toString('utf16le'));
    expect(heads.length).toBeGreaterThan(0);
    for (const h of heads) expect(md).toContain(h);
    expect(squash(pdftotext(path))).toContain(squash(s));
  });

  test('justification: every line of a paragraph but its last ends at the right margin', async () => {
    const { path } = await render('justify', `${'The release engineer runs the qualification protocol right after the deployment and records what was observed. '.repeat(6)}\n`, { justify: true });
    const bbox = execFileSync('pdftotext', ['-bbox-layout', '-f', '2', '-l', '2', path, '-'], { encoding: 'utf8' });
    const ends = [...bbox.matchAll(/<line xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)"/g)].map((m) => Number(m[1]));
    const body = ends.filter((x) => x > 400);
    expect(body.length).toBeGreaterThan(3);
    const right = Math.max(...body);
    expect(body.filter((x) => Math.abs(x - right) < 1.5).length).toBeGreaterThanOrEqual(body.length - 1);
  });
});

describe('covers and books say what they are', () => {
  test('render reports --book: each report by its own title, no DRAFT on recorded reports, no "report report"', async () => {
    const repo = makeTempDir('qualify-typeset-reports-');
    try {
      makeGitRepo(repo.dir, { 'qualify.yaml': 'environments: {}\n' });
      const a = await writeReport(repo.dir, buildReport({ reportId: 'QP-0001-20261008T090000Z-aaaa' }));
      const b = await writeReport(repo.dir, buildReport({ reportId: 'QP-0001-20261009T090000Z-bbbb' }));
      void a;
      void b;
      const r = await runCli(['render', 'reports', '--book', '--out', 'reports.pdf'], { cwd: repo.dir, now: new Date('2026-10-10T00:00:00Z') });
      expect(r.code, r.stderr).toBe(0);
      const text = pdftotext(join(repo.dir, 'reports.pdf'));
      const pages = text.split('\f');
      expect(pages[0]).toContain('Qualification Test Reports');
      expect(pages[0]).toContain('QP-0001-20261008T090000Z-aaaa');
      expect(pages[1]).toContain('Test Report QP-0001-20261008T090000Z-aaaa');
      expect(pages[1]).toContain('Test Report QP-0001-20261009T090000Z-bbbb');
      expect(text).not.toMatch(/report report/i);
      expect(text).not.toContain('DRAFT');
      expect(text).not.toContain('CONTROLLED DOCUMENT');
    } finally {
      repo.cleanup();
    }
  });
});
