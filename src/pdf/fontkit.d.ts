// The part of fontkit@2 the engine uses (the package ships no types).
declare module 'fontkit' {
  export interface Glyph {
    id: number;
    advanceWidth: number;
    /** The code points this glyph stands for (several for a ligature or conjunct). */
    codePoints: number[];
    /** The outline, in font units (y up). */
    path: { commands: Array<{ command: 'moveTo' | 'lineTo' | 'quadraticCurveTo' | 'bezierCurveTo' | 'closePath'; args: number[] }> };
  }
  export interface GlyphPosition {
    xAdvance: number;
    yAdvance: number;
    xOffset: number;
    yOffset: number;
  }
  export interface GlyphRun {
    glyphs: Glyph[];
    positions: GlyphPosition[];
  }
  export interface Subset {
    includeGlyph(glyph: number | Glyph): number;
    encode(): Uint8Array;
  }
  export interface Font {
    postscriptName: string | null;
    familyName: string;
    unitsPerEm: number;
    ascent: number;
    descent: number;
    capHeight: number;
    xHeight: number;
    italicAngle: number;
    bbox: { minX: number; minY: number; maxX: number; maxY: number };
    numGlyphs: number;
    post: { isFixedPitch: number } | undefined;
    'OS/2': { sFamilyClass?: number; usWeightClass?: number } | undefined;
    glyphForCodePoint(cp: number): Glyph;
    hasGlyphForCodePoint(cp: number): boolean;
    getGlyph(id: number): Glyph;
    createSubset(): Subset;
    /** OpenType layout (GSUB, GPOS; script shapers for Arabic, Indic, Hangul...); glyphs in visual order. */
    layout(text: string, features?: string[] | Record<string, boolean>, script?: string, language?: string, direction?: 'ltr' | 'rtl'): GlyphRun;
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font;
}
