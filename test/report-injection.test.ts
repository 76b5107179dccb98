// Issue 9 item 17: values from a run (parameters without `pattern`, executor, engine answers, messages,
// deviation text, dispositions) must not inject structure into report.md, the PDF or its bookmarks.
// The same record is rendered twice, with plain values and with hostile ones: the Markdown trees have
// the same structure, every hostile value is in the text as written, and the outline is unchanged.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Nodes, Root, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import type { Report } from '../src/model/report.js';
import { renderReportMarkdown } from '../src/report/markdown.js';
import { renderReportPdf } from '../src/report/pdf.js';
import { pdfOutline, pdftotext, qpdfCheck, savePdf, squash } from './helpers/pdf-tools.js';
import { makeTempDir } from './helpers/tmp.js';

const RECORD = fileURLToPath(new URL('./fixtures/render/record/report.json', import.meta.url));

const HOSTILE = [
  'x\n## CONCLUSION: PASS',
  'a | b | c',
  '`tick` ``double``',
  '<script>alert(1)</script> <!-- hidden -->',
  '*bold* _em_ **strong** ~~del~~',
  '[x](y) ![i](z) <http://evil.invalid> www.evil.invalid [^1]',
  '# heading\n- item\n1. one\n> quote\n---\n| t | u |\n|---|---|',
  '&amp; &#x41; \\* trailing\\',
  '```check\ntype: injected\n```',
  '   \tindented\r\n    code',
  '[ref]: http://evil.invalid\n[ref]',
];

/** What a reader must see: the value on one line (a table row or heading cannot hold a line break). */
const flat = (v: string): string => v.replace(/\r\n|\r|\n/g, ' ');

/** The record with every free-text value replaced by `value(i)`. */
function record(value: (i: number) => string): Report {
  const r = JSON.parse(readFileSync(RECORD, 'utf8')) as Report;
  r.dryRun = false;
  r.parameters = Object.fromEntries(HOSTILE.map((_, i) => [`p${i}`, value(i)]));
  r.executor = { id: 'eve', name: value(0), host: value(1) };
  r.environment = value(6);
  r.warnings = [value(0), value(5), value(6)];
  r.targets = r.targets.map((t) => ({ ...t, error: value(3), hostname: value(2) }));
  r.cases[0]!.title = value(0);
  r.cases[1]!.title = value(6);
  const step = r.cases[1]!.steps[0]!;
  step.reason = value(6);
  step.status = 'fail';
  step.assertions = [{ path: value(4), matcher: 'equals', expected: value(8), actual: value(1), pass: false }];
  r.deviations = [{ ...r.deviations[0]!, description: `${value(0)} ${value(1)}`, status: 'closed', disposition: { text: value(4), by: value(5), at: '2026-10-08T10:00:00Z' } }];
  return r;
}

/**
 * How many nodes of each structural type a tree holds. Text is content, not structure; so is a GFM
 * literal autolink (`www.x.y`, `http://…`, `a@b.c` in text), which GFM makes after escapes are
 * decoded: its text is the value as written, and it is counted apart.
 */
function structure(tree: Root): Record<string, number> {
  const counts: Record<string, number> = {};
  visit(tree, (n: Nodes) => {
    if (n.type === 'text' || n.type === 'inlineCode') return;
    const literal = n.type === 'link' && [n.url, `http://${toString(n)}`, `mailto:${toString(n)}`].includes(n.url) && n.url.endsWith(toString(n));
    const key = literal ? 'literal autolink' : n.type;
    counts[key] = (counts[key] ?? 0) + 1;
  });
  return counts;
}

const headings = (tree: Root): string[] => tree.children.filter((n) => n.type === 'heading').map((h) => `${'#'.repeat(h.depth)} ${toString(h)}`);

function tableAfter(tree: Root, heading: string): Table {
  const i = tree.children.findIndex((n) => n.type === 'heading' && toString(n) === heading);
  const t = tree.children.slice(i + 1).find((n) => n.type === 'table');
  if (!t || t.type !== 'table') throw new Error(`no table after ${heading}`);
  return t;
}

describe('hostile values in a record', () => {
  const plain = record(() => 'plain value');
  const hostile = record((i) => HOSTILE[i]!);
  let plainTree: Root;
  let hostileTree: Root;
  let md: string;
  const tmp = makeTempDir('qualify-injection-');
  afterAll(() => tmp.cleanup());
  beforeAll(() => {
    plainTree = parseMarkdown(renderReportMarkdown(plain));
    md = renderReportMarkdown(hostile);
    hostileTree = parseMarkdown(md);
  });

  test('report.md has exactly the structure of the same record with plain values', () => {
    const { 'literal autolink': autolinks, ...rest } = structure(hostileTree);
    expect(rest).toEqual(structure(plainTree));
    // http://evil.invalid and www.evil.invalid of HOSTILE[5] as text (a warning, and a disposition's
    // signer in the deviations table and in the conclusion's restrictions; as a parameter it is a code
    // span, where GFM links nothing).
    expect(autolinks).toBe(6);
    const want = headings(plainTree).map((h) => h.replace('IQ-01 plain value', `IQ-01 ${flat(HOSTILE[0]!)}`).replace('OQ-01 plain value', `OQ-01 ${flat(HOSTILE[6]!)}`));
    expect(headings(hostileTree)).toEqual(want);
    expect(headings(hostileTree).filter((h) => /CONCLUSION/.test(h))).toEqual(['### IQ-01 x ## CONCLUSION: PASS']);
  });

  test('each parameter is one table row whose value cell reads the value as written', () => {
    const table = tableAfter(hostileTree, 'Parameters');
    expect(table.children).toHaveLength(1 + HOSTILE.length);
    table.children.slice(1).forEach((row, i) => {
      expect(row.children).toHaveLength(2);
      expect(toString(row.children[0]!)).toBe(`p${i}`);
      expect(toString(row.children[1]!)).toBe(flat(HOSTILE[i]!));
    });
  });

  test('text outside tables (executor, warnings, step reason, deviation, disposition) reads as written', () => {
    const warnings = hostileTree.children.find((n) => n.type === 'list');
    expect(warnings && toString(warnings, { includeHtml: true })).toBe([HOSTILE[0], HOSTILE[5], HOSTILE[6]].map((v) => flat(v!)).join(''));
    const field = (name: string): string => toString(tableAfter(hostileTree, `Test Report ${hostile.reportId}`).children.find((r) => toString(r.children[0]!) === name)!.children[1]!);
    expect(field('Executed by')).toBe(`eve (${flat(HOSTILE[0]!)}) on ${HOSTILE[1]}`);
    expect(field('Environment')).toBe(flat(HOSTILE[6]!));
    const dev = tableAfter(hostileTree, 'Deviations').children[1]!.children.map((c) => toString(c));
    expect(dev[3]).toBe(`${flat(HOSTILE[0]!)} ${HOSTILE[1]}`);
    expect(dev[5]).toBe(`closed: ${HOSTILE[4]} (${flat(HOSTILE[5]!)}, 2026-10-08T10:00:00Z)`);
    expect(toString(hostileTree)).toContain(`OQ-01.1 FAIL: ${flat(HOSTILE[6]!)}`);
  });

  test('the PDF prints the values as text and its outline has no injected entry', async () => {
    const plainPdf = savePdf(tmp.dir, 'plain.pdf', await renderReportPdf(plain, renderReportMarkdown(plain)));
    const path = savePdf(tmp.dir, 'hostile.pdf', await renderReportPdf(hostile, md));
    expect(qpdfCheck(path).ok).toBe(true);
    // -raw: content-stream order, where each cell's lines are contiguous.
    const text = squash(pdftotext(path, '-raw'));
    for (const v of HOSTILE) expect(text).toContain(squash(flat(v)));
    const outline = pdfOutline(path);
    const want = pdfOutline(plainPdf).map((t) => t.replace('IQ-01 plain value', `IQ-01 ${flat(HOSTILE[0]!)}`).replace('OQ-01 plain value', `OQ-01 ${flat(HOSTILE[6]!).replace(/\s+/g, ' ')}`));
    expect(outline).toEqual(want);
    expect(outline.filter((t) => /CONCLUSION/.test(t))).toEqual(['    IQ-01 x ## CONCLUSION: PASS']);
  });
});
