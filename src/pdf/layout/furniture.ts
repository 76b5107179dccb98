// Document furniture: cover page with the document-control block, per-document control block (books),
// table of contents, signature section, running header and footer ("Page n of N"), watermarks.
import { measure } from '../fonts.js';
import type { PdfDocumentMeta } from '../types.js';
import type { SignatureManifestation } from '../../model/signature.js';
import { Layouter, BODY_SIZE, type HeadingEntry } from './blocks.js';
import { breakLines, type Span } from './inline.js';
import { ACCENT, FAIL, MUTED, PASS, RULE, TEXT, type Color, type Geometry, type Page } from './page.js';

export function kindLabel(kind: PdfDocumentMeta['kind']): string {
  return { report: 'Qualification Test Report', sop: 'Standard Operating Procedure', protocol: 'Qualification Protocol', document: 'Controlled Document' }[kind];
}

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);
const list = (v: string[] | undefined): string => (v && v.length ? v.join(', ') : '—');
const or = (v: string | null | undefined): string => (v ? v : '—');

function sp(text: string, opts: { bold?: boolean; mono?: boolean; size?: number; color?: Color } = {}): Span[] {
  return [{ text, style: opts.mono ? (opts.bold ? 'monoBold' : 'mono') : opts.bold ? 'bold' : 'regular', size: opts.size ?? 8.6, color: opts.color ?? TEXT }];
}

function kv(rows: Array<[string, string, { mono?: boolean; bold?: boolean; color?: Color }?]>): Span[][][] {
  return rows.map(([k, v, o]) => [sp(k, { bold: true }), sp(v, { mono: o?.mono, bold: o?.bold, color: o?.color, size: o?.mono ? 8 : 8.6 })]);
}

function sectionTitle(L: Layouter, text: string): void {
  L.gap(10);
  L.ensure(40);
  for (const l of breakLines(sp(text, { bold: true, size: 10.5, color: ACCENT }), L.width)) L.placeLine(l, L.geo.left, L.width);
  L.y += 3;
}

/** The rows of the document-control block. */
function controlRows(meta: PdfDocumentMeta): Array<[string, string, { mono?: boolean; bold?: boolean; color?: Color }?]> {
  const rows: Array<[string, string, { mono?: boolean; bold?: boolean; color?: Color }?]> = [];
  if (meta.kind === 'report') {
    rows.push(['Report ID', or(meta.reportId ?? meta.documentId), { bold: true }]);
    if (meta.protocol) {
      rows.push(['Protocol', `${meta.protocol.documentId}, revision ${meta.protocol.revision}`]);
      rows.push(['Protocol sha256', meta.protocol.sha256, { mono: true }]);
    }
    rows.push(['Title', meta.title]);
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

/** A full cover page. */
export function coverPage(L: Layouter, meta: PdfDocumentMeta, toolVersion: string): void {
  L.newPage(true);
  const x = L.geo.left;
  const w = L.width;
  L.y += 18;
  for (const l of breakLines(sp(kindLabel(meta.kind).toUpperCase(), { bold: true, size: 9.5, color: ACCENT }), w)) L.placeLine(l, x, w);
  L.y += 6;
  for (const l of breakLines(sp(meta.title || meta.documentId, { bold: true, size: 20, color: TEXT }), w, 1.2)) L.placeLine(l, x, w);
  L.y += 4;
  const sub = meta.kind === 'report' ? `${or(meta.reportId)}${meta.protocol ? `  ·  executed from ${meta.protocol.documentId} revision ${meta.protocol.revision}` : ''}` : `${meta.documentId}  ·  Revision ${meta.revision}  ·  ${cap(meta.status)}`;
  for (const l of breakLines(sp(sub, { size: 10.5, color: MUTED }), w)) L.placeLine(l, x, w);
  L.y += 8;
  L.page.items.push({ k: 'line', x1: x, y1: L.y, x2: x + w, y2: L.y, color: ACCENT, lw: 1.2 });
  L.y += 8;

  if (meta.kind === 'report' && meta.conclusion) {
    const pass = /^pass/i.test(meta.conclusion);
    const color = pass ? PASS : FAIL;
    const text = `CONCLUSION: ${meta.conclusion.toUpperCase()}`;
    const size = 13;
    const tw = measure(text, 'bold', size);
    L.page.items.push({ k: 'rect', x, y: L.y, w: tw + 24, h: 24, stroke: color, lw: 1.4 });
    L.page.items.push({ k: 'text', x: x + 12, y: L.y + 16.5, size, style: 'bold', text, color });
    L.y += 32;
  }

  sectionTitle(L, 'Document control');
  L.table({ rows: kv(controlRows(meta)), header: false, fractions: [0.27, 0.73], labelColumn: true }, x, w);

  if (meta.kind === 'report' && meta.subject) {
    sectionTitle(L, 'Subject of qualification');
    const imgs = meta.subject.images;
    if (imgs.length) {
      const rows: Span[][][] = [['Repository', 'Tag', 'Digest', 'Image ID'].map((h) => sp(h, { bold: true }))];
      for (const im of imgs) rows.push([sp(or(im.repository)), sp(or(im.tag)), sp(or(im.digest), { mono: true, size: 7.6 }), sp(im.imageId, { mono: true, size: 7.6 })]);
      L.table({ rows, header: true, fractions: [0.2, 0.1, 0.37, 0.33] }, x, w);
    } else {
      L.spans(sp('No running images were observed.', { color: MUTED }), x, w);
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
      : `Generated by qualify ${toolVersion} from the controlled Markdown source. The effective revision is the one held in the document repository; printed copies are uncontrolled. Electronic signatures are listed on the signature page.`;
  const lines = breakLines(sp(note, { size: 7.6, color: MUTED }), w);
  const h = lines.reduce((a, l) => a + l.h, 0);
  if (L.y + h + 10 <= L.geo.bottom) {
    L.y = L.geo.bottom - h;
    L.page.items.push({ k: 'line', x1: x, y1: L.y - 5, x2: x + w, y2: L.y - 5, color: RULE, lw: 0.5 });
    for (const l of lines) L.placeLine(l, x, w);
  }
}

/** The control block at the start of each document in a book. */
export function controlBlock(L: Layouter, meta: PdfDocumentMeta): void {
  const x = L.geo.left;
  const w = L.width;
  for (const l of breakLines(sp(kindLabel(meta.kind).toUpperCase(), { bold: true, size: 8, color: ACCENT }), w)) L.placeLine(l, x, w);
  for (const l of breakLines(sp(`${meta.documentId}  ${meta.title}`, { bold: true, size: 15, color: TEXT }), w, 1.2)) L.placeLine(l, x, w);
  L.y += 5;
  const rows = controlRows(meta).filter(([k]) => k !== 'Document ID' && k !== 'Title');
  const pairs: Span[][][] = [];
  for (let i = 0; i < rows.length; i += 2) {
    const a = rows[i]!;
    const b = rows[i + 1];
    pairs.push([sp(a[0], { bold: true }), sp(a[1], { mono: a[2]?.mono }), sp(b?.[0] ?? '', { bold: true }), sp(b?.[1] ?? '', { mono: b?.[2]?.mono })]);
  }
  L.table({ rows: pairs, header: false, fractions: [0.16, 0.34, 0.16, 0.34] }, x, w);
  L.y += 10;
}

const MEANING: Record<string, string> = { authored: 'Authored', executed: 'Executed', reviewed: 'Reviewed', approved: 'Approved' };

/** The "Signatures" section: one block per signature manifestation, or a statement that there is none. */
export function signatureSection(L: Layouter, meta: PdfDocumentMeta, startPage: boolean): void {
  const x = L.geo.left;
  const w = L.width;
  if (startPage) {
    if (!L.atTop) L.newPage();
  } else {
    L.gap(14);
    L.ensure(90);
  }
  L.heading(startPage ? 1 : 2, [{ type: 'text', value: 'Signatures' }], x, w);
  const sigs: SignatureManifestation[] = meta.signatures ?? [];
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
  sigs.forEach((s, i) => {
    const rows: Array<[string, string, { mono?: boolean; bold?: boolean; color?: Color }?]> = [
      ['Signed by', `${s.name} (${s.signerId})`, { bold: true }],
      ['Meaning', MEANING[s.meaning] ?? s.meaning],
      ['Date and time (UTC)', s.time],
      ['Signed sha256', s.subjectHash, { mono: true }],
      ['Key fingerprint', s.keyFingerprint, { mono: true }],
    ];
    if (s.roles?.length) rows.push(['Roles', s.roles.join(', ')]);
    if (s.comment) rows.push(['Comment', s.comment]);
    L.ensure(rows.length * 13 + 20);
    L.spans(sp(`Signature ${i + 1} of ${sigs.length}`, { bold: true, size: 8.6, color: ACCENT }), x, w);
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

/** Lays out the table of contents on its own pages. */
export function tocPages(geo: Geometry, meta: PdfDocumentMeta, entries: TocEntry[]): Page[] {
  const L = new Layouter(geo, meta);
  L.newPage();
  const x = geo.left;
  const w = L.width;
  L.heading(1, [{ type: 'text', value: 'Contents' }], x, w);
  L.headings.length = 0;
  const numW = 34;
  for (const e of entries) {
    const indent = (e.level - 1) * 14;
    const bold = e.level === 1;
    const size = bold ? 9.6 : 9.2;
    const spans = sp(e.text, { bold, size });
    const lines = breakLines(spans, w - indent - numW - 8, 1.4);
    if (bold) L.gap(2.5);
    const startPage = L.pages.length - 1;
    const startY = L.y;
    lines.forEach((l) => L.placeLine(l, x + indent, w - indent - numW));
    const last = lines[lines.length - 1]!;
    const base = L.y - last.h + last.base;
    const num = String(e.page + 1);
    const nw = measure(num, bold ? 'bold' : 'regular', size);
    // Dotted leader between the title and the page number.
    const from = x + indent + last.width + 4;
    const to = x + w - nw - 4;
    let dots = '';
    const dw = measure('.', 'regular', size) + measure(' ', 'regular', size);
    for (let k = Math.floor((to - from) / dw); k > 0; k--) dots += '. ';
    if (dots) L.page.items.push({ k: 'text', x: to - measure(dots.trimEnd(), 'regular', size), y: base, size, style: 'regular', text: dots.trimEnd(), color: RULE });
    L.page.items.push({ k: 'text', x: x + w - nw, y: base, size, style: bold ? 'bold' : 'regular', text: num, color: TEXT });
    const top = L.pages.length - 1 === startPage ? startY : geo.top;
    L.page.links.push({ x: x + indent, y: top, w: w - indent, h: L.y - top, dest: { page: e.page, y: e.y } });
  }
  return L.pages;
}

/** Adds running header, footer and watermark to every page. */
export function decorate(pages: Page[], geo: Geometry): void {
  const N = pages.length;
  const x = geo.left;
  const r = geo.right;
  pages.forEach((p, i) => {
    const m = p.meta;
    const items = p.items;
    const hy = geo.top - 24;
    const left = m.kind === 'report' ? `Report ${m.reportId ?? m.documentId}` : `${m.documentId}  ·  Rev ${m.revision}`;
    const lw = measure(left, 'bold', 7.8);
    const right = m.kind === 'report' ? (m.protocol ? `${m.protocol.documentId} rev ${m.protocol.revision}` : cap(m.status)) : cap(m.status);
    const rw = measure(right, 'regular', 7.8);
    items.push({ k: 'text', x, y: hy, size: 7.8, style: 'bold', text: left, color: ACCENT });
    items.push({ k: 'text', x: r - rw, y: hy, size: 7.8, style: 'regular', text: right, color: MUTED });
    const room = r - rw - 16 - (x + lw + 10);
    const title = ellipsize(m.title, room, 7.8);
    if (title) items.push({ k: 'text', x: x + lw + 10, y: hy, size: 7.8, style: 'regular', text: title, color: MUTED });
    items.push({ k: 'line', x1: x, y1: hy + 5, x2: r, y2: hy + 5, color: RULE, lw: 0.5 });

    const fy = geo.bottom + 30;
    items.push({ k: 'line', x1: x, y1: fy - 10, x2: r, y2: fy - 10, color: RULE, lw: 0.5 });
    const fl = m.recordHash ? `${m.kind === 'report' ? 'Record' : 'File'} sha256 ${m.recordHash.slice(0, 16)}` : m.effectiveDate ? `Effective ${m.effectiveDate}` : `Created ${m.created.slice(0, 10)}`;
    items.push({ k: 'text', x, y: fy, size: 7.4, style: 'regular', text: fl, color: MUTED });
    if (m.kind !== 'report') {
      const c = 'Uncontrolled when printed';
      items.push({ k: 'text', x: (x + r - measure(c, 'regular', 7.4)) / 2, y: fy, size: 7.4, style: 'regular', text: c, color: MUTED });
    }
    const pg = `Page ${i + 1} of ${N}`;
    items.push({ k: 'text', x: r - measure(pg, 'bold', 7.6), y: fy, size: 7.6, style: 'bold', text: pg, color: TEXT });

    if (m.watermark) {
      const size = Math.min(96, (0.8 * Math.hypot(geo.width, geo.height)) / measure(m.watermark, 'bold', 1));
      const tw = measure(m.watermark, 'bold', size);
      const a = Math.atan2(geo.height, geo.width);
      const cx = geo.width / 2 - (Math.cos(a) * tw) / 2 + (Math.sin(a) * size * 0.35);
      const cy = geo.height / 2 + (Math.sin(a) * tw) / 2 + (Math.cos(a) * size * 0.35);
      const color: Color = m.watermark === 'NOT A GxP RECORD' ? [0.97, 0.85, 0.85] : [0.9, 0.9, 0.92];
      items.unshift({ k: 'text', x: cx, y: cy, size, style: 'bold', text: m.watermark, color, rotate: (a * 180) / Math.PI });
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
