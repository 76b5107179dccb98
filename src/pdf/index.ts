// The typesetting engine: Markdown and document furniture → archival PDF. The only module that imports pdf-lib and fontkit.
export type { PdfDocumentMeta, PdfAttachment, RenderOptions, Watermark } from './types.js';
export { renderMarkdownToPdf, renderBook } from './render.js';
export { parseMarkdown } from './markdown/parse-blocks.js';
export type { Block, Inline } from './markdown/ast.js';
