// mdast + furniture → PDF: cover, optional table of contents, body, signature page, running
// header/footer, then the writer. A book is the same with one cover and one contents for many documents.
// The tree comes from src/markdown/parse.ts, the one Markdown parse: the PDF prints the blocks the
// runner and lint read.
import type { Root } from 'mdast';
import { visit, EXIT } from 'unist-util-visit';
import { DocumentError } from '../model/errors.js';
import { TOOL_VERSION } from '../version.js';
import { Layouter, type HeadingEntry, type LayoutOptions } from './layout/blocks.js';
import { controlBlock, coverPage, decorate, kindLabel, signatureSection, tocEntries, tocPages, type TocEntry } from './layout/furniture.js';
import { geometry, type Geometry, type Page } from './layout/page.js';
import type { PdfDocumentMeta, RenderOptions } from './types.js';
import { writePdf, type OutlineNode } from './writer.js';
import type { DocInfo } from './xmp.js';

function checkMeta(meta: PdfDocumentMeta, where: string): void {
  const t = Date.parse(meta.created);
  if (!meta.created || Number.isNaN(t)) {
    throw new DocumentError('PDF_META_INVALID', `${where}: "created" must be an ISO date or date-time taken from the record or file, found ${JSON.stringify(meta.created)}`);
  }
}

function isoCreated(meta: PdfDocumentMeta): string {
  return new Date(Date.parse(meta.created)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function docInfo(meta: PdfDocumentMeta, part: 1 | 3): DocInfo {
  const keywords = [meta.documentId, meta.revision && `revision ${meta.revision}`, meta.status, meta.reportId, meta.protocol?.documentId].filter(Boolean).join(', ');
  const subject =
    meta.kind === 'report'
      ? `${kindLabel(meta.kind)} ${meta.reportId ?? meta.documentId}${meta.protocol ? ` executed from ${meta.protocol.documentId} revision ${meta.protocol.revision}` : ''}`
      : `${kindLabel(meta.kind)} ${meta.documentId} revision ${meta.revision}`;
  return {
    title: meta.title || meta.documentId,
    author: meta.authors?.length ? meta.authors.join(', ') : null,
    subject,
    keywords,
    creatorTool: `qualify ${TOOL_VERSION}`,
    producer: `qualify ${TOOL_VERSION} typesetting engine on pdf-lib`,
    created: isoCreated(meta),
    part,
  };
}

/** Nests headings into outline nodes by level. */
function outlineOf(headings: Array<HeadingEntry & { page: number }>): OutlineNode[] {
  const roots: OutlineNode[] = [];
  const stack: Array<{ level: number; node: OutlineNode }> = [];
  for (const h of headings) {
    if (!h.text) continue;
    const node: OutlineNode = { title: h.text, page: h.page, y: h.y, children: [] };
    while (stack.length && stack[stack.length - 1]!.level >= h.level) stack.pop();
    if (stack.length) stack[stack.length - 1]!.node.children.push(node);
    else roots.push(node);
    stack.push({ level: h.level, node });
  }
  return roots;
}

/** Table of contents pages; built twice so page numbers account for the contents' own length. */
function buildToc(geo: Geometry, meta: PdfDocumentMeta, entries: (offset: number) => TocEntry[], before: number): Page[] {
  const dry = tocPages(geo, meta, entries(before + 1));
  return tocPages(geo, meta, entries(before + dry.length));
}

async function finish(pages: Page[], geo: Geometry, meta: PdfDocumentMeta, outline: OutlineNode[], options: RenderOptions): Promise<Uint8Array> {
  decorate(pages, geo);
  const attachments = options.attachments ?? [];
  return writePdf({
    pages,
    width: geo.width,
    height: geo.height,
    info: docInfo(meta, attachments.length ? 3 : 1),
    meta,
    outline,
    attachments,
  });
}

const FLOW_PARENTS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

/** Layout options for these trees; the raw-HTML converter (parse5) is loaded only when a tree has HTML. */
async function layoutOptions(trees: Root[], options: RenderOptions): Promise<LayoutOptions> {
  // Only raw HTML blocks need the converter; inline tags in a paragraph are read by the layout itself.
  let html = false;
  for (const tree of trees) {
    visit(tree, 'html', (_node, _index, parent) => {
      if (!parent || !FLOW_PARENTS.has(parent.type)) return undefined;
      html = true;
      return EXIT;
    });
    if (html) break;
  }
  return {
    numberHeadings: options.numberHeadings,
    images: options.images,
    html: html ? (await import('./layout/html.js')).htmlBlocks : undefined,
  };
}

/** Renders one document (the mdast of its body, front matter removed) with its furniture to PDF bytes. */
export async function renderMarkdownToPdf(tree: Root, meta: PdfDocumentMeta, options: RenderOptions = {}): Promise<Uint8Array> {
  checkMeta(meta, meta.documentId || 'document');
  const geo = geometry(options.pageSize ?? 'A4');

  const body = new Layouter(geo, meta, await layoutOptions([tree], options));
  body.newPage();
  body.document(tree);
  signatureSection(body, meta, true);
  options.onTypeset?.({ code: body.typesetCode });

  const cover = new Layouter(geo, meta);
  coverPage(cover, meta, TOOL_VERSION);

  const min = body.headings.length ? Math.min(...body.headings.map((h) => h.level)) : 1;
  const topLevel = body.headings.filter((h) => h.level === min).length;
  const wantToc = options.toc ?? topLevel >= 4;
  const toc = wantToc ? buildToc(geo, meta, (off) => tocEntries(body.headings, off), cover.pages.length) : [];
  const offset = cover.pages.length + toc.length;
  const pages = [...cover.pages, ...toc, ...body.pages];
  const outline = outlineOf(body.headings.map((h) => ({ ...h, page: h.page + offset })));
  return finish(pages, geo, meta, outline, options);
}

/** Renders several documents as one book: a cover, a table of contents, each document from a new page. */
export async function renderBook(docs: Array<{ tree: Root; meta: PdfDocumentMeta }>, bookMeta: PdfDocumentMeta, options: RenderOptions = {}): Promise<Uint8Array> {
  checkMeta(bookMeta, 'book');
  docs.forEach((d, i) => checkMeta(d.meta, d.meta.documentId || `document ${i + 1}`));
  const geo = geometry(options.pageSize ?? 'A4');
  const body = new Layouter(geo, bookMeta, await layoutOptions(docs.map((d) => d.tree), options));
  const starts: Array<{ page: number; y: number }> = [];
  docs.forEach((d, i) => {
    body.meta = d.meta;
    body.docIndex = i;
    body.newPage();
    starts.push({ page: body.pages.length - 1, y: body.y });
    controlBlock(body, d.meta);
    body.document(d.tree);
    signatureSection(body, d.meta, false);
  });
  options.onTypeset?.({ code: body.typesetCode });
  const cover = new Layouter(geo, bookMeta);
  coverPage(cover, bookMeta, TOOL_VERSION);
  const entries = (off: number): TocEntry[] => docs.map((d, i) => ({ level: 1, text: `${d.meta.documentId}  ${d.meta.title}`, page: starts[i]!.page + off, y: starts[i]!.y }));
  const toc = options.toc === false ? [] : buildToc(geo, bookMeta, entries, cover.pages.length);
  const offset = cover.pages.length + toc.length;
  const pages = [...cover.pages, ...toc, ...body.pages];
  const outline: OutlineNode[] = docs.map((d, i) => ({
    title: `${d.meta.documentId} ${d.meta.title}`,
    page: starts[i]!.page + offset,
    y: starts[i]!.y,
    children: outlineOf(body.headings.filter((h) => h.doc === i).map((h) => ({ ...h, page: h.page + offset }))),
  }));
  return finish(pages, geo, bookMeta, outline, options);
}
