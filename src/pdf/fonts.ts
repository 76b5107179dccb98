// Fonts shipped with the project (npm packages, never system fonts): DejaVu for Latin, Greek,
// Cyrillic and monospace; Noto Sans JP for CJK. Each code point is drawn with the first face of the
// style's fallback chain that has it; a code point no face has is drawn as U+FFFD (visible, never dropped).
// Faces are parsed once per process; subsets are per document so the bytes depend only on the content.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic' | 'mono' | 'monoBold';

const FACE_FILES = {
  sans: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  sansBold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  sansOblique: 'dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf',
  sansBoldOblique: 'dejavu-fonts-ttf/ttf/DejaVuSans-BoldOblique.ttf',
  mono: 'dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf',
  monoBold: 'dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf',
  cjk: '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
  cjkBold: '@expo-google-fonts/noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf',
} as const;
export type FaceId = keyof typeof FACE_FILES;

const CHAINS: Record<FontStyle, FaceId[]> = {
  regular: ['sans', 'cjk', 'mono'],
  bold: ['sansBold', 'cjkBold', 'sans', 'cjk', 'mono'],
  italic: ['sansOblique', 'sans', 'cjk', 'mono'],
  boldItalic: ['sansBoldOblique', 'sansBold', 'sans', 'cjkBold', 'cjk', 'mono'],
  mono: ['mono', 'sans', 'cjk'],
  monoBold: ['monoBold', 'mono', 'sansBold', 'sans', 'cjkBold', 'cjk'],
};

const requireFromHere = createRequire(import.meta.url);

/** One font file, parsed lazily, with per-code-point caches. Widths are in 1/1000 em, rounded. */
export class Face {
  readonly id: FaceId;
  private _font: fontkit.Font | null = null;
  private readonly widths = new Map<number, number>();
  constructor(id: FaceId) {
    this.id = id;
  }
  get font(): fontkit.Font {
    if (!this._font) {
      const path = requireFromHere.resolve(FACE_FILES[this.id]);
      this._font = fontkit.create(readFileSync(path));
    }
    return this._font;
  }
  has(cp: number): boolean {
    return this.font.hasGlyphForCodePoint(cp);
  }
  gid(cp: number): number {
    return this.font.glyphForCodePoint(cp).id;
  }
  /** Advance of glyph `gid` in 1/1000 em, rounded (the same number goes into the PDF /W array). */
  width(gid: number): number {
    let w = this.widths.get(gid);
    if (w === undefined) {
      w = Math.round((this.font.getGlyph(gid).advanceWidth * 1000) / this.font.unitsPerEm);
      this.widths.set(gid, w);
    }
    return w;
  }
  scale(v: number): number {
    return Math.round((v * 1000) / this.font.unitsPerEm);
  }
}

const faces = new Map<FaceId, Face>();
export function face(id: FaceId): Face {
  let f = faces.get(id);
  if (!f) {
    f = new Face(id);
    faces.set(id, f);
  }
  return f;
}

/** How one code point is drawn in one style. */
export interface Resolved {
  face: Face;
  gid: number;
  /** Width in 1/1000 em. */
  w: number;
  /** The text this glyph stands for (for /ToUnicode): the code point, or U+FFFD when substituted. */
  cp: number;
}

const REPLACEMENT = 0xfffd;
const resolvedCache: Record<FontStyle, Map<number, Resolved>> = {
  regular: new Map(), bold: new Map(), italic: new Map(), boldItalic: new Map(), mono: new Map(), monoBold: new Map(),
};

/** Resolves a code point in a style through the fallback chain; U+FFFD from DejaVu Sans when no face has it. */
export function resolve(style: FontStyle, cp: number): Resolved {
  const cache = resolvedCache[style];
  let r = cache.get(cp);
  if (r) return r;
  const drawable = cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0);
  if (drawable) {
    for (const id of CHAINS[style]) {
      const f = face(id);
      if (f.has(cp)) {
        const gid = f.gid(cp);
        r = { face: f, gid, w: f.width(gid), cp };
        break;
      }
    }
  }
  if (!r) {
    const f = face(style === 'mono' || style === 'monoBold' ? 'mono' : 'sans');
    const gid = f.gid(REPLACEMENT);
    r = { face: f, gid, w: f.width(gid), cp: REPLACEMENT };
  }
  cache.set(cp, r);
  return r;
}

/** Width of `text` in points at `size`. */
export function measure(text: string, style: FontStyle, size: number): number {
  const cache = resolvedCache[style];
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
      cp = text.codePointAt(i)!;
      i++;
    }
    const r = cache.get(cp) ?? resolve(style, cp);
    w += r.w;
  }
  return (w * size) / 1000;
}

/** Vertical metrics of a style's primary face, in 1/1000 em. */
export function metrics(style: FontStyle): { ascent: number; descent: number } {
  const f = face(CHAINS[style][0]!);
  return { ascent: f.scale(f.font.ascent), descent: f.scale(f.font.descent) };
}

/** The glyphs of one document: a subset per face used, with new glyph ids assigned in order of first use. */
export interface UsedFace {
  face: Face;
  /** Resource name, F1, F2... in order of first use. */
  name: string;
  subset: fontkit.Subset;
  /** Original gid → new gid as the 4 hex digits a content stream shows. */
  hex: Map<number, string>;
  /** New gid → width (1/1000 em). */
  widths: number[];
  /** New gid → text it stands for. */
  unicode: string[];
}

export class DocumentFonts {
  readonly used: UsedFace[] = [];
  private readonly byFace = new Map<Face, UsedFace>();

  /** Encodes `text` in `style` as runs of (face, 4-hex-digit glyph ids). */
  encode(text: string, style: FontStyle): Array<{ font: UsedFace; hex: string }> {
    const runs: Array<{ font: UsedFace; hex: string }> = [];
    let cur: { font: UsedFace; hex: string } | null = null;
    for (let i = 0; i < text.length; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < text.length) {
        cp = text.codePointAt(i)!;
        i++;
      }
      const r = resolve(style, cp);
      const u = this.use(r.face);
      let hex = u.hex.get(r.gid);
      if (hex === undefined) {
        const g = u.subset.includeGlyph(r.gid);
        u.widths[g] = r.w;
        u.unicode[g] = r.cp === REPLACEMENT ? '\ufffd' : String.fromCodePoint(cp);
        hex = g.toString(16).padStart(4, '0');
        u.hex.set(r.gid, hex);
      }
      if (!cur || cur.font !== u) {
        cur = { font: u, hex: '' };
        runs.push(cur);
      }
      cur.hex += hex;
    }
    return runs;
  }

  private use(f: Face): UsedFace {
    let u = this.byFace.get(f);
    if (!u) {
      const subset = f.font.createSubset();
      u = { face: f, name: `F${this.used.length + 1}`, subset, hex: new Map([[0, '0000']]), widths: [f.width(0)], unicode: [''] };
      this.byFace.set(f, u);
      this.used.push(u);
    }
    return u;
  }
}
