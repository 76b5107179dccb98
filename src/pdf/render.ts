// mdast + furniture → PDF: cover, optional table of contents, body, signature page, running
// header/footer, then the writer. A book is the same with one cover and one contents for many documents.
// The tree comes from src/markdown/parse.ts, the one Markdown parse: the PDF prints the blocks the
// runner and lint read.
import type { Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit, EXIT } from 'unist-util-visit';
import { DocumentError } from '../model/errors.js';
import { TOOL_VERSION } from '../version.js';
import { Layouter, structNode, type HeadingEntry, type LayoutOptions } from './layout/blocks.js';
import { controlBlock, coverPage, decorate, kindLabel, signatureSection, tocEntries, tocPages, type TocEntry } from './layout/furniture.js';
import { geometry, type Geometry, type Page, type StructNode } from './layout/page.js';
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
function buildToc(geo: Geometry, meta: PdfDocumentMeta, entries: (offset: number) => TocEntry[], before: number, top: StructNode): Page[] {
  const lang = meta.lang ?? 'en';
  const dry = tocPages(geo, meta, entries(before + 1), top, lang);
  return tocPages(geo, meta, entries(before + dry.length), top, lang);
}

/** The Document element over the parts in reading order (cover, contents, body). */
function documentNode(parts: StructNode[]): StructNode {
  const doc = structNode('Document', null);
  for (const p of parts) {
    if (!p.kids.length) continue;
    p.parent = doc;
    doc.kids.push(p);
  }
  return doc;
}

async function finish(pages: Page[], geo: Geometry, meta: PdfDocumentMeta, outline: OutlineNode[], options: RenderOptions, structure: StructNode): Promise<Uint8Array> {
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
    structure,
    lang: meta.lang ?? 'en',
  });
}

const FLOW_PARENTS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition']);

/** Layout options for these trees; the raw-HTML converter (parse5) is loaded only when a tree has HTML. */
async function layoutOptions(trees: Root[], options: RenderOptions, lang: string): Promise<LayoutOptions> {
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
    lang,
    justify: options.justify,
    hyphenate: options.hyphenate,
  };
}

/** Renders one document (the mdast of its body, front matter removed) with its furniture to PDF bytes. */
export async function renderMarkdownToPdf(tree: Root, meta: PdfDocumentMeta, options: RenderOptions = {}): Promise<Uint8Array> {
  checkMeta(meta, meta.documentId || 'document');
  const geo = geometry(options.pageSize ?? 'A4');

  const lang = meta.lang ?? 'en';
  const body = new Layouter(geo, meta, await layoutOptions([tree], options, lang), structNode('Part', null));
  body.newPage();
  body.document(tree);
  signatureSection(body, meta, true);
  options.onTypeset?.({ code: body.typesetCode });

  const cover = new Layouter(geo, meta, { lang }, structNode('Part', null));
  coverPage(cover, meta, TOOL_VERSION);

  const min = body.headings.length ? Math.min(...body.headings.map((h) => h.level)) : 1;
  const topLevel = body.headings.filter((h) => h.level === min).length;
  const wantToc = options.toc ?? topLevel >= 4;
  const tocTop = structNode('Part', null);
  const toc = wantToc ? buildToc(geo, meta, (off) => tocEntries(body.headings, off), cover.pages.length, tocTop) : [];
  const offset = cover.pages.length + toc.length;
  const pages = [...cover.pages, ...toc, ...body.pages];
  const outline = outlineOf(body.headings.map((h) => ({ ...h, page: h.page + offset })));
  return finish(pages, geo, meta, outline, options, documentNode([cover.top, tocTop, body.top]));
}

/** Renders several documents as one book: a cover, a table of contents, each document from a new page. */
export async function renderBook(docs: Array<{ tree: Root; meta: PdfDocumentMeta }>, bookMeta: PdfDocumentMeta, options: RenderOptions = {}): Promise<Uint8Array> {
  checkMeta(bookMeta, 'book');
  docs.forEach((d, i) => checkMeta(d.meta, d.meta.documentId || `document ${i + 1}`));
  const geo = geometry(options.pageSize ?? 'A4');
  const lang = bookMeta.lang ?? 'en';
  const body = new Layouter(geo, bookMeta, await layoutOptions(docs.map((d) => d.tree), options, lang), structNode('Part', null));
  const starts: Array<{ page: number; y: number }> = [];
  docs.forEach((d, i) => {
    body.meta = d.meta;
    body.docIndex = i;
    body.newPage();
    starts.push({ page: body.pages.length - 1, y: body.y });
    // Each document of the book is an Art(icle) of its own, in its own language.
    const art = body.open('Art', d.meta.lang && d.meta.lang !== lang ? { lang: d.meta.lang } : {});
    controlBlock(body, d.meta);
    // The control block shows the title: a first heading that only repeats it is not printed again.
    const first = d.tree.children[0];
    const repeats = first?.type === 'heading' && [d.meta.title, `${d.meta.documentId} ${d.meta.title}`].includes(toString(first).trim());
    body.document(repeats ? { ...d.tree, children: d.tree.children.slice(1) } : d.tree);
    signatureSection(body, d.meta, false);
    body.close(art);
  });
  options.onTypeset?.({ code: body.typesetCode });
  const cover = new Layouter(geo, bookMeta, { lang }, structNode('Part', null));
  coverPage(cover, bookMeta, TOOL_VERSION);
  // Contents: each document, and its top-level sections.
  const entries = (off: number): TocEntry[] =>
    docs.flatMap((d, i) => {
      const title = d.meta.kind === 'report' ? d.meta.title : `${d.meta.documentId}  ${d.meta.title}`;
      // Sections: the top level of the document's own headings (a heading repeating the title is not one).
      const own = body.headings.filter((h) => h.doc === i && h.text !== 'Signatures' && h.text !== d.meta.title && h.text !== title);
      const min = own.length ? Math.min(...own.map((h) => h.level)) : 1;
      return [
        { level: 1, text: title, page: starts[i]!.page + off, y: starts[i]!.y },
        ...own.filter((h) => h.level === min).map((h) => ({ level: 2, text: h.text, page: h.page + off, y: h.y })),
      ];
    });
  const tocTop = structNode('Part', null);
  const toc = options.toc === false ? [] : buildToc(geo, bookMeta, entries, cover.pages.length, tocTop);
  const offset = cover.pages.length + toc.length;
  const pages = [...cover.pages, ...toc, ...body.pages];
  const outline: OutlineNode[] = docs.map((d, i) => ({
    title: d.meta.kind === 'report' ? d.meta.title : `${d.meta.documentId} ${d.meta.title}`,
    page: starts[i]!.page + offset,
    y: starts[i]!.y,
    children: outlineOf(body.headings.filter((h) => h.doc === i).map((h) => ({ ...h, page: h.page + offset }))),
  }));
  return finish(pages, geo, bookMeta, outline, options, documentNode([cover.top, tocTop, body.top]));
}
