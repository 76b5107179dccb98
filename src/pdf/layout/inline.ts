// Inline content → styled spans → lines. Greedy first-fit line breaking at spaces, between CJK
// characters and between Thai words (ICU word segmentation); hyphenation with the language's Knuth–Liang
// patterns where a word would leave a ragged gap; tokens wider than the line (digests, URLs, log tokens)
// are cut, preferably after / - _ : . , = & ?. Words are shaped (text/shape.ts); a paragraph with
// right-to-left text gets Unicode bidi levels and each line is reordered visually.
import type { Definition, PhrasingContent } from 'mdast';
import type { FontStyle } from '../fonts.js';
import { embeddingLevels, mirrored, visualOrder } from '../text/bidi.js';
import { hyphenationPoints } from '../text/hyphenate.js';
import { RTL_CHARS, cjkHintOf, type CjkHint } from '../text/script.js';
import { clusters, measure, shapeText, type Shaped } from '../text/shape.js';
import { LINK, type Color } from './page.js';

export interface Span {
  text: string;
  style: FontStyle;
  size: number;
  color: Color;
  link?: string;
  /** The link this span is part of (one Link structure element per link, across spans and lines). */
  linkOf?: object;
  underline?: boolean;
  strike?: boolean;
  /** An image placeholder carries its source here (text holds the visible fallback). */
  image?: { url: string; alt: string };
}

/** A piece of a line in visual order: one word (or the part of it in one span) and its glyphs. */
export interface Frag {
  x: number;
  w: number;
  /** The logical text of the piece. */
  text: string;
  span: Span;
  shaped: Shaped;
  /** Stretchable gaps (spaces) to its left on the line: justification moves it by that many shares. */
  gap: number;
  /** The piece ends in a hyphen added by hyphenation (not part of the text). */
  hyphen?: boolean;
}

export interface Line {
  frags: Frag[];
  width: number;
  /** Line box height. */
  h: number;
  /** Baseline offset from the line's top. */
  base: number;
  /** Stretchable gaps between its words. */
  gaps: number;
  /** The last line of a paragraph or before a forced break (never justified). */
  last: boolean;
  /** The paragraph's base direction is right to left (lines align right). */
  rtl: boolean;
  /**
   * Always null: a reordered line keeps its glyphs in visual order with their own text, which text
   * extractors reorder (logical /ActualText over visual glyphs gets reversed twice by poppler).
   */
  actual: string | null;
}

interface Fmt {
  bold: boolean;
  italic: boolean;
  mono: boolean;
  underline: boolean;
  strike: boolean;
  link?: string;
  linkOf?: object;
}

export function styleOf(f: { bold: boolean; italic: boolean; mono: boolean }): FontStyle {
  if (f.mono) return f.bold ? 'monoBold' : 'mono';
  if (f.bold) return f.italic ? 'boldItalic' : 'bold';
  return f.italic ? 'italic' : 'regular';
}

// Tag names that are formatting or structure, hidden when met inline; anything else stays visible as written.
const KNOWN_TAGS = new Set(
  'a abbr b big br cite code del dfn div em font i img ins kbd mark p q s samp small span strike strong sub sup u tt var center section article header footer nav table tr td th thead tbody ul ol li dl dt dd h1 h2 h3 h4 h5 h6 hr blockquote pre figure figcaption caption details summary label wbr col colgroup'.split(' '),
);

/** Line endings inside a paragraph or code span are soft: a space (hard breaks are `break` nodes); a tab is white space. */
const SOFT_BREAK = /[ \t]*(?:\r\n|\r|\n)[ \t]*|\t/g;

/**
 * Ties a number to the word before it ("Annex 11", "Part 11", "SOP 0013", "§ 11.10") and an
 * abbreviation to the number before it ("21 CFR") with a no-break space: a line never separates them.
 */
export function tieNumbers(text: string): string {
  return text.replace(/(^|[\s(\[])([\p{L}§¶][\p{L}.]*) (?=\d)/gu, '$1$2\u00a0').replace(/(\d) (?=\p{Lu}{2,}\b)/gu, '$1\u00a0');
}

/** Resolves `[text][id]` and `![alt][id]` to their definitions (mdast identifiers are normalised). */
export type DefinitionLookup = (identifier: string) => Definition | undefined;

/** Flattens mdast phrasing content into spans. `\n` inside a span text is a forced line break. */
export function toSpans(nodes: readonly PhrasingContent[], base: { style: FontStyle; size: number; color: Color; bold?: boolean; italic?: boolean }, definition: DefinitionLookup = () => undefined): Span[] {
  const out: Span[] = [];
  const baseFmt: Fmt = {
    bold: base.bold ?? (base.style === 'bold' || base.style === 'boldItalic' || base.style === 'monoBold'),
    italic: base.italic ?? (base.style === 'italic' || base.style === 'boldItalic'),
    mono: base.style === 'mono' || base.style === 'monoBold',
    underline: false,
    strike: false,
  };
  const htmlStack: Fmt[] = [];
  const push = (text: string, f: Fmt, size = base.size): void => {
    if (!text) return;
    const span: Span = { text, style: styleOf(f), size, color: f.link ? LINK : base.color };
    if (f.link) span.link = f.link;
    if (f.linkOf) span.linkOf = f.linkOf;
    if (f.underline) span.underline = true;
    if (f.strike) span.strike = true;
    out.push(span);
  };
  const image = (url: string, alt: string, cur: Fmt): void => {
    out.push({ text: `[image: ${alt || url}]`, style: styleOf({ ...cur, italic: true }), size: base.size, color: base.color, image: { url, alt } });
  };
  const walk = (list: readonly PhrasingContent[], f: Fmt): void => {
    for (const n of list) {
      const cur = htmlStack.length ? htmlStack[htmlStack.length - 1]! : f;
      switch (n.type) {
        case 'text':
          push(tieNumbers(n.value.replace(SOFT_BREAK, ' ')), cur);
          break;
        case 'inlineCode':
          push(n.value.replace(SOFT_BREAK, ' '), { ...cur, mono: true }, base.size * 0.92);
          break;
        case 'break':
          push('\n', cur);
          break;
        case 'strong':
          walk(n.children, { ...cur, bold: true });
          break;
        case 'emphasis':
          walk(n.children, { ...cur, italic: true });
          break;
        case 'delete':
          walk(n.children, { ...cur, strike: true });
          break;
        case 'link':
          walk(n.children, { ...cur, link: n.url, linkOf: n });
          break;
        case 'linkReference': {
          // micromark makes a reference only when a definition exists; a lost one prints its text.
          const url = definition(n.identifier)?.url;
          walk(n.children, url === undefined ? cur : { ...cur, link: url, linkOf: n });
          break;
        }
        case 'image':
          image(n.url, n.alt ?? '', cur);
          break;
        case 'imageReference':
          image(definition(n.identifier)?.url ?? '', n.alt ?? '', cur);
          break;
        case 'footnoteReference':
          push(`[${n.label ?? n.identifier}]`, cur);
          break;
        case 'html':
          inlineHtml(n.value, cur);
          break;
      }
    }
  };
  const inlineHtml = (tag: string, cur: Fmt): void => {
    if (tag.startsWith('<!--')) return;
    const m = /^<(\/?)([A-Za-z][A-Za-z0-9-]*)/.exec(tag);
    const name = m?.[2]?.toLowerCase() ?? '';
    if (!m || !KNOWN_TAGS.has(name)) {
      // Not formatting: shown as written (a `<named>` placeholder is content).
      push(tag, cur);
      return;
    }
    const closing = m[1] === '/';
    if (name === 'br' || ((name === 'p' || name === 'div' || name === 'li') && closing)) {
      push('\n', cur);
      return;
    }
    if (closing) {
      htmlStack.pop();
      return;
    }
    if (/\/>$/.test(tag) || name === 'img' || name === 'hr' || name === 'wbr' || name === 'col') return;
    const next: Fmt = { ...cur };
    if (name === 'b' || name === 'strong' || name === 'th') next.bold = true;
    if (name === 'i' || name === 'em' || name === 'cite' || name === 'var') next.italic = true;
    if (name === 'u' || name === 'ins') next.underline = true;
    if (name === 's' || name === 'del' || name === 'strike') next.strike = true;
    if (name === 'code' || name === 'kbd' || name === 'samp' || name === 'tt') next.mono = true;
    if (name === 'a') {
      const href = /href\s*=\s*"([^"]*)"|href\s*=\s*'([^']*)'/.exec(tag);
      if (href) {
        next.link = href[1] ?? href[2];
        next.linkOf = next;
      }
    }
    htmlStack.push(next);
  };
  walk(nodes, baseFmt);
  return out;
}

/** A run of one span inside a word, at one bidi level, with its glyphs. */
interface Part {
  span: Span;
  text: string;
  /** Width in points. */
  w: number;
  shaped: Shaped;
  level: number;
  hyphen?: boolean;
}
interface Token {
  kind: 'word' | 'space' | 'nl';
  parts: Part[];
  w: number;
  /** A line may break before this token without a space (CJK characters, Thai words). */
  breakBefore?: boolean;
}

export interface BreakOptions {
  /** Hyphenate words in this language (BCP 47) where that fills a line; null or absent: never. */
  hyphenate?: string | null;
  /** The document's language (CJK glyph forms for ideographs). */
  lang?: string;
}

const CJK = '\u1100-\u11ff\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef';
const TOKEN_RE = new RegExp(`( +)|(\\n)|([${CJK}])|([^ \\n${CJK}]+)`, 'gu');
const THAI = /[\u0e00-\u0e7f]/;
const BREAK_AFTER = new Set(['/', '-', '_', ':', '.', ',', '=', '&', '?', ';', '@', '\\', '|', ')', ']', '}', '+']);

let thaiWords: Intl.Segmenter | null = null;
/** Thai is written without spaces between words: ICU's dictionary segmentation gives the break points. */
function thaiSegments(text: string): string[] {
  thaiWords ??= new Intl.Segmenter('th', { granularity: 'word' });
  return Array.from(thaiWords.segment(text), (s) => s.segment);
}

interface Paragraph {
  levels: Uint8Array | null;
  base: number;
  cjk: CjkHint;
}

function makePart(span: Span, text: string, level: number, cjk: CjkHint, hyphen = false): Part {
  const rtl = level % 2 === 1;
  const shaped = shapeText(rtl ? mirrored(text) : text, span.style, { rtl, cjk });
  const part: Part = { span, text, w: (shaped.w * span.size) / 1000, shaped, level };
  if (hyphen) part.hyphen = true;
  return part;
}

/** Parts of one span's piece of text at `offset` in the paragraph, split where the bidi level changes. */
function partsOf(span: Span, text: string, offset: number, para: Paragraph): Part[] {
  if (!para.levels) return [makePart(span, text, 0, para.cjk)];
  const out: Part[] = [];
  let from = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i === text.length || para.levels[offset + i] !== para.levels[offset + from]) {
      out.push(makePart(span, text.slice(from, i), para.levels[offset + from]!, para.cjk));
      from = i;
    }
  }
  return out;
}

function tokenize(spans: Span[], para: Paragraph): Token[] {
  const toks: Token[] = [];
  let prevWord: Token | null = null;
  let offset = 0;
  const addWord = (span: Span, text: string, at: number, breakBefore: boolean): void => {
    const parts = partsOf(span, text, at, para);
    const w = parts.reduce((a, p) => a + p.w, 0);
    if (prevWord && !breakBefore && !prevWord.breakBefore) {
      prevWord.parts.push(...parts);
      prevWord.w += w;
    } else {
      const t: Token = { kind: 'word', parts, w };
      if (breakBefore) t.breakBefore = true;
      toks.push(t);
      prevWord = t;
    }
  };
  for (const span of spans) {
    TOKEN_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = TOKEN_RE.exec(span.text))) {
      const at = offset + m.index;
      if (m[1]) {
        const part = makePart(span, m[1], para.levels ? para.levels[at]! : 0, para.cjk);
        toks.push({ kind: 'space', parts: [part], w: part.w });
        prevWord = null;
      } else if (m[2]) {
        toks.push({ kind: 'nl', parts: [], w: 0 });
        prevWord = null;
      } else if (m[3]) {
        addWord(span, m[3], at, true);
      } else if (THAI.test(m[4]!)) {
        let k = 0;
        for (const seg of thaiSegments(m[4]!)) {
          addWord(span, seg, at + k, k > 0);
          k += seg.length;
        }
      } else {
        addWord(span, m[4]!, at, false);
      }
    }
    offset += span.text.length;
  }
  return toks;
}

/** Cuts a word wider than `max` into pieces that fit, preferring a cut after punctuation; never inside a cluster. */
function cutWord(tok: Token, max: number, first: number, para: Paragraph): Part[][] {
  type Ch = { span: Span; ch: string; w: number; level: number };
  const chars: Ch[] = [];
  for (const p of tok.parts) {
    const units = p.shaped.complex ? clusters(p.text) : Array.from(p.text);
    for (const ch of units) chars.push({ span: p.span, ch, w: measure(ch, p.span.style, p.span.size, para.cjk), level: p.level });
  }
  const pieces: Part[][] = [];
  let limit = first;
  let start = 0;
  while (start < chars.length) {
    let end = start;
    let curW = 0;
    let lastBreak = -1;
    while (end < chars.length && (curW + chars[end]!.w <= limit || end === start)) {
      curW += chars[end]!.w;
      if (BREAK_AFTER.has(chars[end]!.ch)) lastBreak = end + 1;
      end++;
    }
    if (end < chars.length && lastBreak > start && lastBreak - start >= (end - start) * 0.6) end = lastBreak;
    const piece: Part[] = [];
    let run: { span: Span; text: string; level: number } | null = null;
    for (let i = start; i < end; i++) {
      const c = chars[i]!;
      if (run && run.span === c.span && run.level === c.level) run.text += c.ch;
      else {
        if (run) piece.push(makePart(run.span, run.text, run.level, para.cjk));
        run = { span: c.span, text: c.ch, level: c.level };
      }
    }
    if (run) piece.push(makePart(run.span, run.text, run.level, para.cjk));
    pieces.push(piece);
    start = end;
    limit = max;
  }
  return pieces;
}

/**
 * The longest hyphenated head of a one-part word that fits in `room`, and the rest; null when the
 * word has no break point that fits.
 */
function hyphenate(tok: Token, room: number, lang: string, para: Paragraph): [Part, Part] | null {
  if (tok.parts.length !== 1) return null;
  const p = tok.parts[0]!;
  if (p.span.style === 'mono' || p.span.style === 'monoBold' || p.level % 2 === 1 || p.span.link) return null;
  const m = /^([^\p{L}]*)(\p{L}[\p{L}\p{M}]*)([^\p{L}]*)$/u.exec(p.text);
  if (!m) return null;
  const [, lead, core, trail] = m as unknown as [string, string, string, string];
  const points = hyphenationPoints(core, lang);
  for (let k = points.length - 1; k >= 0; k--) {
    const at = lead.length + points[k]!;
    const head = makePart(p.span, `${p.text.slice(0, at)}-`, p.level, para.cjk, true);
    if (head.w <= room) {
      head.text = p.text.slice(0, at);
      return [head, makePart(p.span, p.text.slice(at), p.level, para.cjk)];
    }
  }
  void trail;
  return null;
}

function paragraphOf(spans: Span[], lang: string): Paragraph {
  let text = '';
  for (const s of spans) text += s.text;
  const cjk = cjkHintOf(text, lang);
  if (!RTL_CHARS.test(text)) return { levels: null, base: 0, cjk };
  const { levels, base } = embeddingLevels(text);
  return { levels, base, cjk };
}

/** Breaks spans into lines no wider than `max`. `leading` is the line height as a multiple of the largest size. */
export function breakLines(spans: Span[], max: number, leading = 1.32, opts: BreakOptions = {}): Line[] {
  const para = paragraphOf(spans, opts.lang ?? 'en');
  const lines: Line[] = [];
  let parts: Part[] = [];
  let width = 0;
  let pendingSpace: Part | null = null;
  let maxSize = spans.length ? spans[0]!.size : 10;
  const flush = (last: boolean): void => {
    lines.push(makeLine(parts, maxSize, leading, last, para));
    parts = [];
    width = 0;
    pendingSpace = null;
  };
  const toks = tokenize(spans, para);
  for (let t = 0; t < toks.length; t++) {
    let tok = toks[t]!;
    for (const p of tok.parts) if (p.span.size > maxSize) maxSize = p.span.size;
    if (tok.kind === 'nl') {
      flush(true);
      continue;
    }
    if (tok.kind === 'space') {
      if (parts.length) pendingSpace = tok.parts[0]!;
      continue;
    }
    const sw = pendingSpace ? pendingSpace.w : 0;
    if (width + sw + tok.w <= max + 0.01) {
      if (pendingSpace) parts.push(pendingSpace);
      parts.push(...tok.parts);
      width += sw + tok.w;
      pendingSpace = null;
      continue;
    }
    // Does not fit: hyphenate when that fills a noticeably ragged line.
    if (opts.hyphenate && parts.length && max - width > max * 0.12) {
      const split = hyphenate(tok, max - width - sw, opts.hyphenate, para);
      if (split) {
        if (pendingSpace) parts.push(pendingSpace);
        parts.push(split[0]);
        flush(false);
        tok = { kind: 'word', parts: [split[1]], w: split[1].w };
        toks[t] = tok;
        t--;
        continue;
      }
    }
    if (tok.w <= max + 0.01) {
      if (parts.length) flush(false);
      parts.push(...tok.parts);
      width = tok.w;
      pendingSpace = null;
      continue;
    }
    // Too wide for any line: cut it, starting on the current line when a useful part of it fits.
    const room = max - width - sw;
    const startHere = parts.length > 0 && room > max * 0.3;
    if (parts.length && !startHere) flush(false);
    if (startHere && pendingSpace) {
      parts.push(pendingSpace);
      width += sw;
    }
    const pieces = cutWord(tok, max, startHere ? room : max, para);
    pieces.forEach((piece, k) => {
      if (k > 0) flush(false);
      parts.push(...piece);
      width += piece.reduce((a, p) => a + p.w, 0);
    });
    pendingSpace = null;
  }
  if (parts.length || lines.length === 0) flush(true);
  return lines;
}

/** A line from its parts in logical order: bidi reordering, x positions, gaps. */
function makeLine(parts: Part[], size: number, leading: number, last: boolean, para: Paragraph): Line {
  let order: Part[] = parts;
  const actual: string | null = null;
  if (para.levels && parts.some((p) => p.level % 2 === 1)) order = visualOrder(parts.map((p) => p.level)).map((i) => parts[i]!);
  const frags: Frag[] = [];
  let x = 0;
  let gaps = 0;
  for (const p of order) {
    if (p.text.trim() === '' && !p.hyphen) {
      x += p.w;
      gaps++;
      continue;
    }
    const f: Frag = { x, w: p.w, text: p.text, span: p.span, shaped: p.shaped, gap: gaps };
    if (p.hyphen) f.hyphen = true;
    frags.push(f);
    x += p.w;
  }
  const h = size * leading;
  return { frags, width: x, h, base: (h - size * 1.164) / 2 + size * 0.928, gaps, last, rtl: para.base % 2 === 1, actual };
}

/** Narrowest and widest sensible widths of a cell: its widest word, and its widest forced line. */
export function measureSpans(spans: Span[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  let line = 0;
  for (const tok of tokenize(spans, paragraphOf(spans, 'en'))) {
    if (tok.kind === 'nl') {
      if (line > max) max = line;
      line = 0;
      continue;
    }
    line += tok.w;
    if (tok.kind === 'word' && tok.w > min) min = tok.w;
  }
  if (line > max) max = line;
  return { min, max };
}
