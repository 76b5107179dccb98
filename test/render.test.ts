// The typesetting engine checked with the tools an auditor has: qpdf, pdftotext, pdfinfo, pdffonts, pdfdetach.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { renderBook, renderMarkdownToPdf, type PdfDocumentMeta } from '../src/pdf/index.js';
import { parseMarkdown } from '../src/markdown/parse.js';
import { makeTempDir } from './helpers/tmp.js';
import { pdffonts, pdfinfo, pdfinfoMeta, pdftotext, qpdfCheck, savePdf, squash } from './helpers/pdf-tools.js';

const FIX = fileURLToPath(new URL('./fixtures/render/', import.meta.url));
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (name: string): string => readFileSync(join(FIX, name), 'utf8');

const reportMeta: PdfDocumentMeta = {
  documentId: 'QP-0001-20261008T090000Z-a1b2',
  reportId: 'QP-0001-20261008T090000Z-a1b2',
  title: 'QP-0001 Deployment Qualification Protocol',
  revision: '01',
  status: 'executed',
  kind: 'report',
  authors: ['Eve Executor (eve)'],
  created: '2026-10-08T09:04:31Z',
  recordHash: 'ab'.repeat(32),
  conclusion: 'pass',
  protocol: { documentId: 'QP-0001', revision: '01', sha256: 'cd'.repeat(32) },
  subject: {
    images: [{ repository: '127.0.0.1:5000/app', tag: '1.4.2', digest: `127.0.0.1:5000/app@sha256:${'a'.repeat(64)}`, imageId: `sha256:${'b'.repeat(64)}` }],
    application: { repo: '.', commit: 'd'.repeat(40), tag: 'v1.4.2' },
  },
};

const sopMeta: PdfDocumentMeta = {
  documentId: 'SOP-0013', title: 'Docker Release and Operations', revision: '05', status: 'effective', kind: 'sop',
  authors: ['ehwest'], approvers: ['bewest'], approvalDate: '2020-07-18', effectiveDate: '2020-07-18', created: '2020-07-18',
};

let tmp: ReturnType<typeof makeTempDir>;
beforeAll(() => {
  tmp = makeTempDir('qualify-render-');
});
afterAll(() => tmp.cleanup());

/** The visible text of inline Markdown (code spans, emphasis and escapes removed). */
const plain = (s: string): string => s.replace(/`+/g, '').replace(/\*\*/g, '').replace(/\\\|/g, '|').trim();

describe('30-page report (20 tables, 30 log blocks)', () => {
  const md = fixture('report-30p.md');
  let path: string;
  let text: string;
  let bytes: Uint8Array;
  beforeAll(async () => {
    bytes = await renderMarkdownToPdf(parseMarkdown(md), reportMeta, { attachments: [{ name: 'report.json', mediaType: 'application/json', bytes: Buffer.from('{"schema":"qualify.report/v1"}\n') }] });
    path = savePdf(tmp.dir, 'report-30p.pdf', bytes);
    text = pdftotext(path);
  });

  test('qpdf finds no error; pdf-lib loads it (the signing step re-opens our bytes)', async () => {
    const r = qpdfCheck(path);
    expect(r.output).toContain('No syntax or stream encoding errors');
    expect(r.ok).toBe(true);
    const doc = await PDFDocument.load(bytes);
    expect(doc.getPageCount()).toBe(Number(pdfinfo(path).Pages));
  });

  test('at least 30 pages, every font embedded and subset with a ToUnicode map', () => {
    expect(Number(pdfinfo(path).Pages)).toBeGreaterThanOrEqual(30);
    const fonts = pdffonts(path);
    expect(fonts.length).toBeGreaterThan(1);
    for (const f of fonts) {
      expect(f, f.name).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
    }
  });

  test('every heading, table cell and log line is in the extracted text', () => {
    const all = squash(text);
    const allLayout = squash(pdftotext(path, '-layout'));
    const blocks = parseMarkdown(md).children;
    let headings = 0;
    let cells = 0;
    let logLines = 0;
    for (const b of blocks) {
      if (b.type === 'heading') {
        headings++;
        const raw = md.split('\n').find((l) => /^#{1,6} /.test(l) && squash(plain(l.replace(/^#+ /, ''))) === squash(plain(l.replace(/^#+ /, ''))));
        expect(raw).toBeDefined();
      }
    }
    for (const line of md.split('\n')) {
      if (/^#{1,6} /.test(line)) expect(all).toContain(squash(plain(line.replace(/^#+ /, ''))));
    }
    let inCode = false;
    for (const line of md.split('\n')) {
      if (line.startsWith('```')) {
        inCode = !inCode;
        continue;
      }
      if (inCode) {
        logLines++;
        // Log lines are checked in the page layout: on a page holding only a few aligned log lines,
        // poppler's reading-order heuristic takes their double-space gap for a column gutter.
        expect(allLayout).toContain(squash(line));
      } else if (line.startsWith('|') && !/^\|[-| ]+\|$/.test(line)) {
        for (const cell of line.slice(1, -1).split(/(?<!\\)\|/)) {
          cells++;
          expect(all).toContain(squash(plain(cell)));
        }
      }
    }
    expect(headings).toBeGreaterThanOrEqual(30);
    expect(cells).toBeGreaterThan(500);
    expect(logLines).toBeGreaterThan(700);
  });

  test('the footer "Page n of N" and the running header are on every page', () => {
    const pages = text.split('\f').filter((p, i, a) => i < a.length - 1 || p.trim());
    const n = Number(pdfinfo(path).Pages);
    expect(pages.length).toBe(n);
    pages.forEach((p, i) => {
      expect(p).toContain(`Page ${i + 1} of ${n}`);
      expect(p).toContain('Report QP-0001-20261008T090000Z-a1b2');
      expect(p).toContain('Record sha256 abababababababab');
    });
  });

  test('cover: control block, subject, protocol, conclusion; metadata and XMP from the record', () => {
    const first = text.split('\f')[0]!;
    for (const s of ['QUALIFICATION TEST REPORT', 'CONCLUSION: PASS', 'cd'.repeat(32), '127.0.0.1:5000/app', 'v1.4.2', 'd'.repeat(40)]) expect(squash(first)).toContain(squash(s));
    const info = pdfinfo(path);
    expect(info.Title).toBe('QP-0001 Deployment Qualification Protocol');
    expect(info.Author).toBe('Eve Executor (eve)');
    expect(info.Creator).toMatch(/^qualify \d/);
    expect(info.CreationDate).toContain('2026');
    expect(info.Encrypted).toBe('no');
    expect(info.JavaScript).toBe('no');
    const xmp = pdfinfoMeta(path);
    expect(xmp).toContain('<pdfaid:part>3</pdfaid:part>');
    expect(xmp).toContain(`<qrec:recordSha256>${'ab'.repeat(32)}</qrec:recordSha256>`);
    expect(xmp).toContain('<qrec:protocolId>QP-0001</qrec:protocolId>');
    expect(xmp).toContain('<xmp:CreateDate>2026-10-08T09:04:31Z</xmp:CreateDate>');
  });

  test('the attachment is listed and extracts byte for byte', () => {
    const list = execFileSync('pdfdetach', ['-list', path], { encoding: 'utf8' });
    expect(list).toContain('report.json');
    const out = join(tmp.dir, 'extracted.json');
    execFileSync('pdfdetach', ['-save', '1', '-o', out, path]);
    expect(readFileSync(out, 'utf8')).toBe('{"schema":"qualify.report/v1"}\n');
  });

  test('deterministic: the same input renders to the same bytes', async () => {
    const again = await renderMarkdownToPdf(parseMarkdown(md), reportMeta, { attachments: [{ name: 'report.json', mediaType: 'application/json', bytes: Buffer.from('{"schema":"qualify.report/v1"}\n') }] });
    expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    const other = await renderMarkdownToPdf(parseMarkdown(`${md}\nOne more line.\n`), reportMeta);
    expect(Buffer.from(other).equals(Buffer.from(bytes))).toBe(false);
  });
});

describe('fixtures', () => {
  test('Unicode: German, Cyrillic, Japanese and Greek round-trip through pdftotext; a character no font has is replaced visibly', async () => {
    const path = savePdf(tmp.dir, 'unicode.pdf', await renderMarkdownToPdf(parseMarkdown(fixture('unicode.md')), sopMeta));
    const text = pdftotext(path);
    for (const s of ['Überprüfung der Container-Images: größer, Maß, Äpfel, Öl, Übel.', 'Проверка образов контейнеров и конфигурации.', '検証：承認されたイメージが稼働していることを確認する。', 'Ελληνικά: έλεγχος ακεραιότητας.', '≤ ≥ ± × → • © ™ — “quoted”']) {
      expect(squash(text)).toContain(squash(s));
    }
    // No shipped face draws U+13000: the page shows U+FFFD, the text layer keeps the character (/ActualText).
    expect(text).toContain('Missing glyph: 𓀀 stays visible.');
    expect(pdffonts(path).some((f) => /DejaVuSans/.test(f.name))).toBe(true);
    expect(text).toContain('Emoji from Noto Emoji: 😀.');
    expect(pdffonts(path).some((f) => /NotoEmoji/.test(f.name))).toBe(true);
    expect(pdffonts(path).some((f) => /NotoSansJP/.test(f.name))).toBe(true);
    expect(qpdfCheck(path).ok).toBe(true);
  });

  test('a table wider than the page stays inside the margins, every cell readable', async () => {
    const md = fixture('wide-table.md');
    const path = savePdf(tmp.dir, 'wide.pdf', await renderMarkdownToPdf(parseMarkdown(md), sopMeta));
    // -raw: content-stream order, where each cell's lines are contiguous.
    const text = squash(pdftotext(path, '-raw'));
    for (const line of md.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('|---'))) {
      for (const cell of line.slice(1, -1).split('|')) expect(text).toContain(squash(cell));
    }
    const bbox = pdftotext(path, '-bbox');
    const xs = [...bbox.matchAll(/xMax="([\d.]+)"/g)].map((m) => Number(m[1]));
    expect(Math.max(...xs)).toBeLessThanOrEqual(595.28 - 50);
  });

  test('a 5,000-line log breaks across pages with every line kept', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `2026-10-08T09:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z INFO line ${i + 1} of the container log`);
    const t = performance.now();
    const path = savePdf(tmp.dir, 'log.pdf', await renderMarkdownToPdf(parseMarkdown(`# Container log\n\n\`\`\`log\n${lines.join('\n')}\n\`\`\`\n`), sopMeta));
    const ms = performance.now() - t;
    const text = pdftotext(path);
    const seen = new Set(text.split('\n').map((l) => l.trim()));
    for (const l of lines) expect(seen.has(l)).toBe(true);
    expect(Number(pdfinfo(path).Pages)).toBeGreaterThan(60);
    expect(ms).toBeLessThan(10_000);
  });

  test('an empty document renders a cover and an empty Signatures section', async () => {
    const path = savePdf(tmp.dir, 'empty.pdf', await renderMarkdownToPdf(parseMarkdown(fixture('empty.md')), { ...sopMeta, signatures: [] }));
    expect(qpdfCheck(path).ok).toBe(true);
    const text = pdftotext(path);
    expect(Number(pdfinfo(path).Pages)).toBe(2);
    expect(text).toContain('Signatures');
    expect(text).toContain('No electronic signatures have been applied to this document.');
    expect(pdfinfoMeta(path)).toContain('<pdfaid:part>1</pdfaid:part>');
  });

  test('raw HTML tables degrade to real tables; unknown tags stay visible; no markup leaks', async () => {
    const path = savePdf(tmp.dir, 'html.pdf', await renderMarkdownToPdf(parseMarkdown(fixture('html-tables.md')), sopMeta));
    const text = pdftotext(path);
    for (const s of ['Department', 'Quality Procedure', 'Quality Assurance', 'Operations', '"Engineering"', 'Sales and Marketing', 'Provide superior quality software that meets user requirements.', 'underlined words', '<named> placeholder']) expect(text).toContain(s);
    expect(text).not.toMatch(/<\/?(td|tr|th|table|div|strong|u)\b/);
  });

  test('watermark and signature page', async () => {
    const path = savePdf(tmp.dir, 'signed.pdf', await renderMarkdownToPdf(parseMarkdown('# Purpose\n\nText.\n'), {
      ...sopMeta, status: 'draft', watermark: 'DRAFT',
      signatures: [{ signerId: 'quinn', name: 'Quinn Approver', meaning: 'approved', time: '2026-10-08T12:00:00Z', subjectHash: 'e'.repeat(64), keyFingerprint: 'f'.repeat(64), comment: 'Approved for release', roles: ['approver'] }],
    }));
    // The watermark is drawn as outlines (an artifact): no letters of it in the text; the footer of every
    // page says DRAFT as text, so a search finds it.
    const pages = pdftotext(path).split('\f');
    expect(pages.length - 1).toBe(Number(pdfinfo(path).Pages));
    for (const p of pages.slice(0, -1)) {
      expect(p).toMatch(/^DRAFT +· +Uncontrolled when printed$/m);
      expect(p.split('\n').filter((l) => /^(D|DR|R|A|AF|F|T|FT)$/.test(l.trim()))).toEqual([]);
    }
    const last = squash(pages[pages.length - 2]!);
    for (const s of ['Quinn Approver (quinn)', 'Approved', '2026-10-08T12:00:00Z', 'e'.repeat(64), 'f'.repeat(64), 'Approved for release']) expect(last).toContain(squash(s));
  });

  test('US Letter', async () => {
    const path = savePdf(tmp.dir, 'letter.pdf', await renderMarkdownToPdf(parseMarkdown('# Purpose\n\nText.\n'), sopMeta, { pageSize: 'Letter' }));
    expect(pdfinfo(path)['Page size']).toContain('612 x 792');
  });

  test('a book: cover, contents listing each document, each document from a new page', async () => {
    const docs = ['SOP-0001', 'SOP-0002', 'SOP-0003'].map((id, i) => ({
      tree: parseMarkdown(`# Purpose\n\nProcedure ${id}.\n\n# Scope\n\n${'Text of the scope. '.repeat(30 * (i + 1))}\n`),
      meta: { ...sopMeta, documentId: id, title: `Procedure ${i + 1}` },
    }));
    const path = savePdf(tmp.dir, 'book.pdf', await renderBook(docs, { ...sopMeta, documentId: 'SOPS', title: 'sops: 3 controlled documents', revision: '—', status: 'compilation', kind: 'document' }));
    expect(qpdfCheck(path).ok).toBe(true);
    const pages = pdftotext(path).split('\f');
    expect(pages[1]).toContain('Contents');
    for (const d of docs) {
      expect(squash(pages[1]!)).toContain(squash(`${d.meta.documentId}  ${d.meta.title}`));
      const start = pages.findIndex((p) => p.includes(`Procedure ${d.meta.documentId}.`));
      expect(start).toBeGreaterThan(1);
      expect(squash(pages[start]!)).toContain(squash(`${d.meta.documentId}  ${d.meta.title}`));
      expect(squash(pages[start]!)).toContain(squash(`${d.meta.documentId}  ·  Rev 05`));
    }
  });

  test('meta.created that is not a date is refused with a clear message', async () => {
    await expect(renderMarkdownToPdf(parseMarkdown('x'), { ...sopMeta, created: 'yesterday' })).rejects.toThrow(/"created" must be an ISO date/);
  });
});

// CI has shared/ beside the clone; a git worktree one level deeper finds it one folder further up.
const CORPUS = [resolve(REPO, '..', 'shared', 'corpus'), resolve(REPO, '..', '..', 'shared', 'corpus')].find((p) => existsSync(p)) ?? resolve(REPO, '..', 'shared', 'corpus');
describe.skipIf(!existsSync(CORPUS))('every real QMS document of ../shared/corpus renders', () => {
  const files = existsSync(CORPUS) ? readdirSync(CORPUS).filter((f) => f.endsWith('.md')).sort() : [];
  test.each(files)('%s', async (file) => {
    const src = readFileSync(join(CORPUS, file), 'utf8');
    const body = src.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');
    const path = savePdf(tmp.dir, `${file}.pdf`, await renderMarkdownToPdf(parseMarkdown(body), { ...sopMeta, documentId: file.replace(/\.md$/, ''), title: file }));
    expect(qpdfCheck(path).ok).toBe(true);
    const text = squash(pdftotext(path));
    // The first and last words of the body are on the pages.
    const words = body.replace(/<[^>]+>|[*_`#>|\\[\]()-]/g, ' ').split(/\s+/).filter((w) => /^[A-Za-z]{4,}$/.test(w));
    expect(text).toContain(words[0]);
    expect(text).toContain(words[words.length - 1]);
  });
});
if (!existsSync(CORPUS)) console.log(`render corpus tests skipped: ${CORPUS} is absent`);

describe('records and images', () => {
  test('renderReportPdf: record furniture, dry-run watermark, signature page, report.json embedded byte for byte', async () => {
    const { renderReportPdf, recordSha256 } = await import('../src/report/pdf.js');
    const { renderReportMarkdown } = await import('../src/report/markdown.js');
    const json = fixture('record/report.json');
    const report = { ...JSON.parse(json), dryRun: true };
    const sigs = [{ signerId: 'eve', name: 'Eve Executor', meaning: 'executed' as const, time: '2026-10-08T10:00:00Z', subjectHash: recordSha256(report), keyFingerprint: '1f'.repeat(32), comment: null }];
    const md = renderReportMarkdown(report, { signatures: sigs });
    const bytes = await renderReportPdf(report, md, { signatures: sigs, recordBytes: Buffer.from(json) });
    const path = savePdf(tmp.dir, 'record.pdf', bytes);
    expect(qpdfCheck(path).ok).toBe(true);
    const raw = pdftotext(path, '-raw').split('\f').filter((p) => p.trim());
    for (const p of raw) expect(squash(p)).toContain('NOTAGxPRECORD');
    const text = pdftotext(path);
    // A dry run states that it is no record instead of a conclusion.
    expect(text.split('\f')[0]).toContain('NOT A GxP RECORD');
    expect(text).not.toContain('CONCLUSION');
    expect(text).toContain('Contents');
    const pages = text.split('\f');
    const sigPage = squash(pages[pages.length - 2]!);
    for (const s of ['Eve Executor (eve)', 'Executed', '2026-10-08T10:00:00Z', recordSha256(report), '1f'.repeat(32)]) expect(sigPage).toContain(squash(s));
    // The Markdown's own signature table is not repeated: the signature page shows it with the hash.
    expect(text.match(/^Signatures$/gm)?.length).toBe(1);
    const out = join(tmp.dir, 'record.json');
    execFileSync('pdfdetach', ['-save', '1', '-o', out, path]);
    expect(readFileSync(out, 'utf8')).toBe(json);
    expect(pdfinfoMeta(path)).toContain(`<qrec:recordSha256>${recordSha256(report)}</qrec:recordSha256>`);
  });

  test('evidence images are placed from the resolver; an unknown one becomes a visible placeholder', async () => {
    const { deflateSync } = await import('node:zlib');
    const crc = (buf: Buffer): number => {
      let c = ~0;
      for (const b of buf) {
        c ^= b;
        for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
      }
      return ~c >>> 0;
    };
    const chunk = (type: string, data: Buffer): Buffer => {
      const len = Buffer.alloc(4);
      len.writeUInt32BE(data.length);
      const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
      const c = Buffer.alloc(4);
      c.writeUInt32BE(crc(td));
      return Buffer.concat([len, td, c]);
    };
    const ihdr = Buffer.alloc(13);
    ihdr.writeUInt32BE(40, 0);
    ihdr.writeUInt32BE(20, 4);
    ihdr[8] = 8;
    ihdr[9] = 2;
    const rows = Buffer.concat(Array.from({ length: 20 }, (_, y) => Buffer.concat([Buffer.from([0]), Buffer.alloc(40 * 3, y * 12)])));
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
    const md = 'Before.\n\n![Health page after deployment](evidence/shot.png)\n\n![Lost screenshot](evidence/missing.png)\n';
    const path = savePdf(tmp.dir, 'image.pdf', await renderMarkdownToPdf(parseMarkdown(md), sopMeta, { images: (src) => (src === 'evidence/shot.png' ? png : null) }));
    expect(qpdfCheck(path).ok).toBe(true);
    const list = execFileSync('pdfimages', ['-list', path], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatch(/\s40\s+20\s+rgb/);
    const text = pdftotext(path);
    expect(text).toContain('Health page after deployment');
    expect(text).toContain('[image: Lost screenshot]');
  });
});
