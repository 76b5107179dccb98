// Transforms of sanitized document hast for the site: heading anchors (test cases by their id, so the
// traceability page can point at them), labelled `check`/`case` blocks, and link/image URL rewriting.
import type { Element, ElementContent, Nodes, Root, Text } from 'hast';
import { visit } from 'unist-util-visit';

/** Maps a URL of the document to one for the site; null removes it (an image becomes its text). */
export type UrlResolver = (url: string, kind: 'link' | 'image') => string | null;

/** A test case heading's id: `IQ-02`, `OQ-03`, `TC-001` (design.md: headings whose text starts with an id). */
export const CASE_ID = /^([A-Z][A-Z0-9]*-\d+[A-Za-z0-9.]*)(?=\s|$|:)/;

const HEADING = /^h[1-6]$/;

/** The text content of a hast node. */
export function textOf(node: Nodes): string {
  if (node.type === 'text') return node.value;
  return 'children' in node ? node.children.map((c) => textOf(c as Nodes)).join('') : '';
}

/** A URL fragment from heading text: lowercase words joined by hyphens. */
export function slug(text: string): string {
  return text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'section';
}

/** The anchor of a heading: the case id for a test case heading, else a slug of its text. */
export function headingAnchor(text: string): string {
  const m = CASE_ID.exec(text.trim());
  return m ? m[1]! : slug(text);
}

/**
 * Moves the document's headings down so its highest level becomes `top` (h6 at most): a document shown
 * inside a page section keeps a correct heading outline under the section's own heading.
 */
export function shiftHeadings(tree: Root, top: number): void {
  let highest = 7;
  visit(tree, 'element', (node: Element) => {
    if (HEADING.test(node.tagName)) highest = Math.min(highest, Number(node.tagName[1]));
  });
  if (highest === 7 || highest >= top) return;
  const by = top - highest;
  visit(tree, 'element', (node: Element) => {
    if (HEADING.test(node.tagName)) node.tagName = `h${Math.min(6, Number(node.tagName[1]) + by)}`;
  });
}

/** Gives every heading a unique id (case headings: the case id itself). */
export function documentAnchors(tree: Root): void {
  const used = new Set<string>();
  visit(tree, 'element', (node: Element) => {
    if (!HEADING.test(node.tagName)) return;
    const base = headingAnchor(textOf(node));
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    node.properties = { ...node.properties, id };
  });
}

const BLOCK_LABELS: Record<string, string> = {
  check: 'Executable check (read by qualify run)',
  case: 'Test case data (requirements, risk, stage)',
};

/** Wraps `check` and `case` code blocks in a figure with a caption saying what the machine reads. */
export function labelMachineBlocks(tree: Root): void {
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName !== 'pre' || !parent || index === undefined) return;
    const code = node.children.find((c): c is Element => c.type === 'element' && c.tagName === 'code');
    const classes = (code?.properties?.className as string[] | undefined) ?? [];
    const lang = classes.find((c) => c.startsWith('language-'))?.slice('language-'.length);
    if (!lang || !BLOCK_LABELS[lang]) return;
    const caption: Element = { type: 'element', tagName: 'figcaption', properties: {}, children: [{ type: 'text', value: BLOCK_LABELS[lang] } as Text] };
    const figure: Element = { type: 'element', tagName: 'figure', properties: { className: ['block', `block-${lang}`] }, children: [caption, node] };
    (parent.children as ElementContent[])[index] = figure;
    return 'skip';
  });
}

/** Applies `resolve` to every link and image; images without a usable source become their alternative text. */
export function rewriteUrls(tree: Root, resolve: UrlResolver | undefined): void {
  visit(tree, 'element', (node: Element, index, parent) => {
    if (node.tagName === 'a' && typeof node.properties?.href === 'string') {
      const href = resolve ? resolve(node.properties.href, 'link') : node.properties.href;
      if (href === null) delete node.properties.href;
      else node.properties.href = href;
      return;
    }
    if (node.tagName === 'img' && parent && index !== undefined) {
      const src = typeof node.properties?.src === 'string' ? node.properties.src : '';
      // Without a resolver no image is loaded: the site makes no request on its own.
      const resolved = resolve && src ? resolve(src, 'image') : null;
      if (resolved !== null) {
        node.properties.src = resolved;
        node.properties.loading = 'lazy';
        return;
      }
      const alt = typeof node.properties?.alt === 'string' && node.properties.alt ? node.properties.alt : src;
      (parent.children as ElementContent[])[index] = { type: 'element', tagName: 'span', properties: { className: ['image-omitted'] }, children: [{ type: 'text', value: `[image not included: ${alt}]` }] };
    }
  });
}
