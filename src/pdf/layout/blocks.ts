// Block layout of mdast with pagination and logical structure (tagged PDF). Headings keep with the start
// of what follows them (a test case heading with the start of its results); paragraphs leave no orphan
// or widow line; tables and code blocks of up to ten lines are not split, longer ones say "continued"
// (tables repeat their header row); one type size for every table; lists, quotes, images with their
// alternate text, footnotes and degraded raw HTML. Every piece of content belongs to a structure element
// (H1…H6, P, L/LI/Lbl/LBody, Table/TR/TH/TD, Code, Figure, BlockQuote, Link); rules, backgrounds and
// repeated headers are artifacts.
import type { AlignType, BlockContent, Code, Definition, DefinitionContent, FootnoteDefinition, List, Nodes, Paragraph, PhrasingContent, Root, RootContent, Table } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { FontStyle } from '../fonts.js';
import { measure } from '../text/shape.js';
import type { PdfDocumentMeta } from '../types.js';
import type { HtmlBlocks } from './html.js';
import { breakLines, measureSpans, toSpans, type BreakOptions, type Line, type Span } from './inline.js';
import { readImage } from './images.js';
import { ACCENT, FILL_CODE, FILL_HEAD, MUTED, RULE, TEXT, type ArtifactKind, type Color, type ContentSlot, type Geometry, type Item, type Page, type PlacedWord, type StructNode } from './page.js';

type Align = AlignType | 'justify' | undefined;

export const BODY_SIZE = 9.8;
/** The one type size of every table in a document (cells that do not fit wrap, long tokens are cut). */
export const TABLE_SIZE = 8.4;
const CODE_SIZE = 7.5;
const CODE_LEADING = 9.3;
const HEADING_SIZES = [0, 15.5, 13, 11.2, 10.4, 10, 10];
/** Tables and code blocks up to this many lines are kept on one page. */
const KEEP_LINES = 10;
/** A test case heading: its id first (IQ-01, OQ-03, TC-001). */
const CASE_HEADING = /^[A-Z][A-Z0-9]{1,5}-\d+\b/;

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
  /** BCP 47 language of the document: hyphenation patterns, CJK glyph forms. Default "en". */
  lang?: string;
  /** Justify paragraphs (default: ragged right). */
  justify?: boolean;
  /** Hyphenate paragraphs and table cells (default true). */
  hyphenate?: boolean;
}

export interface TableSpec {
  rows: Span[][][];
  header: boolean;
  align?: Array<AlignType | undefined> | null;
  /** Fixed column widths as fractions of the table width. */
  fractions?: number[];
  /** Shade the first column and make it the row header (label/value tables). */
  labelColumn?: boolean;
  /** Hyphenate words in cells (default true). */
  hyphenate?: boolean;
}

interface Ctx {
  tight: boolean;
  listDepth: number;
  /** Children of the document's root: only there is a `check`/`case` code block executable. */
  root: boolean;
}

type Flow = RootContent | BlockContent | DefinitionContent;

/** A table measured for a width: column widths, each cell's lines, each row's height. */
interface TableLayout {
  widths: number[];
  cellLines: Line[][][];
  rowH: number[];
  headerRows: number;
  ncol: number;
}

const PAD_X = 3.5;
const PAD_Y = 2.6;

export function structNode(type: string, parent: StructNode | null): StructNode {
  const n: StructNode = { type, parent, kids: [] };
  if (parent) parent.kids.push(n);
  return n;
}

export class Layouter {
  readonly pages: Page[] = [];
  page!: Page;
  y = 0;
  readonly headings: HeadingEntry[] = [];
  /** Every code block typeset, in order (the protocol's check blocks among them). */
  readonly typesetCode: TypesetCode[] = [];
  meta: PdfDocumentMeta;
  docIndex = 0;
  /** The structure element content is added to. */
  node: StructNode;
  private counters: number[] = [0, 0, 0, 0, 0, 0, 0];
  private minDepth = 1;
  private marker: { text: string; x: number; style: FontStyle; size: number; color: Color; node: StructNode } | null = null;
  private definitions = new Map<string, Definition>();
  private readonly definition = (id: string): Definition | undefined => this.definitions.get(id);
  /** Content placed now is repeated furniture (a table's header row on a continuation page). */
  private artifact: ArtifactKind | null = null;
  /** Link structure elements of the paragraph being placed, by link target object. */
  private linkNodes = new Map<object, StructNode>();
  private readonly paraLines = new WeakMap<object, { w: number; lines: Line[] }>();
  private readonly tableLayouts = new WeakMap<object, { w: number; layout: TableLayout; spec: TableSpec }>();

  constructor(
    readonly geo: Geometry,
    meta: PdfDocumentMeta,
    readonly opts: LayoutOptions = {},
    /** The structure element this layouter's content goes under (a Part of the document). */
    readonly top: StructNode = structNode('Part', null),
  ) {
    this.meta = meta;
    this.node = top;
  }

  get width(): number {
    return this.geo.right - this.geo.left;
  }

  get lang(): string {
    return this.opts.lang ?? 'en';
  }

  /** Line breaking for body text: hyphenation in the document's language. */
  get bodyBreak(): BreakOptions {
    return { hyphenate: this.opts.hyphenate === false ? null : this.lang, lang: this.lang };
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

  // ---- structure ----------------------------------------------------------------------------

  /** Opens a structure element under the current one and makes it current. */
  open(type: string, extra: Partial<StructNode> = {}): StructNode {
    const n = structNode(type, this.node);
    Object.assign(n, extra);
    this.node = n;
    return n;
  }

  close(n: StructNode): void {
    this.node = n.parent ?? this.top;
  }

  /** Adds an item as content of `node` (default: the current element), or as an artifact while repeating furniture. */
  content(item: Item, node: StructNode = this.node): void {
    if (this.artifact) {
      item.artifact = this.artifact;
    } else {
      const kids = node.kids;
      let last = kids[kids.length - 1];
      if (!last || !('refs' in last)) {
        last = { node, refs: [] } satisfies ContentSlot;
        kids.push(last);
      }
      item.slot = last as ContentSlot;
    }
    this.page.items.push(item);
  }

  /** Adds a decoration (rule, background, border): an artifact. */
  deco(item: Item): void {
    this.page.items.push(item);
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
    for (let i = 0; i < list.length; i++) {
      const b = list[i]!;
      if (b.type === 'heading') this.heading(b.depth, b.children, x, w, this.keepAfter(list, i, w));
      else this.block(b, x, w, ctx);
    }
  }

  block(b: Flow, x: number, w: number, ctx: Ctx): void {
    const inner: Ctx = ctx.root ? { ...ctx, root: false } : ctx;
    switch (b.type) {
      case 'heading':
        return this.heading(b.depth, b.children, x, w, 0);
      case 'paragraph':
        return this.paragraph(b.children, x, w, ctx.tight ? 2 : 6.5, BODY_SIZE, TEXT, 'regular', b);
      case 'code':
        return this.code(b, ctx.root, x, w);
      case 'blockquote': {
        const n = this.open('BlockQuote');
        this.quote(b.children, x, w, inner);
        return this.close(n);
      }
      case 'list':
        return this.list(b, x, w, inner);
      case 'table':
        return this.mdTable(b, x, w);
      case 'thematicBreak':
        this.gap(4);
        this.ensure(10);
        this.deco({ k: 'line', x1: x, y1: this.y + 4, x2: x + w, y2: this.y + 4, color: RULE, lw: 0.6 });
        this.y += 12;
        return;
      case 'html':
        // Raw HTML is not rendered as HTML: its readable content is (comments, scripts and styles are not).
        if (this.opts.html) this.blocks(this.opts.html(b.value), x, w, inner);
        return;
      case 'footnoteDefinition': {
        const n = this.open('Note');
        this.footnote(b, x, w, inner);
        return this.close(n);
      }
      default:
        // definition, yaml, toml and other non-printing nodes.
        return;
    }
  }

  // ---- keep with next ----------------------------------------------------------------------

  /**
   * Height that must fit below the heading at list[i]: the start of what follows it (two lines of a
   * paragraph, a table's header and first rows, a short code block whole). A test case heading keeps
   * its objective with the start of its results (the first table or code block) when that takes less
   * than half a page.
   */
  private keepAfter(list: readonly Flow[], i: number, w: number): number {
    const h = list[i]!;
    const next = list[i + 1];
    if (!next) return 0;
    if (h.type === 'heading' && CASE_HEADING.test(toString(h).trim())) {
      let total = 0;
      for (let j = i + 1; j < list.length; j++) {
        const b = list[j]!;
        if (b.type === 'heading') break;
        if (b.type === 'table' || b.type === 'code') {
          total += this.startHeight(b, w, list, j);
          if (total <= (this.geo.bottom - this.geo.top) * 0.5) return total;
          break;
        }
        total += this.fullHeight(b, w);
      }
    }
    return this.startHeight(next, w, list, i + 1);
  }

  /** The first unit of a block that must not be separated from what precedes it. */
  private startHeight(b: Flow, w: number, list: readonly Flow[], i: number): number {
    switch (b.type) {
      case 'paragraph': {
        const lines = this.paragraphLines(b, w);
        return lines.slice(0, 2).reduce((a, l) => a + l.h, 0) + 2;
      }
      case 'heading': {
        const lines = this.headingLines(b.depth, b.children, w);
        return lines.reduce((a, l) => a + l.h, 0) + 14 + this.keepAfter(list, i, w);
      }
      case 'table': {
        const t = this.tableFor(b, w);
        const body = t.layout.rowH.length - t.layout.headerRows;
        const rows = body <= KEEP_LINES ? body : 2;
        return t.layout.rowH.slice(0, t.layout.headerRows + rows).reduce((a, v) => a + v, 0) + 4;
      }
      case 'code': {
        const n = this.codeLines(b.value, w).length;
        return (n <= KEEP_LINES ? n : 3) * CODE_LEADING + 8 + (b.lang === 'check' || b.lang === 'case' ? 11 : 0) + 4;
      }
      case 'list': {
        const first = b.children[0]?.children[0];
        return first ? this.startHeight(first, w - 14, b.children[0]!.children, 0) : 20;
      }
      case 'blockquote': {
        const first = b.children[0];
        return first ? this.startHeight(first, w - 12, b.children, 0) : 20;
      }
      default:
        return 24;
    }
  }

  /** Whole height of a block that is not a table or code (for a case heading's objective). */
  private fullHeight(b: Flow, w: number): number {
    if (b.type === 'paragraph') return this.paragraphLines(b, w).reduce((a, l) => a + l.h, 0) + 6.5;
    if (b.type === 'list') return b.children.reduce((a, item) => a + item.children.reduce((s, c) => s + this.fullHeight(c as Flow, w - 14), 0), 6);
    return 24;
  }

  // ---- headings ----------------------------------------------------------------------------

  private headingSpans(depth: number, children: readonly PhrasingContent[]): { nodes: readonly PhrasingContent[]; spans: Span[] } {
    const size = HEADING_SIZES[depth] ?? BODY_SIZE;
    return { nodes: children, spans: toSpans(children, { style: depth >= 5 ? 'boldItalic' : 'bold', size, color: depth <= 2 ? ACCENT : TEXT }, this.definition) };
  }

  private headingLines(depth: number, children: readonly PhrasingContent[], w: number): Line[] {
    return breakLines(this.headingSpans(depth, children).spans, w, 1.25, { lang: this.lang });
  }

  heading(depth: number, children: readonly PhrasingContent[], x: number, w: number, keep = 42): void {
    let nodes: readonly PhrasingContent[] = children;
    if (this.opts.numberHeadings) {
      const level = Math.max(1, depth - this.minDepth + 1);
      this.counters[level] = (this.counters[level] ?? 0) + 1;
      for (let k = level + 1; k < this.counters.length; k++) this.counters[k] = 0;
      const num = this.counters.slice(1, level + 1).map((c) => String(c || 1)).join('.');
      nodes = [{ type: 'text', value: `${num}  ` }, ...children];
    }
    const lines = this.headingLines(depth, nodes, w);
    const h = lines.reduce((a, l) => a + l.h, 0);
    const after = depth <= 1 ? 9 : depth === 2 ? 5 : 3.5;
    this.gap(depth <= 1 ? 12 : depth === 2 ? 10 : 7);
    // Never the last line of a page: the heading goes with the start of what follows it.
    this.ensure(h + after + Math.min(keep, (this.geo.bottom - this.geo.top) * 0.6));
    const top = this.y;
    this.headings.push({ level: depth, text: plainText(nodes), page: this.pages.length - 1, y: top, doc: this.docIndex });
    const n = this.open(`H${Math.min(6, Math.max(1, depth))}`);
    for (const l of lines) this.placeLine(l, x, w);
    this.close(n);
    if (depth <= 1) {
      this.deco({ k: 'line', x1: x, y1: this.y + 1.5, x2: x + w, y2: this.y + 1.5, color: ACCENT, lw: 0.8 });
      this.y += 4;
    }
    this.y += depth <= 2 ? 5 : 3.5;
  }

  // ---- paragraphs --------------------------------------------------------------------------

  private paragraphLines(p: Paragraph, w: number): Line[] {
    const c = this.paraLines.get(p);
    if (c && c.w === w) return c.lines;
    const spans = trimSpans(toSpans(p.children, { style: 'regular', size: BODY_SIZE, color: TEXT }, this.definition).filter((s) => !s.image));
    const lines = spans.length ? breakLines(spans, w, 1.32, this.bodyBreak) : [];
    this.paraLines.set(p, { w, lines });
    return lines;
  }

  paragraph(children: readonly PhrasingContent[], x: number, w: number, after: number, size = BODY_SIZE, color: Color = TEXT, style: FontStyle = 'regular', node?: Paragraph): void {
    const spans = toSpans(children, { style, size, color }, this.definition);
    // Images become blocks of their own; the text around them stays in order.
    let run: Span[] = [];
    let images = false;
    const flushText = (): void => {
      if (run.length) {
        const cached = !images && node && size === BODY_SIZE && style === 'regular' && color === TEXT ? this.paraLines.get(node) : undefined;
        const p = this.open('P');
        this.spans(run, x, w, this.opts.justify ? 'justify' : null, cached && cached.w === w ? cached.lines : undefined);
        this.close(p);
      }
      run = [];
    };
    for (const s of spans) {
      const bytes = s.image && this.opts.images ? this.opts.images(s.image.url) : null;
      const img = bytes ? readImage(bytes) : null;
      if (img && s.image) {
        images = true;
        flushText();
        this.image(img, s.image.alt, x, w);
      } else run.push(s);
    }
    flushText();
    this.y += after;
  }

  /** Places wrapped spans with no orphan (a first line alone at the foot of a page) and no widow (a last line alone at the top). */
  spans(spans: Span[], x: number, w: number, align: Align = null, ready?: Line[]): void {
    const lines = ready ?? (() => {
      const trimmed = trimSpans(spans);
      return trimmed.length ? breakLines(trimmed, w, 1.32, this.bodyBreak) : [];
    })();
    if (!lines.length) return;
    this.linkNodes = new Map();
    let i = 0;
    while (i < lines.length) {
      // How many of the remaining lines fit on this page.
      let k = 0;
      let h = 0;
      while (i + k < lines.length && this.fits(h + lines[i + k]!.h)) h += lines[i + k++]!.h;
      const rest = lines.length - i - k;
      if (k < lines.length - i) {
        if (k < 2 && !this.atTop) k = 0; // orphan: start the paragraph on the next page
        else if (rest === 1 && k >= 3) k--; // widow: take one more line along
      }
      for (let j = 0; j < k; j++) this.placeLine(lines[i + j]!, x, w, align);
      i += k;
      if (i < lines.length) {
        if (k === 0 && this.atTop) {
          this.placeLine(lines[i]!, x, w, align); // taller than a page: place anyway
          i++;
        } else this.newPage();
      }
    }
  }

  /** Places one line: alignment (right-to-left paragraphs align right), justification, links as Link elements. */
  placeLine(line: Line, x: number, w: number, align: Align = null): void {
    if (!this.fits(line.h)) this.newPage();
    const base = this.y + line.base;
    let dx = 0;
    let share = 0;
    const slack = w - line.width;
    if (align === 'right' || (line.rtl && (align === null || align === undefined || align === 'left'))) dx = slack;
    else if (align === 'center') dx = slack / 2;
    else if (align === 'justify') {
      if (!line.last && line.gaps > 0 && slack < w * 0.3) share = slack / line.gaps;
      else if (line.rtl) dx = slack;
    }
    this.emitMarker(base);
    // Words grouped by structure element: text of a link goes into its Link element.
    let group: { key: object | null; node: StructNode; words: PlacedWord[] } | null = null;
    const flush = (end: boolean): void => {
      if (!group || !group.words.length) return;
      const item: Item = { k: 'words', x: x + dx, y: base, words: group.words, actual: line.actual };
      // A line that goes on (not the paragraph's last, not ending in a hyphen) ends in a space, so
      // that its text and the next line's read as words apart.
      if (end && !line.last && !line.frags[line.frags.length - 1]?.hyphen) item.space = true;
      this.content(item, group.node);
      group = null;
    };
    for (const f of line.frags) {
      const s = f.span;
      const key = s.link && line.actual === null ? (s.linkOf ?? s) : null;
      if (!group || group.key !== key) {
        flush(false);
        group = { key, node: key ? this.linkNode(s) : this.node, words: [] };
      }
      const word: PlacedWord = { dx: f.x + f.gap * share, s: f.shaped, size: s.size, style: s.style, color: s.color };
      if (f.hyphen) word.actual = f.text;
      (group as { words: PlacedWord[] }).words.push(word);
    }
    flush(true);
    // Decorations and link areas span consecutive pieces of one span (the spaces between words too).
    const frags = line.frags;
    for (let a = 0; a < frags.length; ) {
      let b = a;
      while (b + 1 < frags.length && frags[b + 1]!.span === frags[a]!.span) b++;
      const s = frags[a]!.span;
      const fx = x + dx + frags[a]!.x + frags[a]!.gap * share;
      const fw = x + dx + frags[b]!.x + frags[b]!.gap * share + frags[b]!.w - fx;
      if (s.underline) this.deco({ k: 'line', x1: fx, y1: base + 1.3, x2: fx + fw, y2: base + 1.3, color: s.color, lw: 0.5 });
      if (s.strike) this.deco({ k: 'line', x1: fx, y1: base - s.size * 0.3, x2: fx + fw, y2: base - s.size * 0.3, color: s.color, lw: 0.5 });
      if (s.link) {
        const text = frags.slice(a, b + 1).map((f) => f.text).join(' ');
        this.page.links.push({ x: fx, y: this.y, w: fw, h: line.h, url: s.link, text, node: line.actual === null ? this.linkNode(s) : this.node });
      }
      a = b + 1;
    }
    this.y += line.h;
  }

  /** The Link element of a link in the paragraph being placed (one per link, across its lines). */
  private linkNode(s: Span): StructNode {
    const key: object = s.linkOf ?? s;
    let n = this.linkNodes.get(key);
    if (!n) {
      n = structNode('Link', this.node);
      this.linkNodes.set(key, n);
    }
    return n;
  }

  /** Draws a pending list marker on the baseline of the next line placed. */
  private emitMarker(base: number): void {
    if (!this.marker) return;
    const m = this.marker;
    this.marker = null;
    this.content({ k: 'text', x: m.x, y: base, size: m.size, style: m.style, text: m.text, color: m.color }, m.node);
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
    const L = this.open('L');
    b.children.forEach((item, k) => {
      this.ensure(BODY_SIZE * 2.8);
      const li = this.open('LI');
      const lbl = structNode('Lbl', li);
      this.marker = { text: markers[k]!, x: x + indent - 5 - measure(markers[k]!, 'regular', BODY_SIZE), style: 'regular', size: BODY_SIZE, color: TEXT, node: lbl };
      const body = this.open('LBody');
      if (!item.children.length) this.placeLine(breakLines([{ text: ' ', style: 'regular', size: BODY_SIZE, color: TEXT }], w)[0]!, x, w);
      this.blocks(item.children, x + indent, w - indent, { ...ctx, tight, listDepth: depth + 1 });
      this.emitMarker(this.y + BODY_SIZE);
      this.close(body);
      this.close(li);
      this.marker = null;
    });
    this.close(L);
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

  /** Visual lines of a code block: long lines wrap, marked as continuations. */
  private codeLines(value: string, w: number): Array<{ text: string; cont: boolean }> {
    const inner = w - 2 * 5 - 4;
    const visual: Array<{ text: string; cont: boolean }> = [];
    const ascii = measure('M', 'mono', CODE_SIZE);
    for (const src of value.replace(/\r/g, '').split('\n')) {
      // Printable ASCII in the monospaced face: every character has the same advance.
      const w = /^[\x20-\x7e]*$/.test(src) ? src.length * ascii : measure(src, 'mono', CODE_SIZE);
      if (w <= inner) {
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
    return visual;
  }

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
    const visual = this.codeLines(value, w);
    this.gap(2);
    const labelH = label ? 11 : 0;
    const whole = labelH + 2 * padY + CODE_LEADING * visual.length;
    // Up to ten lines never split; a longer block starts with at least three lines on the page.
    this.ensure(visual.length <= KEEP_LINES ? whole : labelH + 2 * padY + CODE_LEADING * 3);
    if (label) {
      const p = this.open('P');
      this.content({ k: 'text', x, y: this.y + 8, size: 7, style: 'bold', text: label, color: labelColor });
      this.close(p);
      this.y += labelH;
    }
    const codeNode = this.open('Code');
    let i = 0;
    let first = true;
    while (i < visual.length) {
      if (!first || !this.fits(2 * padY + CODE_LEADING)) {
        this.newPage();
        // A continued block says so, and what it continues.
        this.artifact = 'Layout';
        this.content({ k: 'text', x, y: this.y + 8, size: 7, style: 'italic', text: `${label ?? (lang ? `${lang} block` : 'Code block')} (continued)`, color: MUTED });
        this.artifact = null;
        this.y += 14;
      }
      first = false;
      const at = this.page.items.length;
      const top = this.y;
      this.y += padY;
      // Lines that fit, leaving at least four for the next page (no widow lines of a log).
      let room = 0;
      while (i + room < visual.length && this.fits(CODE_LEADING * (room + 1) + padY)) room++;
      const left = visual.length - i - room;
      if (left > 0 && left < 4 && room > 8) room -= 4 - left;
      // A wrapped source line stays whole on one page when it can.
      let whole = room;
      while (whole > 0 && i + whole < visual.length && visual[i + whole]!.cont) whole--;
      if (whole > 0) room = whole;
      for (let r = 0; r < room; r++, i++) {
        const v = visual[i]!;
        const base = this.y + CODE_SIZE * 0.95;
        if (v.text.trim() !== '') this.content({ k: 'text', x: x + padX + 4, y: base, size: CODE_SIZE, style: 'mono', text: v.text, color: TEXT });
        if (v.cont) {
          this.deco({ k: 'line', x1: x + padX, y1: base - 5, x2: x + padX, y2: base - 2, color: MUTED, lw: 0.5 });
          this.deco({ k: 'line', x1: x + padX, y1: base - 2, x2: x + padX + 2.5, y2: base - 2, color: MUTED, lw: 0.5 });
        }
        this.y += CODE_LEADING;
      }
      if (room === 0 && i < visual.length) {
        // Not even one line fits an empty page (cannot happen with a sane page size): place one anyway.
        this.content({ k: 'text', x: x + padX + 4, y: this.y + CODE_SIZE * 0.95, size: CODE_SIZE, style: 'mono', text: visual[i]!.text, color: TEXT });
        this.y += CODE_LEADING;
        i++;
      }
      this.y += padY;
      this.page.items.splice(at, 0, { k: 'rect', x, y: top, w, h: this.y - top, fill: FILL_CODE, stroke: RULE, lw: 0.4 });
    }
    this.close(codeNode);
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
    const fig = this.open('Figure', { alt: alt || 'Image without a description' });
    this.content({ k: 'image', x: x + (w - iw) / 2, y: this.y, w: iw, h: ih, image: img });
    this.y += ih + 3;
    if (alt) {
      const cap = this.open('Caption');
      const lines = breakLines([{ text: alt, style: 'italic', size: BODY_SIZE - 1.5, color: MUTED }], w, 1.32, { lang: this.lang });
      for (const l of lines) this.placeLine(l, x, w, 'center');
      this.close(cap);
    }
    this.close(fig);
    this.y += 4;
  }

  // ---- tables -------------------------------------------------------------------------------

  /** The table spec of a GFM table and its layout for width w (cached: keep-with-next measures it first). */
  private tableFor(b: Table, w: number): { spec: TableSpec; layout: TableLayout } {
    const c = this.tableLayouts.get(b);
    if (c && c.w === w) return c;
    const [head, ...body] = b.children;
    // A header row of empty cells (HTML tables without one) is left out.
    const header = Boolean(head && head.children.some((cell) => cell.children.length > 0));
    const rowsIn = header || !head ? b.children : body;
    const rows = rowsIn.map((row, r) => row.children.map((cell) => toSpans(cellPhrasing(cell.children), { style: header && r === 0 ? 'bold' : 'regular', size: TABLE_SIZE, color: TEXT }, this.definition)));
    const spec: TableSpec = { rows, header, align: b.align ?? undefined };
    const entry = { w, spec, layout: this.layoutTable(spec, w) };
    this.tableLayouts.set(b, entry);
    return entry;
  }

  mdTable(b: Table, x: number, w: number): void {
    this.gap(2);
    const t = this.tableFor(b, w);
    this.drawTable(t.spec, t.layout, x, w);
    this.y += 7;
  }

  /** Lays out and draws a table (cover, signature page, control blocks: labels are not hyphenated). */
  table(spec: TableSpec, x: number, w: number): void {
    this.drawTable(spec, this.layoutTable({ hyphenate: false, ...spec }, w), x, w);
  }

  private layoutTable(spec: TableSpec, w: number): TableLayout {
    const ncol = Math.max(1, ...spec.rows.map((r) => r.length));
    const rows = spec.rows.map((r) => (r.length < ncol ? [...r, ...Array.from({ length: ncol - r.length }, () => [] as Span[])] : r));
    let widths: number[];
    if (spec.fractions) {
      widths = spec.fractions.map((f) => f * w);
    } else {
      const room = w - ncol * 2 * PAD_X;
      let m = this.columnMeasures(rows, ncol);
      // Too wide: long words (digests, paths) get cut so that short ones keep their width; the type
      // size stays the document's one table size.
      if (m.min.reduce((a, b) => a + b, 0) > room) m = this.columnMeasures(rows, ncol, room / ncol);
      widths = distribute(m.min.map((v) => v + 2 * PAD_X), m.max.map((v) => v + 2 * PAD_X), w);
    }
    const cellBreak: BreakOptions = { hyphenate: spec.hyphenate === false || this.opts.hyphenate === false ? null : this.lang, lang: this.lang };
    const cellLines = rows.map((r) => r.map((c, j) => breakLines(trimSpans(c), Math.max(4, widths[j]! - 2 * PAD_X), 1.22, cellBreak)));
    const rowH = cellLines.map((r) => Math.max(...r.map((ls) => ls.reduce((a, l) => a + l.h, 0))) + 2 * PAD_Y);
    return { widths, cellLines, rowH, headerRows: spec.header && rows.length ? 1 : 0, ncol };
  }

  private drawTable(spec: TableSpec, t: TableLayout, x: number, w: number): void {
    const { widths, cellLines, rowH, headerRows, ncol } = t;
    const bodyH = this.geo.bottom - this.geo.top;
    const tableNode = this.open('Table');
    const rowNodes = cellLines.map(() => null as { tr: StructNode; cells: StructNode[] } | null);
    const nodesOf = (r: number): { tr: StructNode; cells: StructNode[] } => {
      let n = rowNodes[r];
      if (!n) {
        const tr = structNode('TR', tableNode);
        const cells = widths.map((_, j) => {
          const th = r < headerRows || (spec.labelColumn && j === 0);
          const cell = structNode(th ? 'TH' : 'TD', tr);
          if (th) cell.scope = r < headerRows ? 'Column' : 'Row';
          return cell;
        });
        n = { tr, cells };
        rowNodes[r] = n;
      }
      return n;
    };
    const drawRow = (r: number, from: number[] | null, isHeader: boolean): number[] | null => {
      // Places the lines of row r that fit, starting at `from` (line index per cell); returns what is left.
      const start = from ?? widths.map(() => 0);
      const avail = this.geo.bottom - this.y - 2 * PAD_Y;
      let used = 0;
      const next: number[] = [];
      let anyLeft = false;
      const top = this.y;
      const at = this.page.items.length;
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
      const h = used + 2 * PAD_Y;
      const nodes = nodesOf(r);
      let cx = x;
      for (const p of placed) {
        let ly = top + PAD_Y;
        const cw = widths[p.j]!;
        const saveNode = this.node;
        this.node = nodes.cells[p.j]!;
        for (const l of p.lines) {
          const save = this.y;
          this.y = ly;
          this.placeLineNoBreak(l, cx + PAD_X, cw - 2 * PAD_X, spec.align?.[p.j] ?? null);
          this.y = save;
          ly += l.h;
        }
        this.node = saveNode;
        cx += cw;
      }
      // Backgrounds under the text, rules over the cells.
      const bg: Item[] = [];
      if (isHeader) bg.push({ k: 'rect', x, y: top, w, h, fill: FILL_HEAD });
      else if (spec.labelColumn) bg.push({ k: 'rect', x, y: top, w: widths[0]!, h, fill: FILL_HEAD });
      this.page.items.splice(at, 0, ...bg);
      this.deco({ k: 'rect', x, y: top, w, h, stroke: RULE, lw: 0.5 });
      let vx = x;
      for (let j = 0; j < ncol - 1; j++) {
        vx += widths[j]!;
        this.deco({ k: 'line', x1: vx, y1: top, x2: vx, y2: top + h, color: RULE, lw: 0.5 });
      }
      this.y = top + h;
      return anyLeft ? next : null;
    };
    const headerH = headerRows ? rowH[0]! : 0;
    const continued = (): void => {
      // A table continued from the previous page says so and repeats its header row (as furniture).
      this.newPage();
      this.artifact = 'Layout';
      this.content({ k: 'text', x, y: this.y + 7, size: 7, style: 'italic', text: 'Table continued from the previous page', color: MUTED });
      this.y += 10;
      if (headerRows) drawRow(0, null, true);
      this.artifact = null;
    };
    const bodyRows = rowH.length - headerRows;
    const total = rowH.reduce((a, v) => a + v, 0);
    // A small table is never split; a longer one starts with its header and at least two rows.
    if (bodyRows <= KEEP_LINES && total <= bodyH * 0.6) this.ensure(total);
    else this.ensure(headerH + rowH.slice(headerRows, headerRows + 2).reduce((a, v) => a + Math.min(v, 60), 0));
    if (headerRows) drawRow(0, null, true);
    for (let r = headerRows; r < rowH.length; r++) {
      const h = rowH[r]!;
      // No widow row: the last row does not go alone to a new page when the one before can go with it.
      const lastTwo = r === rowH.length - 2 && r > headerRows + 1 ? h + rowH[r + 1]! : h;
      if (!this.fits(lastTwo) && (this.fits(h) ? lastTwo <= bodyH - headerH - 10 : true)) {
        if (h <= bodyH - headerH - 10 || this.y > this.geo.bottom - 3 * TABLE_SIZE - headerH) continued();
      }
      let left = drawRow(r, null, false);
      while (left) {
        continued();
        left = drawRow(r, left, false);
      }
    }
    this.close(tableNode);
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
