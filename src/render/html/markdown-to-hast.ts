// mdast → hast for the auditor's site: the same tree the PDF is typeset from, turned into semantic HTML
// through remark-rehype. Raw HTML written in a document is parsed (rehype-raw) and then sanitized
// (rehype-sanitize, GitHub's schema), so a document can never put a script, a style or an event
// handler into the site. Our own additions (heading anchors, labelled check/case blocks, rewritten
// links and images) run after the sanitizer, on trusted code only.
import type { Root as HastRoot } from 'hast';
import type { Root as MdastRoot } from 'mdast';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize from 'rehype-sanitize';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { documentAnchors, labelMachineBlocks, rewriteUrls, shiftHeadings, type UrlResolver } from './plugins.js';

export type { UrlResolver } from './plugins.js';

export interface MarkdownToHastOptions {
  /** Rewrites a link or image URL of the document (relative links to other documents, images); null drops it. */
  resolveUrl?: UrlResolver;
  /** The level the document's highest heading takes (default: as written). */
  topHeading?: number;
}

// remark-rehype keeps raw HTML as `raw` nodes only when asked; rehype-raw then parses them for the sanitizer.
const withRaw = unified().use(remarkRehype, { allowDangerousHtml: true }).use(rehypeRaw).use(rehypeSanitize).freeze();
// Most documents hold no raw HTML: skip the full HTML re-parse for them (the sanitizer still runs).
const withoutRaw = unified().use(remarkRehype).use(rehypeSanitize).freeze();

function hasRawHtml(tree: MdastRoot): boolean {
  let found = false;
  visit(tree, 'html', () => {
    found = true;
    return false;
  });
  return found;
}

/** The document's mdast as sanitized hast, with anchors on headings and labelled check/case blocks. Never mutates `tree`. */
export function markdownToHast(tree: MdastRoot, options: MarkdownToHastOptions = {}): HastRoot {
  const processor = hasRawHtml(tree) ? withRaw : withoutRaw;
  const hast = processor.runSync(structuredClone(tree)) as HastRoot;
  if (options.topHeading) shiftHeadings(hast, options.topHeading);
  documentAnchors(hast);
  labelMachineBlocks(hast);
  rewriteUrls(hast, options.resolveUrl);
  return hast;
}
