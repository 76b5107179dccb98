// Inline content → styled spans → lines. Greedy first-fit line breaking at spaces and between CJK
// characters; tokens wider than the line (digests, URLs, log tokens) are cut, preferably after / - _ : . , = & ?
import type { Definition, PhrasingContent } from 'mdast';
import { measure, type FontStyle } from '../fonts.js';
import { LINK, type Color } from './page.js';

export interface Span {
  text: string;
  style: FontStyle;
  size: number;
  color: Color;
  link?: string;
  underline?: boolean;
  strike?: boolean;
  /** An image placeholder carries its source here (text holds the visible fallback). */
  image?: { url: string; alt: string };
}

export interface Frag {
  x: number;
  w: number;
  text: string;
  span: Span;
}

export interface Line {
  frags: Frag[];
  width: number;
  /** Line box height. */
  h: number;
  /** Baseline offset from the line's top. */
  base: number;
}

interface Fmt {
  bold: boolean;
  italic: boolean;
  mono: boolean;
  underline: boolean;
  strike: boolean;
  link?: string;
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
          push(n.value.replace(SOFT_BREAK, ' '), cur);
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
          walk(n.children, { ...cur, link: n.url });
          break;
        case 'linkReference': {
          // micromark makes a reference only when a definition exists; a lost one prints its text.
          const url = definition(n.identifier)?.url;
          walk(n.children, url === undefined ? cur : { ...cur, link: url });
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
      if (href) next.link = href[1] ?? href[2];
    }
    htmlStack.push(next);
  };
  walk(nodes, baseFmt);
  return out;
}

interface Part {
  span: Span;
  text: string;
  w: number;
}
interface Token {
  kind: 'word' | 'space' | 'nl';
  parts: Part[];
  w: number;
  /** A CJK character: breaks allowed on both sides without a space. */
  cjk?: boolean;
}

const CJK = '\u1100-\u11ff\u2e80-\u303f\u3040-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef';
const TOKEN_RE = new RegExp(`( +)|(\\n)|([${CJK}])|([^ \\n${CJK}]+)`, 'gu');
const BREAK_AFTER = new Set(['/', '-', '_', ':', '.', ',', '=', '&', '?', ';', '@', '\\', '|', ')', ']', '}', '+']);

function tokenize(spans: Span[]): Token[] {
  const toks: Token[] = [];
  let prevWord: Token | null = null;
  for (const span of spans) {
    TOKEN_RE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = TOKEN_RE.exec(span.text))) {
      if (m[1]) {
        toks.push({ kind: 'space', parts: [{ span, text: m[1], w: measure(m[1], span.style, span.size) }], w: 0 });
        toks[toks.length - 1]!.w = toks[toks.length - 1]!.parts[0]!.w;
        prevWord = null;
      } else if (m[2]) {
        toks.push({ kind: 'nl', parts: [], w: 0 });
        prevWord = null;
      } else {
        const text = m[3] ?? m[4]!;
        const w = measure(text, span.style, span.size);
        const cjk = Boolean(m[3]);
        if (prevWord && !cjk && !prevWord.cjk) {
          prevWord.parts.push({ span, text, w });
          prevWord.w += w;
        } else {
          const t: Token = { kind: 'word', parts: [{ span, text, w }], w, cjk };
          toks.push(t);
          prevWord = t;
        }
      }
    }
  }
  return toks;
}

/** Cuts a word wider than `max` into pieces that fit, preferring a cut after punctuation. */
function cutWord(tok: Token, max: number, first: number): Part[][] {
  const pieces: Part[][] = [];
  let cur: Part[] = [];
  let curW = 0;
  let limit = first;
  // Work character by character across the word's parts.
  type Ch = { span: Span; ch: string; w: number };
  const chars: Ch[] = [];
  for (const p of tok.parts) for (const ch of p.text) chars.push({ span: p.span, ch, w: measure(ch, p.span.style, p.span.size) });
  let start = 0;
  while (start < chars.length) {
    let end = start;
    curW = 0;
    let lastBreak = -1;
    while (end < chars.length && (curW + chars[end]!.w <= limit || end === start)) {
      curW += chars[end]!.w;
      if (BREAK_AFTER.has(chars[end]!.ch)) lastBreak = end + 1;
      end++;
    }
    if (end < chars.length && lastBreak > start && lastBreak - start >= (end - start) * 0.6) end = lastBreak;
    cur = [];
    for (let i = start; i < end; i++) {
      const c = chars[i]!;
      const last = cur[cur.length - 1];
      if (last && last.span === c.span) {
        last.text += c.ch;
        last.w += c.w;
      } else cur.push({ span: c.span, text: c.ch, w: c.w });
    }
    pieces.push(cur);
    start = end;
    limit = max;
  }
  return pieces;
}

/** Breaks spans into lines no wider than `max`. `leading` is the line height as a multiple of the largest size. */
export function breakLines(spans: Span[], max: number, leading = 1.32): Line[] {
  const lines: Line[] = [];
  let parts: Part[] = [];
  let width = 0;
  let pendingSpace: Part | null = null;
  let maxSize = spans.length ? spans[0]!.size : 10;
  const flush = (): void => {
    lines.push(makeLine(parts, maxSize, leading));
    parts = [];
    width = 0;
    pendingSpace = null;
  };
  for (const tok of tokenize(spans)) {
    for (const p of tok.parts) if (p.span.size > maxSize) maxSize = p.span.size;
    if (tok.kind === 'nl') {
      flush();
      continue;
    }
    if (tok.kind === 'space') {
      if (parts.length) pendingSpace = tok.parts[0]!;
      continue;
    }
    const sw = pendingSpace ? pendingSpace.w : 0;
    if (width + sw + tok.w <= max + 0.01) {
      if (pendingSpace) parts.push({ ...pendingSpace });
      parts.push(...tok.parts.map((p) => ({ ...p })));
      width += sw + tok.w;
      pendingSpace = null;
      continue;
    }
    if (tok.w <= max + 0.01) {
      if (parts.length) flush();
      parts.push(...tok.parts.map((p) => ({ ...p })));
      width = tok.w;
      pendingSpace = null;
      continue;
    }
    // Too wide for any line: cut it, starting on the current line when a useful part of it fits.
    const room = max - width - sw;
    const startHere = parts.length > 0 && room > max * 0.3;
    if (parts.length && !startHere) flush();
    if (startHere && pendingSpace) {
      parts.push({ ...pendingSpace });
      width += sw;
    }
    const pieces = cutWord(tok, max, startHere ? room : max);
    pieces.forEach((piece, k) => {
      if (k > 0) flush();
      parts.push(...piece);
      width += piece.reduce((a, p) => a + p.w, 0);
    });
    pendingSpace = null;
  }
  if (parts.length || lines.length === 0) flush();
  return lines;
}

function makeLine(parts: Part[], size: number, leading: number): Line {
  const frags: Frag[] = [];
  let x = 0;
  for (const p of parts) {
    const last = frags[frags.length - 1];
    if (last && last.span === p.span) {
      last.text += p.text;
      last.w += p.w;
    } else {
      frags.push({ x, w: p.w, text: p.text, span: p.span });
    }
    x += p.w;
  }
  const h = size * leading;
  return { frags, width: x, h, base: (h - size * 1.164) / 2 + size * 0.928 };
}

/** Narrowest and widest sensible widths of a cell: its widest word, and its widest forced line. */
export function measureSpans(spans: Span[]): { min: number; max: number } {
  let min = 0;
  let max = 0;
  let line = 0;
  for (const tok of tokenize(spans)) {
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
