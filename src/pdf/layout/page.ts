// Pages as display lists in top-down coordinates (y grows downwards, text y is the baseline).
// The writer turns them into PDF content streams once the page count is known.
import type { FontStyle } from '../fonts.js';
import type { Shaped } from '../text/shape.js';
import type { PdfDocumentMeta } from '../types.js';

export type Color = readonly [number, number, number];

export const BLACK: Color = [0, 0, 0];
export const TEXT: Color = [0.1, 0.1, 0.12];
export const MUTED: Color = [0.38, 0.4, 0.44];
export const RULE: Color = [0.62, 0.65, 0.7];
export const ACCENT: Color = [0.09, 0.23, 0.4];
export const LINK: Color = [0.05, 0.28, 0.62];
export const FILL_HEAD: Color = [0.9, 0.92, 0.95];
export const FILL_CODE: Color = [0.96, 0.965, 0.97];
export const PASS: Color = [0.1, 0.45, 0.2];
export const FAIL: Color = [0.7, 0.12, 0.12];

export interface ImageData {
  bytes: Uint8Array;
  kind: 'png' | 'jpg';
  width: number;
  height: number;
}

/**
 * A node of the logical structure (tagged PDF): Document, Part, H1…H6, P, L/LI/Lbl/LBody, Table/TR/TH/TD,
 * Code, Figure, BlockQuote, TOC/TOCI, Link... Its kids are child nodes and slots of content, in reading order.
 */
export interface StructNode {
  type: string;
  parent: StructNode | null;
  kids: Array<StructNode | ContentSlot>;
  /** Alternate description (figures). */
  alt?: string;
  /** Language when it differs from the document's. */
  lang?: string;
  /** Attributes: a table header cell's scope. */
  scope?: 'Column' | 'Row';
}

/** A stretch of a node's own content; the writer gives each page's part of it a marked-content id. */
export interface ContentSlot {
  node: StructNode;
  refs: Array<{ page: number; mcid: number }>;
}

export function isSlot(k: StructNode | ContentSlot): k is ContentSlot {
  return 'refs' in k;
}

/** A word as typeset: its glyphs, where it starts (points from the item's x) and how it is drawn. */
export interface PlacedWord {
  dx: number;
  s: Shaped;
  size: number;
  style: FontStyle;
  color: Color;
  /** What the glyphs stand for when they do not say it (a hyphenated head: the text without its hyphen). */
  actual?: string;
}

/** Page furniture and decoration: not content (headers, footers, watermarks, rules, backgrounds). */
export type ArtifactKind = 'Header' | 'Footer' | 'Watermark' | 'Layout';

interface Common {
  /** The content slot this item belongs to; absent → an artifact. */
  slot?: ContentSlot;
  artifact?: ArtifactKind;
}

export type Item = Common &
  (
    | { k: 'text'; x: number; y: number; size: number; style: FontStyle; text: string; color: Color }
    | { k: 'words'; x: number; y: number; words: PlacedWord[]; /** The line's logical text when it was reordered (bidi). */ actual: string | null; /** Ends in a space (the line continues on the next). */ space?: boolean }
    | { k: 'rect'; x: number; y: number; w: number; h: number; fill?: Color; stroke?: Color; lw?: number }
    | { k: 'line'; x1: number; y1: number; x2: number; y2: number; color: Color; lw: number }
    | { k: 'image'; x: number; y: number; w: number; h: number; image: ImageData }
    /** Filled outlines in PDF user space (y up), already transformed: `m`/`l`/`c`/`h` operators. */
    | { k: 'path'; ops: string; fill: Color }
  );

export interface LinkBox {
  x: number;
  y: number;
  w: number;
  h: number;
  url?: string;
  dest?: { page: number; y: number };
  /** What the link says (the annotation's /Contents, read by assistive technology). */
  text?: string;
  /** The structure element (Link, TOCI...) the annotation belongs to. */
  node?: StructNode;
}

export interface Page {
  items: Item[];
  links: LinkBox[];
  /** The document this page belongs to (running header and footer, watermark). */
  meta: PdfDocumentMeta;
  cover: boolean;
}

export interface Geometry {
  width: number;
  height: number;
  left: number;
  right: number;
  /** First y of the body area. */
  top: number;
  /** Last y of the body area. */
  bottom: number;
}

export const PAGE_SIZES = { A4: [595.28, 841.89], Letter: [612, 792] } as const;

export function geometry(size: 'A4' | 'Letter'): Geometry {
  const [width, height] = PAGE_SIZES[size];
  const side = 56;
  return { width, height, left: side, right: width - side, top: 68, bottom: height - 62 };
}
