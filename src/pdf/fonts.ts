// Fonts shipped with the project (npm packages, never system fonts): DejaVu for Latin, Greek, Cyrillic
// and monospace; Noto Sans JP, SC and KR for Japanese, simplified Chinese and Korean; Noto Sans Arabic,
// Hebrew, Devanagari and Thai; Noto Emoji (monochrome). The face is chosen per cluster by script and
// coverage: a script with a face of its own gets that face, anything else the style's face, then the
// first face that has it; a code point no face has is drawn as U+FFFD (visible, never dropped).
// Faces are parsed once per process; subsets are per document so the bytes depend only on the content.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as fontkit from 'fontkit';
import { isIgnorable, scriptOf, type CjkHint, type ScriptClass } from './text/script.js';

export type FontStyle = 'regular' | 'bold' | 'italic' | 'boldItalic' | 'mono' | 'monoBold';

const NOTO = '@expo-google-fonts/';
const FACE_FILES = {
  sans: 'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
  sansBold: 'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
  sansOblique: 'dejavu-fonts-ttf/ttf/DejaVuSans-Oblique.ttf',
  sansBoldOblique: 'dejavu-fonts-ttf/ttf/DejaVuSans-BoldOblique.ttf',
  mono: 'dejavu-fonts-ttf/ttf/DejaVuSansMono.ttf',
  monoBold: 'dejavu-fonts-ttf/ttf/DejaVuSansMono-Bold.ttf',
  jp: `${NOTO}noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf`,
  jpBold: `${NOTO}noto-sans-jp/700Bold/NotoSansJP_700Bold.ttf`,
  sc: `${NOTO}noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf`,
  scBold: `${NOTO}noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf`,
  kr: `${NOTO}noto-sans-kr/400Regular/NotoSansKR_400Regular.ttf`,
  krBold: `${NOTO}noto-sans-kr/700Bold/NotoSansKR_700Bold.ttf`,
  arabic: `${NOTO}noto-sans-arabic/400Regular/NotoSansArabic_400Regular.ttf`,
  arabicBold: `${NOTO}noto-sans-arabic/700Bold/NotoSansArabic_700Bold.ttf`,
  hebrew: `${NOTO}noto-sans-hebrew/400Regular/NotoSansHebrew_400Regular.ttf`,
  hebrewBold: `${NOTO}noto-sans-hebrew/700Bold/NotoSansHebrew_700Bold.ttf`,
  devanagari: `${NOTO}noto-sans-devanagari/400Regular/NotoSansDevanagari_400Regular.ttf`,
  devanagariBold: `${NOTO}noto-sans-devanagari/700Bold/NotoSansDevanagari_700Bold.ttf`,
  thai: `${NOTO}noto-sans-thai/400Regular/NotoSansThai_400Regular.ttf`,
  thaiBold: `${NOTO}noto-sans-thai/700Bold/NotoSansThai_700Bold.ttf`,
  emoji: `${NOTO}noto-emoji/400Regular/NotoEmoji_400Regular.ttf`,
} as const;
export type FaceId = keyof typeof FACE_FILES;

/** The style's own faces, in order. */
const CHAINS: Record<FontStyle, FaceId[]> = {
  regular: ['sans', 'mono'],
  bold: ['sansBold', 'sans', 'mono'],
  italic: ['sansOblique', 'sans', 'mono'],
  boldItalic: ['sansBoldOblique', 'sansBold', 'sans', 'mono'],
  mono: ['mono', 'sans'],
  monoBold: ['monoBold', 'mono', 'sansBold', 'sans'],
};

const isBold = (style: FontStyle): boolean => style === 'bold' || style === 'boldItalic' || style === 'monoBold';

/** Faces made for a script, tried before the style's own faces (DejaVu has some Arabic and Hebrew, drawn better by Noto). */
function scriptFaces(script: ScriptClass, bold: boolean, cjk: CjkHint): FaceId[] {
  const b = (id: FaceId, idBold: FaceId): FaceId[] => (bold ? [idBold, id] : [id]);
  switch (script) {
    case 'arab':
      return b('arabic', 'arabicBold');
    case 'hebr':
      return b('hebrew', 'hebrewBold');
    case 'deva':
      return b('devanagari', 'devanagariBold');
    case 'thai':
      return b('thai', 'thaiBold');
    case 'hang':
      return b('kr', 'krBold');
    case 'kana':
      return b('jp', 'jpBold');
    case 'hani':
      return cjk === 'ja' ? [...b('jp', 'jpBold'), ...b('sc', 'scBold')] : cjk === 'ko' ? [...b('kr', 'krBold'), ...b('sc', 'scBold'), 'jp'] : [...b('sc', 'scBold'), ...b('jp', 'jpBold')];
    case 'emoji':
      return ['emoji'];
    default:
      return [];
  }
}

/** Last resort for a code point the style's faces lack: every other shipped face. */
const FALLBACK: FaceId[] = ['sc', 'jp', 'kr', 'arabic', 'hebrew', 'devanagari', 'thai', 'emoji'];

const requireFromHere = createRequire(import.meta.url);

/** One font file, parsed lazily, with per-glyph caches. Widths are in 1/1000 em, rounded. */
export class Face {
  readonly id: FaceId;
  private _font: fontkit.Font | null = null;
  private readonly widths = new Map<number, number>();
  private _scale = 0;
  constructor(id: FaceId) {
    this.id = id;
  }
  get font(): fontkit.Font {
    if (!this._font) {
      const path = requireFromHere.resolve(FACE_FILES[this.id]);
      this._font = fontkit.create(readFileSync(path));
      this._scale = 1000 / this._font.unitsPerEm;
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
  /** Font units → 1/1000 em (unrounded). */
  units(v: number): number {
    if (!this._scale) void this.font;
    return v * this._scale;
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

/** How one code point is drawn in one style on the simple path. */
export interface Resolved {
  face: Face;
  gid: number;
  /** Width in 1/1000 em. */
  w: number;
  /** The text this glyph stands for (for /ToUnicode): the code point, or U+FFFD when substituted. */
  cp: number;
}

export const REPLACEMENT = 0xfffd;
const resolvedCache: Record<FontStyle, Map<number, Resolved>> = {
  regular: new Map(), bold: new Map(), italic: new Map(), boldItalic: new Map(), mono: new Map(), monoBold: new Map(),
};

/** The faces to try for a code point of `script` in `style`, best first. */
export function candidateFaces(style: FontStyle, script: ScriptClass, cjk: CjkHint): FaceId[] {
  return [...scriptFaces(script, isBold(style), cjk), ...CHAINS[style], ...FALLBACK];
}

/** The replacement glyph (U+FFFD) of a style. */
export function replacement(style: FontStyle): Resolved {
  const f = face(style === 'mono' || style === 'monoBold' ? 'mono' : 'sans');
  const gid = f.gid(REPLACEMENT);
  return { face: f, gid, w: f.width(gid), cp: REPLACEMENT };
}

/** Resolves a code point in a style (simple path: one glyph per code point). */
export function resolve(style: FontStyle, cp: number, cjk: CjkHint = 'zh'): Resolved {
  const cache = resolvedCache[style];
  const script = scriptOf(cp);
  const key = script === 'hani' ? cp + (cjk === 'ja' ? 0x1000000 : cjk === 'ko' ? 0x2000000 : 0) : cp;
  let r = cache.get(key);
  if (r) return r;
  const drawable = cp >= 0x20 && !(cp >= 0x7f && cp < 0xa0);
  if (drawable && !isIgnorable(cp)) {
    for (const id of candidateFaces(style, script, cjk)) {
      const f = face(id);
      if (f.has(cp)) {
        const gid = f.gid(cp);
        r = { face: f, gid, w: f.width(gid), cp };
        break;
      }
    }
  }
  r ??= replacement(style);
  cache.set(key, r);
  return r;
}

/** Vertical metrics of a style's primary face, in 1/1000 em. */
export function metrics(style: FontStyle): { ascent: number; descent: number } {
  const f = face(CHAINS[style][0]!);
  return { ascent: f.scale(f.font.ascent), descent: f.scale(f.font.descent) };
}
