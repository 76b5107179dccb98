// The typesetting engine: mdast (one parse by src/markdown/parse.ts) and document furniture → archival
// PDF. The only module that imports pdf-lib and fontkit.
export type { PdfDocumentMeta, PdfAttachment, RenderOptions, Watermark } from './types.js';
export { renderMarkdownToPdf, renderBook } from './render.js';
export type { TypesetCode } from './layout/blocks.js';
export { warmUpEngine } from './prepare.js';
