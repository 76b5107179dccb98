// Block layout of mdast with pagination: headings (keep with next), paragraphs (no orphans), lists,
// quotes, GFM tables (content-sized columns, header repeated, rows split only between lines), code
// blocks (wrapping, page breaks inside), images, thematic breaks, footnotes and degraded raw HTML.
import type { AlignType, BlockContent, Code, Definition, DefinitionContent, FootnoteDefinition, List, Nodes, PhrasingContent, Root, RootContent, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { measure, type FontStyle } from '../fonts.js';
import type { PdfDocumentMeta } from '../types.js';
import type { HtmlBlocks } from './html.js';
import { breakLines, measureSpans, toSpans, type Line, type Span } from './inline.js';
import { readImage } from './images.js';
import { ACCENT, FILL_CODE, FILL_HEAD, MUTED, RULE, TEXT, type Color, type Geometry, type Page } from './page.js';

type Align = AlignType | undefined;

export const BODY_SIZE = 9.8;
const TABLE_SIZE = 8.4;
const CODE_SIZE = 7.5;
const CODE_LEADING = 9.3;
const HEADING_SIZES = [0, 15.5, 13, 11.2, 10.4, 10, 10];

export interface HeadingEntry {
  level: number;
  text: string;
  page: number;
  y: number;
  /** Index of the document in a book (0 for a single document). */
  doc: number;
}

/** A code block as typeset: what it printed and under which label (check blocks are what QA approves). */
export interface TypesetCode {
  lang: string | null;
  value: string;
  /** `check` or `case` for a root-level block the runner reads, null for any other code block. */
  label: 'check' | 'case' | null;
}

export interface LayoutOptions {
  numberHeadings?: boolean;
  images?: (src: string) => Uint8Array | null;
  /** Converts a raw HTML block to mdast (loaded only for documents that have one). */
  html?: HtmlBlocks;
}

export interface TableSpec {
  rows: Span[][][];
  header: boolean;
  align?: Align[] | null;
  /** Fixed column widths as fractions of the table width. */
  fractions?: number[];
  /** Shade the first column (label/value tables). */
  labelColumn?: boolean;
  size?: number;
}

interface Ctx {
  tight: boolean;
  listDepth: number;
  /** Children of the document's root: only there is a `check`/`case` code block executable. */
  root: boolean;
}

type Flow = RootContent | BlockContent | DefinitionContent;

export class Layouter {
  readonly pages: Page[] = [];
  page!: Page;
  y = 0;
  readonly headings: HeadingEntry[] = [];
  /** Every code block typeset, in order (the protocol's check blocks among them). */
  readonly typesetCode: TypesetCode[] = [];
  meta: PdfDocumentMeta;
  docIndex = 0;
  private counters: number[] = [0, 0, 0, 0, 0, 0, 0];
  private minDepth = 1;
  private marker: { text: string; x: number; style: FontStyle; size: number; color: Color } | null = null;
  private definitions = new Map<string, Definition>();
  private readonly definition = (id: string): Definition | undefined => this.definitions.get(id);

  constructor(
    readonly geo: Geometry,
    meta: PdfDocumentMeta,
    readonly opts: LayoutOptions = {},
  ) {
    this.meta = meta;
  }

  get width(): number {
    return this.geo.right - this.geo.left;
  }

  newPage(cover = false): void {
    this.page = { items: [], links: [], meta: this.meta, cover };
    this.pages.push(this.page);
    this.y = this.geo.top;
  }

  get atTop(): boolean {
    return this.y <= this.geo.top + 0.01;
  }

  gap(h: number): void {
    if (!this.atTop) this.y += h;
  }

  fits(h: number): boolean {
    return this.y + h <= this.geo.bottom + 0.01;
  }

  /** Starts a new page unless `h` points still fit (or the page is empty anyway). */
  ensure(h: number): void {
    if (!this.fits(h) && !this.atTop) this.newPage();
  }

  // ---- documents -------------------------------------------------------------------------

  /** Lays out a whole document: the mdast root of its body (front matter removed). */
  document(tree: Root): void {
    let min = 6;
    for (const b of tree.children) if (b.type === 'heading' && b.depth < min) min = b.depth;
    this.minDepth = min;
    this.counters = [0, 0, 0, 0, 0, 0, 0];
    this.definitions = new Map();
    collectDefinitions(tree.children, this.definitions);
    this.blocks(tree.children, this.geo.left, this.width, { tight: false, listDepth: 0, root: true });
  }

  blocks(list: readonly Flow[], x: number, w: number, ctx: Ctx): void {
    for (const b of list) this.block(b, x, w, ctx);
  }

  block(b: Flow, x: number, w: number, ctx: Ctx): void {
    const inner: Ctx = ctx.root ? { ...ctx, root: false } : ctx;
    switch (b.type) {
      case 'heading':
        return this.heading(b.depth, b.children, x, w);
      case 'paragraph':
        return this.paragraph(b.children, x, w, ctx.tight ? 2 : 6.5);
      case 'code':
        return this.code(b, ctx.root, x, w);
      case 'blockquote':
        return this.quote(b.children, x, w, inner);
      case 'list':
        return this.list(b, x, w, inner);
      case 'table':
        return this.mdTable(b, x, w);
      case 'thematicBreak':
        this.gap(4);
        this.ensure(10);
        this.page.items.push({ k: 'line', x1: x, y1: this.y + 4, x2: x + w, y2: this.y + 4, color: RULE, lw: 0.6 });
        this.y += 12;
        return;
      case 'html':
        // Raw HTML is not rendered as HTML: its readable content is (comments, scripts and styles are not).
        if (this.opts.html) this.blocks(this.opts.html(b.value), x, w, inner);
        return;
      case 'footnoteDefinition':
        return this.footnote(b, x, w, inner);
      default:
        // definition, yaml, toml and other non-printing nodes.
        return;
    }
  }

  // ---- headings ----------------------------------------------------------------------------

  heading(depth: number, children: readonly PhrasingContent[], x: number, w: number): void {
    const size = HEADING_SIZES[depth] ?? BODY_SIZE;
    let nodes: readonly PhrasingContent[] = children;
    if (this.opts.numberHeadings) {
      const level = Math.max(1, depth - this.minDepth + 1);
      this.counters[level] = (this.counters[level] ?? 0) + 1;
      for (let k = level + 1; k < this.counters.length; k++) this.counters[k] = 0;
      const num = this.counters.slice(1, level + 1).map((c) => String(c || 1)).join('.');
      nodes = [{ type: 'text', value: `${num}  ` }, ...children];
    }
    const spans = toSpans(nodes, { style: depth >= 5 ? 'boldItalic' : 'bold', size, color: depth <= 2 ? ACCENT : TEXT }, this.definition);
    const lines = breakLines(spans, w, 1.25);
    const h = lines.reduce((a, l) => a + l.h, 0);
    this.gap(depth <= 1 ? 12 : depth === 2 ? 10 : 7);
    // Keep with the next few lines.
    this.ensure(h + 42);
    const top = this.y;
    this.headings.push({ level: depth, text: plainText(nodes), page: this.pages.length - 1, y: top, doc: this.docIndex });
    for (const l of lines) this.placeLine(l, x, w);
    if (depth <= 1) {
      this.page.items.push({ k: 'line', x1: x, y1: this.y + 1.5, x2: x + w, y2: this.y + 1.5, color: ACCENT, lw: 0.8 });
      this.y += 4;
    }
    this.y += depth <= 2 ? 5 : 3.5;
  }

  // ---- paragraphs --------------------------------------------------------------------------

  paragraph(children: readonly PhrasingContent[], x: number, w: number, after: number, size = BODY_SIZE, color: Color = TEXT, style: FontStyle = 'regular'): void {
    const spans = toSpans(children, { style, size, color }, this.definition);
    // Images become blocks of their own; the text around them stays in order.
    let run: Span[] = [];
    const flushText = (): void => {
      if (run.length) this.spans(run, x, w);
      run = [];
    };
    for (const s of spans) {
      const bytes = s.image && this.opts.images ? this.opts.images(s.image.url) : null;
      const img = bytes ? readImage(bytes) : null;
      if (img && s.image) {
        flushText();
        this.image(img, s.image.alt, x, w);
      } else run.push(s);
    }
    flushText();
    this.y += after;
  }

  /** Places wrapped spans; avoids leaving a single line of a longer paragraph at the bottom of a page. */
  spans(spans: Span[], x: number, w: number, align: Align = null): void {
    const trimmed = trimSpans(spans);
    if (!trimmed.length) return;
    const lines = breakLines(trimmed, w);
    if (lines.length > 1 && !this.fits(lines[0]!.h + lines[1]!.h)) this.ensure(lines[0]!.h * 2);
    for (const l of lines) this.placeLine(l, x, w, align);
  }

  placeLine(line: Line, x: number, w: number, align: Align = null): void {
    if (!this.fits(line.h)) this.newPage();
    const base = this.y + line.base;
    const dx = align === 'right' ? w - line.width : align === 'center' ? (w - line.width) / 2 : 0;
    this.emitMarker(base);
    for (const f of line.frags) {
      const fx = x + dx + f.x;
      const s = f.span;
      if (f.text.trim() !== '') this.page.items.push({ k: 'text', x: fx, y: base, size: s.size, style: s.style, text: f.text, color: s.color });
      if (s.underline || s.link) {
        if (s.underline) this.page.items.push({ k: 'line', x1: fx, y1: base + 1.3, x2: fx + f.w, y2: base + 1.3, color: s.color, lw: 0.5 });
      }
      if (s.strike) this.page.items.push({ k: 'line', x1: fx, y1: base - s.size * 0.3, x2: fx + f.w, y2: base - s.size * 0.3, color: s.color, lw: 0.5 });
      if (s.link) this.page.links.push(linkBox(s.link, fx, this.y, f.w, line.h));
    }
    this.y += line.h;
  }

  /** Draws a pending list marker on the baseline of the next line placed. */
  private emitMarker(base: number): void {
    if (!this.marker) return;
    const m = this.marker;
    this.marker = null;
    this.page.items.push({ k: 'text', x: m.x, y: base, size: m.size, style: m.style, text: m.text, color: m.color });
  }

  // ---- lists and quotes --------------------------------------------------------------------

  list(b: List, x: number, w: number, ctx: Ctx): void {
    const depth = ctx.listDepth;
    const start = b.start ?? 1;
    const markers = b.children.map((it, k) => {
      if (typeof it.checked === 'boolean') return it.checked ? '☒' : '☐';
      if (b.ordered) return `${start + k}.`;
      return ['•', '◦', '▪'][depth % 3]!;
    });
    // Loose as in CommonMark (and mdast-util-to-hast): blank lines between items or inside any item.
    const tight = !(b.spread || b.children.some((item) => item.spread));
    const widest = Math.max(...markers.map((m) => measure(m, 'regular', BODY_SIZE)));
    const indent = Math.max(14, widest + 6);
    if (depth === 0) this.gap(1);
    b.children.forEach((item, k) => {
      this.ensure(BODY_SIZE * 2.8);
      this.marker = { text: markers[k]!, x: x + indent - 5 - measure(markers[k]!, 'regular', BODY_SIZE), style: 'regular', size: BODY_SIZE, color: TEXT };
      if (!item.children.length) this.placeLine(breakLines([{ text: ' ', style: 'regular', size: BODY_SIZE, color: TEXT }], w)[0]!, x, w);
      this.blocks(item.children, x + indent, w - indent, { ...ctx, tight, listDepth: depth + 1 });
      this.marker = null;
    });
    if (tight) this.y += depth === 0 ? 5 : 0;
  }

  quote(children: readonly Flow[], x: number, w: number, ctx: Ctx): void {
    const startPage = this.pages.length - 1;
    this.gap(1);
    const startY = this.y;
    this.blocks(children, x + 12, w - 12, ctx);
    const endPage = this.pages.length - 1;
    for (let p = startPage; p <= endPage; p++) {
      const y1 = p === startPage ? startY : this.geo.top;
      const y2 = p === endPage ? this.y - 4 : this.geo.bottom;
      if (y2 > y1) this.pages[p]!.items.push({ k: 'rect', x: x + 2, y: y1, w: 2.2, h: y2 - y1, fill: RULE });
    }
    this.y += 2;
  }

  footnote(b: FootnoteDefinition, x: number, w: number, ctx: Ctx): void {
    const [first, ...rest] = b.children;
    const label: PhrasingContent = { type: 'text', value: `[${b.label ?? b.identifier}] ` };
    const small = BODY_SIZE - 1.4;
    if (first && first.type === 'paragraph') {
      this.paragraph([label, ...first.children], x, w, 3, small);
      this.blocks(rest, x + 12, w - 12, ctx);
    } else {
      this.paragraph([label], x, w, 3, small);
      this.blocks(b.children, x + 12, w - 12, ctx);
    }
  }

  // ---- code ---------------------------------------------------------------------------------

  code(node: Code, root: boolean, x: number, w: number): void {
    const { value } = node;
    const lang = node.lang ?? null;
    // The runner reads root-level `check`/`case` blocks only; a nested one is printed as plain code.
    const kind = root && (lang === 'check' || lang === 'case') ? lang : null;
    this.typesetCode.push({ lang, value, label: kind });
    // A nested one says so: an approver must not take it for a step that runs.
    const nested = !kind && (lang === 'check' || lang === 'case');
    const label = kind === 'check' ? 'CHECK · executable step' : kind === 'case' ? 'TEST CASE · attributes' : nested ? `${lang} block not at the top level · not executed` : null;
    const labelColor = nested ? MUTED : ACCENT;
    const padX = 5;
    const padY = 4;
    const inner = w - 2 * padX - 4;
    const visual: Array<{ text: string; cont: boolean }> = [];
    for (const src of value.replace(/\r/g, '').split('\n')) {
      if (measure(src, 'mono', CODE_SIZE) <= inner) {
        visual.push({ text: src, cont: false });
        continue;
      }
      let cur = '';
      let curW = 0;
      let cont = false;
      for (const ch of src) {
        const cw = measure(ch, 'mono', CODE_SIZE);
        if (curW + cw > inner && cur) {
          visual.push({ text: cur, cont });
          cont = true;
          cur = '';
          curW = 0;
        }
        cur += ch;
        curW += cw;
      }
      visual.push({ text: cur, cont });
    }
    this.gap(2);
    const labelH = label ? 11 : 0;
    this.ensure(labelH + 2 * padY + CODE_LEADING * Math.min(visual.length, 3));
    if (label) {
      this.page.items.push({ k: 'text', x, y: this.y + 8, size: 7, style: 'bold', text: label, color: labelColor });
      this.y += labelH;
    }
    let i = 0;
    while (i < visual.length) {
      if (!this.fits(2 * padY + CODE_LEADING)) this.newPage();
      const at = this.page.items.length;
      const top = this.y;
      this.y += padY;
      while (i < visual.length && this.fits(CODE_LEADING + padY)) {
        const v = visual[i]!;
        const base = this.y + CODE_SIZE * 0.95;
        if (v.text.trim() !== '') this.page.items.push({ k: 'text', x: x + padX + 4, y: base, size: CODE_SIZE, style: 'mono', text: v.text, color: TEXT });
        if (v.cont) {
          this.page.items.push({ k: 'line', x1: x + padX, y1: base - 5, x2: x + padX, y2: base - 2, color: MUTED, lw: 0.5 });
          this.page.items.push({ k: 'line', x1: x + padX, y1: base - 2, x2: x + padX + 2.5, y2: base - 2, color: MUTED, lw: 0.5 });
        }
        this.y += CODE_LEADING;
        i++;
      }
      this.y += padY;
      this.page.items.splice(at, 0, { k: 'rect', x, y: top, w, h: this.y - top, fill: FILL_CODE, stroke: RULE, lw: 0.4 });
    }
    this.y += 7;
  }

  // ---- images -------------------------------------------------------------------------------

  image(img: NonNullable<ReturnType<typeof readImage>>, alt: string, x: number, w: number): void {
    // Pixels at 96 dpi, scaled down to the column and to 60% of the body height.
    let iw = img.width * 0.75;
    let ih = img.height * 0.75;
    const maxH = (this.geo.bottom - this.geo.top) * 0.6;
    const k = Math.min(1, w / iw, maxH / ih);
    iw *= k;
    ih *= k;
    this.gap(3);
    this.ensure(ih + (alt ? 14 : 0));
    this.page.items.push({ k: 'image', x: x + (w - iw) / 2, y: this.y, w: iw, h: ih, image: img });
    this.y += ih + 3;
    if (alt) {
      const lines = breakLines([{ text: alt, style: 'italic', size: BODY_SIZE - 1.5, color: MUTED }], w);
      for (const l of lines) this.placeLine(l, x, w, 'center');
    }
    this.y += 4;
  }

  // ---- tables -------------------------------------------------------------------------------

  /** A GFM table; a header row of empty cells (HTML tables without one) is left out. */
  mdTable(b: Table, x: number, w: number): void {
    const [head, ...body] = b.children;
    const header = Boolean(head && head.children.some((c) => c.children.length > 0));
    const rowsIn = header || !head ? b.children : body;
    const rows = rowsIn.map((row, r) => row.children.map((cell) => toSpans(cellPhrasing(cell.children), { style: header && r === 0 ? 'bold' : 'regular', size: TABLE_SIZE, color: TEXT }, this.definition)));
    this.gap(2);
    this.table({ rows, header, align: b.align ?? undefined }, x, w);
    this.y += 7;
  }

  table(spec: TableSpec, x: number, w: number): void {
    const ncol = Math.max(1, ...spec.rows.map((r) => r.length));
    const padX = 3.5;
    const padY = 2.6;
    let rows = spec.rows.map((r) => (r.length < ncol ? [...r, ...Array.from({ length: ncol - r.length }, () => [] as Span[])] : r));
    let widths: number[];
    if (spec.fractions) {
      widths = spec.fractions.map((f) => f * w);
    } else {
      let m = this.columnMeasures(rows, ncol);
      const sumMin = m.min.reduce((a, b) => a + b, 0);
      const room = w - ncol * 2 * padX;
      if (sumMin > room) {
        // Too wide: shrink the type (not below 6.3 pt), then let long words be cut.
        const size0 = rows[0]?.[0]?.[0]?.size ?? TABLE_SIZE;
        const k = Math.max(6.3 / size0, room / sumMin);
        rows = rows.map((r) => r.map((c) => c.map((s) => ({ ...s, size: s.size * k }))));
        m = this.columnMeasures(rows, ncol);
        // Still too wide: long words (digests, paths) get cut so that short ones keep their width.
        if (m.min.reduce((a, b) => a + b, 0) > room) m = this.columnMeasures(rows, ncol, room / ncol);
      }
      widths = distribute(m.min.map((v) => v + 2 * padX), m.max.map((v) => v + 2 * padX), w);
    }
    const cellLines = rows.map((r) => r.map((c, j) => breakLines(trimSpans(c), Math.max(4, widths[j]! - 2 * padX), 1.22)));
    const rowHeight = (r: number): number => Math.max(...cellLines[r]!.map((ls) => ls.reduce((a, l) => a + l.h, 0))) + 2 * padY;
    const headerRows = spec.header && rows.length ? 1 : 0;
    const bodyH = this.geo.bottom - this.geo.top;
    const drawRow = (r: number, from: number[] | null, isHeader: boolean): number[] | null => {
      // Places the lines of row r that fit, starting at `from` (line index per cell); returns what is left.
      const start = from ?? widths.map(() => 0);
      const avail = this.geo.bottom - this.y - 2 * padY;
      let used = 0;
      const next: number[] = [];
      let anyLeft = false;
      const top = this.y;
      const at = this.page.items.length;
      let cx = x;
      const placed: Array<{ j: number; lines: Line[] }> = [];
      for (let j = 0; j < ncol; j++) {
        const ls = cellLines[r]![j]!;
        let h = 0;
        let k = start[j]!;
        const take: Line[] = [];
        while (k < ls.length && h + ls[k]!.h <= avail + 0.01) {
          h += ls[k]!.h;
          take.push(ls[k]!);
          k++;
        }
        if (k < ls.length) anyLeft = true;
        next.push(k);
        used = Math.max(used, h);
        placed.push({ j, lines: take });
      }
      const rowH = used + 2 * padY;
      for (const p of placed) {
        let ly = top + padY;
        const cw = widths[p.j]!;
        for (const l of p.lines) {
          const save = this.y;
          this.y = ly;
          this.placeLineNoBreak(l, cx + padX, cw - 2 * padX, spec.align?.[p.j] ?? null);
          this.y = save;
          ly += l.h;
        }
        cx += cw;
      }
      // Backgrounds under the text, rules over the cells.
      const bg: Array<{ k: 'rect'; x: number; y: number; w: number; h: number; fill: Color }> = [];
      if (isHeader) bg.push({ k: 'rect', x, y: top, w, h: rowH, fill: FILL_HEAD });
      else if (spec.labelColumn) bg.push({ k: 'rect', x, y: top, w: widths[0]!, h: rowH, fill: FILL_HEAD });
      this.page.items.splice(at, 0, ...bg);
      this.page.items.push({ k: 'rect', x, y: top, w, h: rowH, stroke: RULE, lw: 0.5 });
      let vx = x;
      for (let j = 0; j < ncol - 1; j++) {
        vx += widths[j]!;
        this.page.items.push({ k: 'line', x1: vx, y1: top, x2: vx, y2: top + rowH, color: RULE, lw: 0.5 });
      }
      this.y = top + rowH;
      return anyLeft ? next : null;
    };
    const header = (): void => {
      if (headerRows) drawRow(0, null, true);
    };
    const headerH = headerRows ? rowHeight(0) : 0;
    const firstH = rows.length > headerRows ? rowHeight(headerRows) : 0;
    this.ensure(headerH + Math.min(firstH, 60));
    header();
    for (let r = headerRows; r < rows.length; r++) {
      const h = rowHeight(r);
      if (!this.fits(h)) {
        if (h <= bodyH - headerH || this.y > this.geo.bottom - 3 * TABLE_SIZE - headerH) {
          this.newPage();
          header();
        }
      }
      let left = drawRow(r, null, false);
      while (left) {
        this.newPage();
        header();
        left = drawRow(r, left, false);
      }
    }
  }

  private placeLineNoBreak(line: Line, x: number, w: number, align: Align): void {
    const fits = this.fits.bind(this);
    this.fits = () => true;
    try {
      this.placeLine(line, x, w, align);
    } finally {
      this.fits = fits;
    }
  }

  private columnMeasures(rows: Span[][][], ncol: number, cap = this.width * 0.3): { min: number[]; max: number[] } {
    const min = Array.from({ length: ncol }, () => 0);
    const max = Array.from({ length: ncol }, () => 0);
    for (const r of rows) {
      r.forEach((c, j) => {
        const m = measureSpans(c);
        min[j] = Math.max(min[j]!, Math.min(m.min, cap));
        max[j] = Math.max(max[j]!, m.max);
      });
    }
    return { min, max: max.map((v, j) => Math.max(v, min[j]!)) };
  }
}

/** Column widths between content minima and maxima, filling `w`. */
function distribute(min: number[], max: number[], w: number): number[] {
  const sumMin = min.reduce((a, b) => a + b, 0);
  const sumMax = max.reduce((a, b) => a + b, 0);
  if (sumMax <= w) return max.map((v) => v + ((w - sumMax) * v) / sumMax);
  if (sumMin <= w) {
    const k = (w - sumMin) / (sumMax - sumMin);
    return min.map((v, j) => v + (max[j]! - v) * k);
  }
  return min.map((v) => (v * w) / sumMin);
}

function trimSpans(spans: Span[]): Span[] {
  const out = spans.filter((s) => s.text !== '');
  while (out.length && out[0]!.text.trim() === '' && out[0]!.text !== '\n') out.shift();
  while (out.length && (out[out.length - 1]!.text.trim() === '')) out.pop();
  if (out.length) {
    out[0] = { ...out[0]!, text: out[0]!.text.replace(/^[ ]+/, '') };
    const last = out.length - 1;
    out[last] = { ...out[last]!, text: out[last]!.text.replace(/[ ]+$/, '') };
  }
  return out;
}

function linkBox(url: string, x: number, y: number, w: number, h: number): { x: number; y: number; w: number; h: number; url?: string; dest?: { page: number; y: number } } {
  return { x, y, w, h, url };
}

/** Definitions anywhere in the document (a reference may come before its definition). */
function collectDefinitions(list: readonly Flow[], into: Map<string, Definition>): void {
  for (const n of list) {
    if (n.type === 'definition') {
      // CommonMark: the first definition of a label wins.
      if (!into.has(n.identifier)) into.set(n.identifier, n);
    } else if ('children' in n && n.type !== 'paragraph' && n.type !== 'heading' && n.type !== 'table') {
      collectDefinitions(n.children as Flow[], into);
    }
  }
}

/** Heading text for the outline and the table of contents. */
function plainText(nodes: readonly PhrasingContent[]): string {
  return nodes
    .filter((n) => n.type !== 'html')
    .map((n) => (n.type === 'break' ? ' ' : n.type === 'footnoteReference' ? `[${n.label ?? n.identifier}]` : toString(n, { includeHtml: false })))
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

const PHRASING = new Set(['text', 'emphasis', 'strong', 'delete', 'inlineCode', 'break', 'link', 'linkReference', 'image', 'imageReference', 'footnoteReference', 'html']);

/**
 * A table cell's content as one run of phrasing. A Markdown cell holds phrasing only; a cell converted
 * from an HTML table may hold paragraphs or lists, which become lines of the cell.
 */
function cellPhrasing(children: readonly Nodes[]): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  for (const n of children) {
    if (PHRASING.has(n.type)) {
      out.push(n as PhrasingContent);
      continue;
    }
    if (out.length) out.push({ type: 'break' });
    if ('children' in n) out.push(...cellPhrasing(n.children as Nodes[]));
    else if ('value' in n && n.type !== 'html') out.push({ type: 'text', value: n.value });
  }
  return out;
}
