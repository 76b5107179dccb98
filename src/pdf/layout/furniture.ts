// Document furniture: cover page that says what the document is (a report: its own title, the record's
// conclusion, or NOT A GxP RECORD for a dry run; a book: its title and the documents it holds), the
// document-control block, per-document control block (books), table of contents, signature section,
// running header and footer ("Page n of N"), watermarks. Headers, footers and watermarks are artifacts:
// the watermark is drawn as outlines, so it shows on every page but is no text to extract.
import type { SignatureManifestation } from '../../model/signature.js';
import { measure } from '../text/shape.js';
import { textOutline } from '../text/outline.js';
import type { PdfDocumentMeta } from '../types.js';
import { Layouter, BODY_SIZE, TABLE_SIZE, structNode, type HeadingEntry } from './blocks.js';
import { breakLines, type Span } from './inline.js';
import { ACCENT, FAIL, MUTED, PASS, RULE, TEXT, type Color, type Geometry, type Page, type StructNode } from './page.js';

export function kindLabel(kind: PdfDocumentMeta['kind']): string {
  return { report: 'Qualification Test Report', sop: 'Standard Operating Procedure', protocol: 'Qualification Protocol', document: 'Controlled Document', book: 'Compilation' }[kind];
}

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const list = (v: string[] | undefined): string => (v && v.length ? v.join(', ') : '—');
const or = (v: string | null | undefined): string => (v ? v : '—');

function sp(text: string, opts: { bold?: boolean; mono?: boolean; size?: number; color?: Color } = {}): Span[] {
  return [{ text, style: opts.mono ? (opts.bold ? 'monoBold' : 'mono') : opts.bold ? 'bold' : 'regular', size: opts.size ?? 8.6, color: opts.color ?? TEXT }];
}

type Row = [string, string, { mono?: boolean; bold?: boolean; color?: Color }?];

/** Label/value rows as table cells, in the document's one table type size. */
function kv(rows: Row[]): Span[][][] {
  return rows.map(([k, v, o]) => [sp(k, { bold: true, size: TABLE_SIZE }), sp(v, { mono: o?.mono, bold: o?.bold, color: o?.color, size: o?.mono ? TABLE_SIZE * 0.92 : TABLE_SIZE })]);
}

/** Lines of text as one structure element (P, H1...). */
function lines(L: Layouter, type: string, spans: Span[], x: number, w: number, leading = 1.32): void {
  const n = L.open(type);
  for (const l of breakLines(spans, w, leading, { lang: L.lang })) L.placeLine(l, x, w);
  L.close(n);
}

function sectionTitle(L: Layouter, text: string): void {
  L.gap(10);
  L.ensure(40);
  lines(L, 'H2', sp(text, { bold: true, size: 10.5, color: ACCENT }), L.geo.left, L.width);
  L.y += 3;
}

/** The rows of the document-control block. */
function controlRows(meta: PdfDocumentMeta): Row[] {
  const rows: Row[] = [];
  if (meta.kind === 'report') {
    rows.push(['Report ID', or(meta.reportId ?? meta.documentId), { bold: true }]);
    if (meta.protocol) {
      rows.push(['Protocol', `${meta.protocol.documentId}, revision ${meta.protocol.revision}`]);
      rows.push(['Protocol sha256', meta.protocol.sha256, { mono: true }]);
    }
    rows.push(['Status', cap(meta.status)]);
    rows.push(['Executed by', list(meta.authors)]);
    if (meta.reviewers?.length) rows.push(['Reviewers', list(meta.reviewers)]);
    if (meta.approvers?.length) rows.push(['Approvers', list(meta.approvers)]);
    rows.push(['Record created (UTC)', meta.created]);
    if (meta.recordHash) rows.push(['Record sha256', meta.recordHash, { mono: true }]);
  } else {
    rows.push(['Document ID', meta.documentId, { bold: true }]);
    rows.push(['Title', meta.title]);
    rows.push(['Revision', meta.revision]);
    rows.push(['Status', cap(meta.status)]);
    rows.push(['Authors', list(meta.authors)]);
    rows.push(['Reviewers', list(meta.reviewers)]);
    rows.push(['Approvers', list(meta.approvers)]);
    rows.push(['Approval date', or(meta.approvalDate)]);
    rows.push(['Effective date', or(meta.effectiveDate)]);
    if (meta.recordHash) rows.push(['File sha256', meta.recordHash, { mono: true }]);
  }
  return rows;
}

/** A boxed statement on the cover: the conclusion, or that a dry run is no record. */
function coverBox(L: Layouter, text: string, color: Color, note?: string): void {
  const x = L.geo.left;
  const size = 13;
  const tw = measure(text, 'bold', size);
  const n = L.open('P');
  L.deco({ k: 'rect', x, y: L.y, w: tw + 24, h: 24, stroke: color, lw: 1.4 });
  L.content({ k: 'text', x: x + 12, y: L.y + 16.5, size, style: 'bold', text, color });
  L.close(n);
  L.y += 30;
  if (note) {
    lines(L, 'P', sp(note, { size: 8.6, color: MUTED }), x, L.width);
    L.y += 4;
  }
  L.y += 2;
}

/** A full cover page. */
export function coverPage(L: Layouter, meta: PdfDocumentMeta, toolVersion: string): void {
  L.newPage(true);
  const x = L.geo.left;
  const w = L.width;
  L.y += 18;
  lines(L, 'P', sp(kindLabel(meta.kind).toUpperCase(), { bold: true, size: 9.5, color: ACCENT }), x, w);
  L.y += 6;
  lines(L, 'H1', sp(meta.title || meta.documentId, { bold: true, size: 20, color: TEXT }), x, w, 1.2);
  L.y += 4;
  const sub =
    meta.subtitle ??
    (meta.kind === 'report'
      ? `${or(meta.reportId)}${meta.protocol ? `  ·  executed from ${meta.protocol.documentId} revision ${meta.protocol.revision}` : ''}`
      : meta.kind === 'book'
        ? `${meta.contents?.length ?? 0} document${meta.contents?.length === 1 ? '' : 's'}  ·  compiled ${meta.created.slice(0, 10)}`
        : `${meta.documentId}  ·  Revision ${meta.revision}  ·  ${cap(meta.status)}`);
  lines(L, 'P', sp(sub, { size: 10.5, color: MUTED }), x, w);
  L.y += 8;
  L.deco({ k: 'line', x1: x, y1: L.y, x2: x + w, y2: L.y, color: ACCENT, lw: 1.2 });
  L.y += 8;

  if (meta.kind === 'report' && meta.watermark === 'NOT A GxP RECORD') {
    coverBox(L, 'NOT A GxP RECORD', FAIL, 'A dry run: the protocol was executed without approval or outside its controls. Its results are shown for review only; they qualify nothing and state no conclusion.');
  } else if (meta.kind === 'report' && meta.conclusion) {
    const pass = /^(pass|qualified)/i.test(meta.conclusion);
    coverBox(L, `CONCLUSION: ${meta.conclusion.toUpperCase()}`, pass ? PASS : FAIL);
  }

  if (meta.kind === 'book') {
    sectionTitle(L, 'Documents in this compilation');
    const rows: Span[][][] = [['Document', 'Title', 'Revision', 'Status'].map((h) => sp(h, { bold: true, size: TABLE_SIZE }))];
    for (const d of meta.contents ?? []) rows.push([sp(d.documentId, { size: TABLE_SIZE }), sp(d.title, { size: TABLE_SIZE }), sp(d.revision, { size: TABLE_SIZE }), sp(cap(d.status), { size: TABLE_SIZE })]);
    L.table({ rows, header: true }, x, w);
  } else {
    sectionTitle(L, 'Document control');
    L.table({ rows: kv(controlRows(meta)), header: false, fractions: [0.27, 0.73], labelColumn: true }, x, w);
  }

  if (meta.kind === 'report' && meta.subject) {
    sectionTitle(L, 'Subject of qualification');
    const imgs = meta.subject.images;
    if (imgs.length) {
      const rows: Span[][][] = [['Repository', 'Tag', 'Digest', 'Image ID'].map((h) => sp(h, { bold: true, size: TABLE_SIZE }))];
      const mono = TABLE_SIZE * 0.92;
      for (const im of imgs) rows.push([sp(or(im.repository), { size: TABLE_SIZE }), sp(or(im.tag), { size: TABLE_SIZE }), sp(or(im.digest), { mono: true, size: mono }), sp(im.imageId, { mono: true, size: mono })]);
      L.table({ rows, header: true, fractions: [0.2, 0.1, 0.37, 0.33] }, x, w);
    } else {
      lines(L, 'P', sp('No running images were observed.', { color: MUTED }), x, w);
    }
    const app = meta.subject.application;
    if (app) {
      L.y += 6;
      L.table({ rows: kv([['Application repository', app.repo], ['Commit', or(app.commit), { mono: true }], ['Tag', or(app.tag)]]), header: false, fractions: [0.27, 0.73], labelColumn: true }, x, w);
    }
  }

  // Fine print at the foot of the cover.
  const note =
    meta.kind === 'report'
      ? `Generated by qualify ${toolVersion} from the record report.json, which is embedded in this PDF as an attached file. The record sha256 above identifies it; "qualify verify" recomputes it. Electronic signatures are listed on the signature page.`
      : meta.kind === 'book'
        ? `Compiled by qualify ${toolVersion}. Each document starts on a new page with its own control block and signatures; the effective revision of each is the one held in the document repository; printed copies are uncontrolled.`
        : `Generated by qualify ${toolVersion} from the controlled Markdown source. The effective revision is the one held in the document repository; printed copies are uncontrolled. Electronic signatures are listed on the signature page.`;
  const foot = breakLines(sp(note, { size: 7.6, color: MUTED }), w, 1.32, { lang: L.lang });
  const h = foot.reduce((a, l) => a + l.h, 0);
  if (L.y + h + 10 <= L.geo.bottom) {
    L.y = L.geo.bottom - h;
    L.deco({ k: 'line', x1: x, y1: L.y - 5, x2: x + w, y2: L.y - 5, color: RULE, lw: 0.5 });
    const n = L.open('P');
    for (const l of foot) L.placeLine(l, x, w);
    L.close(n);
  }
}

/** The control block at the start of each document in a book. */
export function controlBlock(L: Layouter, meta: PdfDocumentMeta): void {
  const x = L.geo.left;
  const w = L.width;
  lines(L, 'P', sp(kindLabel(meta.kind).toUpperCase(), { bold: true, size: 8, color: ACCENT }), x, w);
  const title = meta.kind === 'report' ? meta.title : `${meta.documentId}  ${meta.title}`;
  lines(L, 'H1', sp(title, { bold: true, size: 15, color: TEXT }), x, w, 1.2);
  L.y += 5;
  const rows = controlRows(meta).filter(([k]) => k !== 'Document ID' && k !== 'Title');
  const pairs: Span[][][] = [];
  const s = TABLE_SIZE;
  for (let i = 0; i < rows.length; i += 2) {
    const a = rows[i]!;
    const b = rows[i + 1];
    pairs.push([sp(a[0], { bold: true, size: s }), sp(a[1], { mono: a[2]?.mono, size: a[2]?.mono ? s * 0.92 : s }), sp(b?.[0] ?? '', { bold: true, size: s }), sp(b?.[1] ?? '', { mono: b?.[2]?.mono, size: b?.[2]?.mono ? s * 0.92 : s })]);
  }
  L.table({ rows: pairs, header: false, fractions: [0.16, 0.34, 0.16, 0.34] }, x, w);
  L.y += 10;
}

const MEANING: Record<string, string> = { authored: 'Authored', executed: 'Executed', reviewed: 'Reviewed', approved: 'Approved' };

/** The "Signatures" section: one block per signature manifestation, or a statement that there is none. */
export function signatureSection(L: Layouter, meta: PdfDocumentMeta, startPage: boolean): void {
  const x = L.geo.left;
  const w = L.width;
  const sigs: SignatureManifestation[] = meta.signatures ?? [];
  if (startPage) {
    if (!L.atTop) L.newPage();
  } else {
    L.gap(14);
  }
  L.heading(startPage ? 1 : 2, [{ type: 'text', value: 'Signatures' }], x, w, sigs.length ? 120 : 60);
  const what = meta.kind === 'report' ? 'record' : 'document';
  if (!sigs.length) {
    L.paragraph([{ type: 'text', value: `No electronic signatures have been applied to this ${what}.` }], x, w, 4);
    L.paragraph(
      [{ type: 'text', value: 'Electronic signatures applied with "qualify sign" are listed here, each with the signer\'s printed name and identifier, the meaning of the signature, the date and time (UTC), the sha256 of what was signed and the fingerprint of the signing key.' }],
      x, w, 4, BODY_SIZE - 1.2, MUTED,
    );
    return;
  }
  L.paragraph([{ type: 'text', value: `The following electronic signatures apply to this ${what}. Each signature covers the sha256 shown; "qualify verify" checks it against the record and the signer registry.` }], x, w, 6);
  if (meta.kind === 'report') {
    // The pages are typeset once, at the first signature; every later signature (review, deviation
    // dispositions, approval) is an incremental PDF signature that cannot change them (issue 12 item 7).
    L.paragraph(
      [{ type: 'text', value: 'These pages were typeset when the first signature was applied. Each later signature (review, deviation disposition, approval) is added to this PDF as a further PDF signature, shown in a box on this page and in the PDF viewer\'s signature panel, with its signature envelope attached; "qualify verify report.pdf" lists every signature.' }],
      x, w, 6, BODY_SIZE - 1.2, MUTED,
    );
  }
  sigs.forEach((s, i) => {
    const rows: Row[] = [
      ['Signed by', `${s.name} (${s.signerId})`, { bold: true }],
      ['Meaning', MEANING[s.meaning] ?? s.meaning],
      ['Date and time (UTC)', s.time],
      ['Signed sha256', s.subjectHash, { mono: true }],
      ['Key fingerprint', s.keyFingerprint, { mono: true }],
    ];
    if (s.roles?.length) rows.push(['Roles', s.roles.join(', ')]);
    if (s.comment) rows.push(['Comment', s.comment]);
    L.ensure(rows.length * 14 + 24);
    lines(L, 'H3', sp(`Signature ${i + 1}`, { bold: true, size: 8.6, color: ACCENT }), x, w);
    L.y += 2;
    L.table({ rows: kv(rows), header: false, fractions: [0.27, 0.73], labelColumn: true }, x, w);
    L.y += 10;
  });
}

export interface TocEntry {
  level: number;
  text: string;
  /** Final page index (0-based). */
  page: number;
  y: number;
}

/** Lays out the table of contents on its own pages, under a TOC element (one TOCI per entry). */
export function tocPages(geo: Geometry, meta: PdfDocumentMeta, entries: TocEntry[], top: StructNode, lang = 'en'): Page[] {
  top.kids.length = 0;
  const L = new Layouter(geo, meta, { lang }, top);
  L.newPage();
  const x = geo.left;
  const w = L.width;
  L.heading(1, [{ type: 'text', value: 'Contents' }], x, w);
  L.headings.length = 0;
  const toc = L.open('TOC');
  const numW = 34;
  for (const e of entries) {
    const indent = (e.level - 1) * 14;
    const bold = e.level === 1;
    const size = bold ? 9.6 : 9.2;
    const spans = sp(e.text, { bold, size });
    const broken = breakLines(spans, w - indent - numW - 8, 1.4, { lang });
    if (bold) L.gap(2.5);
    L.ensure(broken[0]!.h);
    const startPage = L.pages.length - 1;
    const startY = L.y;
    const item = L.open('TOCI');
    broken.forEach((l) => L.placeLine(l, x + indent, w - indent - numW));
    const last = broken[broken.length - 1]!;
    const base = L.y - last.h + last.base;
    const num = String(e.page + 1);
    const nw = measure(num, bold ? 'bold' : 'regular', size);
    // Dotted leader between the title and the page number.
    const from = x + indent + last.width + 4;
    const to = x + w - nw - 4;
    let dots = '';
    const dw = measure('.', 'regular', size) + measure(' ', 'regular', size);
    for (let k = Math.floor((to - from) / dw); k > 0; k--) dots += '. ';
    if (dots) L.deco({ k: 'text', x: to - measure(dots.trimEnd(), 'regular', size), y: base, size, style: 'regular', text: dots.trimEnd(), color: RULE });
    L.content({ k: 'text', x: x + w - nw, y: base, size, style: bold ? 'bold' : 'regular', text: num, color: TEXT });
    L.close(item);
    const top0 = L.pages.length - 1 === startPage ? startY : geo.top;
    L.page.links.push({ x: x + indent, y: top0, w: w - indent, h: L.y - top0, dest: { page: e.page, y: e.y }, text: `${e.text}, page ${num}`, node: item });
  }
  L.close(toc);
  return L.pages;
}

/** Adds running header, footer and watermark to every page, all as artifacts. */
export function decorate(pages: Page[], geo: Geometry): void {
  const N = pages.length;
  const x = geo.left;
  const r = geo.right;
  pages.forEach((p, i) => {
    const m = p.meta;
    const items = p.items;
    const hy = geo.top - 24;
    const left = m.kind === 'report' ? `Report ${m.reportId ?? m.documentId}` : m.kind === 'book' ? m.title : `${m.documentId}  ·  Rev ${m.revision}`;
    const lw = measure(left, 'bold', 7.8);
    const right = m.kind === 'report' ? (m.protocol ? `${m.protocol.documentId} rev ${m.protocol.revision}` : cap(m.status)) : m.kind === 'book' ? '' : cap(m.status);
    const rw = measure(right, 'regular', 7.8);
    items.push({ k: 'text', x, y: hy, size: 7.8, style: 'bold', text: left, color: ACCENT, artifact: 'Header' });
    if (right) items.push({ k: 'text', x: r - rw, y: hy, size: 7.8, style: 'regular', text: right, color: MUTED, artifact: 'Header' });
    const room = r - rw - 16 - (x + lw + 10);
    const title = m.kind === 'book' ? '' : ellipsize(m.kind === 'report' && m.protocol ? `${m.protocol.documentId} ${m.protocol.title ?? ''}`.trim() : m.title, room, 7.8);
    if (title) items.push({ k: 'text', x: x + lw + 10, y: hy, size: 7.8, style: 'regular', text: title, color: MUTED, artifact: 'Header' });
    items.push({ k: 'line', x1: x, y1: hy + 5, x2: r, y2: hy + 5, color: RULE, lw: 0.5, artifact: 'Header' });

    const fy = geo.bottom + 30;
    items.push({ k: 'line', x1: x, y1: fy - 10, x2: r, y2: fy - 10, color: RULE, lw: 0.5, artifact: 'Footer' });
    const fl = m.recordHash ? `${m.kind === 'report' ? 'Record' : 'File'} sha256 ${m.recordHash.slice(0, 16)}` : m.effectiveDate ? `Effective ${m.effectiveDate}` : `Created ${m.created.slice(0, 10)}`;
    items.push({ k: 'text', x, y: fy, size: 7.4, style: 'regular', text: fl, color: MUTED, artifact: 'Footer' });
    // The watermark's word is also said in the footer, as text: a search for DRAFT finds every page.
    const c = [m.watermark, m.kind !== 'report' ? 'Uncontrolled when printed' : null].filter(Boolean).join('  ·  ');
    if (c) items.push({ k: 'text', x: (x + r - measure(c, m.watermark ? 'bold' : 'regular', 7.4)) / 2, y: fy, size: 7.4, style: m.watermark ? 'bold' : 'regular', text: c, color: m.watermark === 'NOT A GxP RECORD' ? FAIL : MUTED, artifact: 'Footer' });
    const pg = `Page ${i + 1} of ${N}`;
    items.push({ k: 'text', x: r - measure(pg, 'bold', 7.6), y: fy, size: 7.6, style: 'bold', text: pg, color: TEXT, artifact: 'Footer' });

    if (m.watermark) {
      const size = Math.min(96, (0.8 * Math.hypot(geo.width, geo.height)) / measure(m.watermark, 'bold', 1));
      const tw = measure(m.watermark, 'bold', size);
      const a = Math.atan2(geo.height, geo.width);
      // Baseline start in PDF space (y up), so that the word's middle sits at the page's centre.
      const cx = geo.width / 2 - (Math.cos(a) * tw) / 2 + Math.sin(a) * size * 0.35;
      const cy = geo.height / 2 - (Math.sin(a) * tw) / 2 - Math.cos(a) * size * 0.35;
      const color: Color = m.watermark === 'NOT A GxP RECORD' ? [0.97, 0.85, 0.85] : [0.9, 0.9, 0.92];
      items.unshift({ k: 'path', ops: textOutline(m.watermark, 'bold', size, cx, cy, (a * 180) / Math.PI), fill: color, artifact: 'Watermark' });
    }
  });
}

function ellipsize(text: string, room: number, size: number): string {
  if (room <= 20) return '';
  if (measure(text, 'regular', size) <= room) return text;
  let t = text;
  while (t.length > 1 && measure(`${t}…`, 'regular', size) > room) t = t.slice(0, -1);
  return `${t.trimEnd()}…`;
}

/** TOC entries from headings (the top two levels present). */
export function tocEntries(headings: HeadingEntry[], offset: number): TocEntry[] {
  if (!headings.length) return [];
  const min = Math.min(...headings.map((h) => h.level));
  return headings.filter((h) => h.level <= min + 1).map((h) => ({ level: h.level - min + 1, text: h.text, page: h.page + offset, y: h.y }));
}

export { structNode };
