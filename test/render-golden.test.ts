// Golden renders: a few layouts turned into low-resolution grey images with pdftoppm and compared,
// 8x8-pixel block by block, with a tolerance. Refresh after an intended layout change with
//   UPDATE_RENDER_GOLDENS=1 npx vitest run test/render-golden.test.ts
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import { renderMarkdownToPdf, type PdfDocumentMeta } from '../src/pdf/index.js';
import { makeTempDir } from './helpers/tmp.js';

const FIX = fileURLToPath(new URL('./fixtures/render/', import.meta.url));
const GOLD = join(FIX, 'goldens');
const tmp = makeTempDir('qualify-golden-');
afterAll(() => tmp.cleanup());

const meta: PdfDocumentMeta = {
  documentId: 'SOP-0013', title: 'Docker Release and Operations', revision: '05', status: 'effective', kind: 'sop',
  authors: ['ehwest'], approvers: ['bewest'], approvalDate: '2020-07-18', effectiveDate: '2020-07-18', created: '2020-07-18',
};

/** Pages as grey block means (0 black … 255 white), 8x8 pixels per block at 24 dpi. */
function blocks(pdf: Uint8Array, name: string): number[][] {
  const path = join(tmp.dir, `${name}.pdf`);
  writeFileSync(path, pdf);
  const prefix = join(tmp.dir, name);
  execFileSync('pdftoppm', ['-gray', '-r', '24', path, prefix]);
  const pages: number[][] = [];
  for (let p = 1; ; p++) {
    const file = [`${prefix}-${p}.pgm`, `${prefix}-0${p}.pgm`].find((f) => existsSync(f));
    if (!file) break;
    const buf = readFileSync(file);
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(buf.subarray(0, 40).toString('latin1'))!;
    const [w, h] = [Number(header[1]), Number(header[2])];
    const px = buf.subarray(header[0].length);
    const out: number[] = [];
    for (let by = 0; by + 8 <= h; by += 8) {
      for (let bx = 0; bx + 8 <= w; bx += 8) {
        let s = 0;
        for (let y = by; y < by + 8; y++) for (let x = bx; x < bx + 8; x++) s += px[y * w + x]!;
        out.push(Math.round(s / 64));
      }
    }
    pages.push(out);
  }
  return pages;
}

async function check(name: string, pdf: Uint8Array): Promise<void> {
  const got = blocks(pdf, name);
  const file = join(GOLD, `${name}.json`);
  if (process.env.UPDATE_RENDER_GOLDENS || !existsSync(file)) {
    writeFileSync(file, `${JSON.stringify(got)}\n`);
    if (!process.env.UPDATE_RENDER_GOLDENS) throw new Error(`golden ${name}.json was missing and has been written; run again`);
    return;
  }
  const want = JSON.parse(readFileSync(file, 'utf8')) as number[][];
  expect(got.length, `${name}: page count`).toBe(want.length);
  got.forEach((page, p) => {
    const diffs = page.map((v, i) => Math.abs(v - (want[p]![i] ?? 255)));
    const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
    expect(mean, `${name} page ${p + 1}: mean block difference`).toBeLessThan(0.5);
    expect(Math.max(...diffs), `${name} page ${p + 1}: largest block difference`).toBeLessThan(12);
  });
}

test('golden: SOP with lists, a table, code and a quote (A4)', async () => {
  const md = `# Purpose\n\nRelease by **promoting** images built by CI; see [SOP-0102](https://example.invalid).\n\n1. Build the image.\n2. Promote it by digest:\n   - tag \`1.4.2\`\n   - digest \`sha256:8f43…\`\n\n| Role | Responsibility |\n|---|---|\n| QA | approves |\n| Release engineer | executes and records evidence |\n\n> Deviations are reported to QA within one working day.\n\n\`\`\`check\ntype: container.image\ncontainer: web\n\`\`\`\n`;
  await check('sop-a4', await renderMarkdownToPdf(parseMarkdown(md), meta));
});

test('golden: draft watermark on US Letter', async () => {
  await check('draft-letter', await renderMarkdownToPdf(parseMarkdown('# Draft procedure\n\nText under review.\n'), { ...meta, status: 'draft', watermark: 'DRAFT' }, { pageSize: 'Letter' }));
});
