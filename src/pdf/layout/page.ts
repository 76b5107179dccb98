// Pages as display lists in top-down coordinates (y grows downwards, text y is the baseline).
// The writer turns them into PDF content streams once the page count is known.
import type { FontStyle } from '../fonts.js';
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

export type Item =
  | { k: 'text'; x: number; y: number; size: number; style: FontStyle; text: string; color: Color; /** Degrees, counter-clockwise (watermarks). */ rotate?: number }
  | { k: 'rect'; x: number; y: number; w: number; h: number; fill?: Color; stroke?: Color; lw?: number }
  | { k: 'line'; x1: number; y1: number; x2: number; y2: number; color: Color; lw: number }
  | { k: 'image'; x: number; y: number; w: number; h: number; image: ImageData };

export interface LinkBox {
  x: number;
  y: number;
  w: number;
  h: number;
  url?: string;
  dest?: { page: number; y: number };
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
