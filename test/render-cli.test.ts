// `qualify render` end to end on real files: a report folder, a controlled document, a folder as a book.
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCli, spawnCli } from './helpers/cli.js';
import { makeGitRepo, makeTempDir } from './helpers/tmp.js';
import { pdfinfo, pdftotext, qpdfCheck, squash } from './helpers/pdf-tools.js';

const FIX = fileURLToPath(new URL('./fixtures/render/', import.meta.url));
const NOW = new Date('2026-10-09T08:00:00Z');

const SOP = (id: string, status: string, extra = '') => `---
document_id: ${id}
title: Release and operations ${id}
type: sop
revision: "02"
change_control: CC-2026-002
status: ${status}
authors: [adam]
approvers: [quinn]
approval_date: 2026-01-10
effective_date: 2026-01-15
${extra}---
# Purpose

Release by promoting images built by CI (${id}).

# Procedure

1. Build the image.
2. Promote it by digest.
`;

let tmp: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  tmp = makeTempDir('qualify-render-cli-');
  makeGitRepo(tmp.dir, {
    'qualify.yaml': 'environments: {}\n',
    'sops/SOP-0002-b.md': SOP('SOP-0002', 'effective'),
    'sops/SOP-0001-a.md': SOP('SOP-0001', 'draft'),
    'protocols/QP-0001.md': `---\ndocument_id: QP-0001\ntype: protocol\ntitle: Deployment Qualification Protocol\nrevision: "01"\nstatus: effective\napprovers: [quinn]\napproval_date: 2026-10-01\neffective_date: 2026-10-05\n---\n### IQ-01 The running image is the approved release image\n\nThe container runs the approved digest.\n\n\`\`\`case\nrisk: high\n\`\`\`\n\n\`\`\`check\ntype: container.image\ncontainer: web\nexpect:\n  digest: "{{image}}"\n\`\`\`\n`,
  });
});
afterEach(() => tmp.cleanup());

describe('qualify render', () => {
  test('a document: <name>.pdf beside it, computed status, check blocks labelled, atomic (no temp left)', async () => {
    const r = await runCli(['render', 'protocols/QP-0001.md'], { cwd: tmp.dir, now: NOW });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('protocols/QP-0001.pdf');
    const pdf = join(tmp.dir, 'protocols/QP-0001.pdf');
    expect(qpdfCheck(pdf).ok).toBe(true);
    const text = pdftotext(pdf);
    for (const s of ['QUALIFICATION PROTOCOL', 'QP-0001', 'IQ-01 The running image is the approved release image', 'CHECK · executable step', 'type: container.image', 'TEST CASE · attributes', 'Uncontrolled when printed']) expect(text).toContain(s);
    // No signers.yaml: the front-matter approval is used and said to be unsigned.
    expect(text).toContain('approval not signed');
    expect(readdirSync(join(tmp.dir, 'protocols')).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  test('a draft gets the DRAFT watermark; --out and --page-size Letter', async () => {
    const r = await runCli(['render', 'sops/SOP-0001-a.md', '--out', 'out.pdf', '--page-size', 'Letter'], { cwd: tmp.dir, now: NOW });
    expect(r.code).toBe(0);
    const pdf = join(tmp.dir, 'out.pdf');
    expect(pdfinfo(pdf)['Page size']).toContain('612 x 792');
    expect(squash(pdftotext(pdf, '-raw'))).toContain('DRAFT');
  });

  test('a folder as a book: one PDF, documents in id order, each from a new page', async () => {
    const r = await runCli(['render', 'sops', '--book'], { cwd: tmp.dir, now: NOW });
    expect(r.code).toBe(0);
    const pdf = join(tmp.dir, 'sops.pdf');
    const pages = pdftotext(pdf).split('\f');
    expect(pages[1]).toContain('Contents');
    const first = pages.findIndex((p) => p.includes('(SOP-0001)'));
    const second = pages.findIndex((p) => p.includes('(SOP-0002)'));
    expect(first).toBeGreaterThan(1);
    expect(second).toBeGreaterThan(first);
  });

  test('a folder without --book, a missing path and a bad page size are usage errors (exit 2)', async () => {
    expect((await runCli(['render', 'sops'], { cwd: tmp.dir, now: NOW })).stderr).toContain('add --book');
    const missing = await runCli(['render', 'nope.md'], { cwd: tmp.dir, now: NOW });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.md does not exist');
    expect((await runCli(['render', 'sops', '--book', '--page-size', 'A3'], { cwd: tmp.dir, now: NOW })).code).toBe(2);
  });

  test('a report folder: report.md and report.pdf again from report.json, record embedded, audit trail appended', async () => {
    const dir = join(tmp.dir, 'reports/QP-0001/QP-0001-20261008T090000Z-a1b2');
    mkdirSync(join(dir, 'evidence'), { recursive: true });
    copyFileSync(join(FIX, 'record/report.json'), join(dir, 'report.json'));
    for (const f of readdirSync(join(FIX, 'record/evidence'))) copyFileSync(join(FIX, 'record/evidence', f), join(dir, 'evidence', f));
    const r = await runCli(['render', 'reports/QP-0001/QP-0001-20261008T090000Z-a1b2'], { cwd: tmp.dir, now: NOW, env: { USER: 'tester' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pdf = join(dir, 'report.pdf');
    expect(existsSync(join(dir, 'report.md'))).toBe(true);
    expect(qpdfCheck(pdf).ok).toBe(true);
    const text = pdftotext(pdf);
    for (const s of ['CONCLUSION: NOT QUALIFIED', 'DEV-001', 'Test Report QP-0001-20261008T090000Z-a1b2', 'No electronic signatures have been applied to this record.']) expect(text).toContain(s);
    const bytes = readFileSync(pdf);
    // Re-rendering gives the same bytes.
    await runCli(['render', 'reports/QP-0001/QP-0001-20261008T090000Z-a1b2'], { cwd: tmp.dir, now: NOW });
    expect(readFileSync(pdf).equals(bytes)).toBe(true);
    const trail = readdirSync(join(tmp.dir), { recursive: true }).map(String).find((p) => /audit/.test(p) && p.endsWith('.jsonl'));
    expect(trail).toBeDefined();
    expect(readFileSync(join(tmp.dir, trail!), 'utf8')).toContain('"action":"render"');
  });

  test('the built CLI renders a document end to end (real process)', () => {
    const r = spawnCli(['render', 'sops/SOP-0002-b.md'], { cwd: tmp.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(pdftotext(join(tmp.dir, 'sops/SOP-0002-b.pdf'))).toContain('Release by promoting images built by CI (SOP-0002).');
  });

  test('the built CLI parses the document before it loads (bin/qualify.js) and writes the bytes the command writes in-process', async () => {
    const r = spawnCli(['render', 'sops/SOP-0002-b.md', '--out', 'early.pdf'], { cwd: tmp.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const here = await runCli(['render', 'sops/SOP-0002-b.md', '--out', 'here.pdf'], { cwd: tmp.dir, now: new Date() });
    expect(here.code).toBe(0);
    expect(readFileSync(join(tmp.dir, 'early.pdf')).equals(readFileSync(join(tmp.dir, 'here.pdf')))).toBe(true);
  });

  test('the built CLI: an early parse the command does not use changes nothing (a file with --book, a broken document)', async () => {
    const book = spawnCli(['render', 'sops/SOP-0002-b.md', '--book'], { cwd: tmp.dir, timeoutMs: 30_000 });
    expect(book.code).toBe(2);
    expect(book.stderr).toContain('--book takes a folder');
    // Not text: the document cannot be rendered (DOCUMENT_INVALID), found by the early parse in its worker.
    writeFileSync(join(tmp.dir, 'sops/SOP-0003-broken.md'), Buffer.from('---\ndocument_id: SOP-0003\n---\n# Purpose\n\u0000\u0001\n'));
    const early = spawnCli(['render', 'sops/SOP-0003-broken.md'], { cwd: tmp.dir, timeoutMs: 30_000 });
    const here = await runCli(['render', 'sops/SOP-0003-broken.md'], { cwd: tmp.dir, now: NOW });
    expect(early.code).toBe(here.code);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toBe(here.stderr);
    expect(early.stderr).toContain('sops/SOP-0003-broken.md');
    expect(existsSync(join(tmp.dir, 'sops/SOP-0003-broken.pdf'))).toBe(false);
  });
});
