// Text → positioned glyphs. Simple text (Latin, Greek, Cyrillic, CJK, symbols) is one glyph per code
// point with the advances of the font; text that needs OpenType shaping (Arabic joining, Hebrew and
// Devanagari marks and conjuncts, Thai, emoji sequences, combining marks) goes through fontkit's layout
// (GSUB and GPOS) run by run, a run being the clusters drawn by one face. Results are cached per word:
// documents repeat their words, and shaping is the expensive part of typesetting.
import type * as fontkit from 'fontkit';
import { candidateFaces, face as faceOf, replacement, resolve, type Face, type FontStyle } from '../fonts.js';
import { isEmojiCluster, isIgnorable, languageOfScript, needsShaping, scriptOf, RTL_CHARS, type CjkHint, type ScriptClass } from './script.js';

/** Glyphs of one face, in visual order (left to right). Advances and offsets in 1/1000 em. */
export interface GlyphRun {
  face: Face;
  gids: number[];
  adv: number[];
  /** Mark offsets from fontkit's GPOS; null when every offset is zero. */
  dx: number[] | null;
  dy: number[] | null;
  /** The text each glyph stands for (its /ToUnicode entry). */
  uni: string[];
}

/** A shaped word (or any text without line breaks). */
export interface Shaped {
  /** The logical text. */
  text: string;
  runs: GlyphRun[];
  /** Total advance in 1/1000 em. */
  w: number;
  /** Glyph order or glyph-to-text mapping differs from the logical text: extraction needs /ActualText. */
  complex: boolean;
  /**
   * Right-to-left: glyphs in visual order, each mapped to its own text (a ligature's in visual order
   * too), the convention text extractors (poppler, pdf.js) reverse into logical order.
   */
  rtl: boolean;
  /** Language of the text when its script says it (Arabic, Hebrew, Hindi, Thai, CJK), else null. */
  lang: string | null;
}

export interface ShapeOptions {
  rtl?: boolean;
  cjk?: CjkHint;
}

const MAX_CACHE = 60000;
let cache = new Map<string, Shaped>();

/** Shapes `text` (no line breaks) in `style`; cached. */
export function shapeText(text: string, style: FontStyle, o: ShapeOptions = {}): Shaped {
  const cjk = o.cjk ?? 'zh';
  // Words repeat, whole lines (code, logs) rarely: only short texts are worth a cache entry.
  if (text.length > 48) return needsShaping(text) ? shapeComplex(text, style, Boolean(o.rtl), cjk) : shapeSimple(text, style, cjk);
  const key = `${style}\u0000${o.rtl ? 'r' : 'l'}${cjk}\u0000${text}`;
  let s = cache.get(key);
  if (s) return s;
  s = needsShaping(text) ? shapeComplex(text, style, Boolean(o.rtl), cjk) : shapeSimple(text, style, cjk);
  if (cache.size >= MAX_CACHE) cache = new Map();
  cache.set(key, s);
  return s;
}

/** Width of `text` in points at `size` (one line, no reordering needed for a width). */
export function measure(text: string, style: FontStyle, size: number, cjk: CjkHint = 'zh'): number {
  if (!needsShaping(text)) {
    let w = 0;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
        cp = text.codePointAt(i)!;
        i++;
      }
      w += resolve(style, cp, cjk).w;
    }
    return (w * size) / 1000;
  }
  return (shapeText(text, style, { rtl: RTL_CHARS.test(text), cjk }).w * size) / 1000;
}

function shapeSimple(text: string, style: FontStyle, cjk: CjkHint): Shaped {
  const runs: GlyphRun[] = [];
  let run: GlyphRun | null = null;
  let w = 0;
  let lang: string | null = null;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      cp = text.codePointAt(i)!;
      i++;
    }
    const r = resolve(style, cp, cjk);
    if (!run || run.face !== r.face) {
      run = { face: r.face, gids: [], adv: [], dx: null, dy: null, uni: [] };
      runs.push(run);
    }
    run.gids.push(r.gid);
    run.adv.push(r.w);
    run.uni.push(r.cp === cp ? String.fromCodePoint(cp) : '\ufffd');
    w += r.w;
    if (!lang && cp >= 0x2e80) lang = languageOfScript(scriptOf(cp), cjk);
  }
  return { text, runs, w, complex: false, rtl: false, lang };
}

let graphemes: Intl.Segmenter | null = null;

/** Grapheme clusters (a base and its marks, an emoji sequence, a Hangul syllable from jamo). */
export function clusters(text: string): string[] {
  graphemes ??= new Intl.Segmenter('en', { granularity: 'grapheme' });
  return Array.from(graphemes.segment(text), (s) => s.segment);
}

function clusterScript(cluster: string): ScriptClass {
  if (isEmojiCluster(cluster)) return 'emoji';
  for (const ch of cluster) {
    const cp = ch.codePointAt(0)!;
    if (!isIgnorable(cp)) return scriptOf(cp);
  }
  return 'common';
}

/** The face that draws a whole cluster (all its code points but joiners and selectors), or null. */
function faceForCluster(cluster: string, style: FontStyle, cjk: CjkHint): Face | null {
  const cps = Array.from(cluster, (c) => c.codePointAt(0)!).filter((cp) => !isIgnorable(cp) && cp !== 0x20e3);
  if (!cps.length) return null;
  const candidates = candidateFaces(style, clusterScript(cluster), cjk);
  let baseOnly: Face | null = null;
  for (const id of candidates) {
    const f = faceOf(id);
    if (!f.has(cps[0]!)) continue;
    if (cps.every((cp) => f.has(cp))) return f;
    baseOnly ??= f;
  }
  return baseOnly;
}

function shapeComplex(text: string, style: FontStyle, rtl: boolean, cjk: CjkHint): Shaped {
  // Clusters grouped into runs of one face.
  const groups: Array<{ face: Face | null; text: string }> = [];
  let lang: string | null = null;
  for (const c of clusters(text)) {
    const f = faceForCluster(c, style, cjk);
    const last = groups[groups.length - 1];
    if (last && last.face === f) last.text += c;
    else groups.push({ face: f, text: c });
    if (!lang) {
      const s = clusterScript(c);
      if (s !== 'common' && s !== 'emoji') lang = languageOfScript(s, cjk);
    }
  }
  const runs: GlyphRun[] = [];
  let w = 0;
  for (const g of groups) {
    const run = g.face ? layoutRun(g.face, g.text, rtl) : replacementRun(g.text, style);
    runs.push(run);
    for (const a of run.adv) w += a;
  }
  if (rtl) runs.reverse();
  return { text, runs, w, complex: !rtl, rtl, lang };
}

function replacementRun(text: string, style: FontStyle): GlyphRun {
  const r = replacement(style);
  const n = clusters(text).length;
  return { face: r.face, gids: Array(n).fill(r.gid), adv: Array(n).fill(r.w), dx: null, dy: null, uni: Array(n).fill('\ufffd') };
}

interface GlyphInfo {
  id: number;
  codePoints: number[];
}

/**
 * fontkit's layout, with the code points of each glyph as shaping left them. fontkit caches one Glyph
 * object per glyph id with the code points of its first use, so a glyph shared by two letters (an
 * Arabic body that takes different dots) would report the wrong one; its shaping engine's own glyph
 * infos are right, and are read before it discards them. Glyphs go in as {id, codePoints} for the same
 * reason (glyphsForString returns cached objects).
 */
function layoutWithCodePoints(font: fontkit.Font, text: string, rtl: boolean): { run: fontkit.GlyphRun; codePoints: number[][] } {
  const input: GlyphInfo[] = Array.from(text, (ch) => {
    const cp = ch.codePointAt(0)!;
    return { id: font.glyphForCodePoint(cp).id, codePoints: [cp] };
  });
  const engine = (font as unknown as { _layoutEngine?: { engine?: { cleanup?: () => void; glyphInfos?: GlyphInfo[] | null } } })._layoutEngine?.engine;
  let infos: GlyphInfo[] | null = null;
  const cleanup = engine?.cleanup;
  if (engine && cleanup) {
    engine.cleanup = function (this: { glyphInfos?: GlyphInfo[] | null }) {
      infos = this.glyphInfos ?? null;
      return cleanup.call(this);
    };
  }
  try {
    const run = font.layout(input as unknown as string, undefined, undefined, undefined, rtl ? 'rtl' : 'ltr');
    const list = infos as GlyphInfo[] | null;
    const codePoints = list && list.length === run.glyphs.length ? list.map((g) => [...g.codePoints]) : run.glyphs.map((g) => [...g.codePoints]);
    // Glyphs come back in visual order; the infos are in logical order.
    if (list && list.length === run.glyphs.length && rtl) codePoints.reverse();
    return { run, codePoints };
  } finally {
    if (engine && cleanup) engine.cleanup = cleanup;
  }
}

/** fontkit's OpenType layout of one face's run: GSUB (joining, conjuncts, ligatures) and GPOS (kerning, marks). */
function layoutRun(f: Face, text: string, rtl: boolean): GlyphRun {
  const { run: glyphRun, codePoints } = layoutWithCodePoints(f.font, text, rtl);
  const n = glyphRun.glyphs.length;
  const run: GlyphRun = { face: f, gids: new Array(n), adv: new Array(n), dx: null, dy: null, uni: new Array(n) };
  for (let i = 0; i < n; i++) {
    const g = glyphRun.glyphs[i]!;
    const p = glyphRun.positions[i]!;
    run.gids[i] = g.id;
    run.adv[i] = f.units(p.xAdvance);
    const cps = rtl ? [...codePoints[i]!].reverse() : codePoints[i]!;
    run.uni[i] = cps.length ? String.fromCodePoint(...cps) : '';
    if (p.xOffset || p.yOffset) {
      run.dx ??= new Array(n).fill(0);
      run.dy ??= new Array(n).fill(0);
      run.dx[i] = f.units(p.xOffset);
      run.dy[i] = f.units(p.yOffset);
    }
  }
  return run;
}
