// Raw HTML blocks are not rendered as HTML: their readable content is typeset instead. The block is
// parsed by parse5 (hast-util-from-html) and turned into mdast by hast-util-to-mdast, so a <table>
// converted from Word becomes a real table, <b>/<i>/<a>/<br>/<p>/lists keep their meaning, and the
// layout typesets the result like any other mdast. HTML comments, <script> and <style> print nothing.
// Loaded only for documents that contain raw HTML.
import type { BlockContent, DefinitionContent, Nodes, PhrasingContent, RootContent } from 'mdast';
import { fromHtml } from 'hast-util-from-html';
import { toMdast } from 'hast-util-to-mdast';

/** Converts the text of one raw HTML block to mdast blocks for the layout. */
export type HtmlBlocks = (html: string) => Array<RootContent | BlockContent | DefinitionContent>;

export const htmlBlocks: HtmlBlocks = (html) => {
  return printable(toMdast(fromHtml(html, { fragment: true })));
};

const PHRASING = new Set(['text', 'emphasis', 'strong', 'delete', 'inlineCode', 'break', 'link', 'linkReference', 'image', 'imageReference', 'footnoteReference']);

/**
 * Flow content of the converted tree: comments (kept by hast-util-to-mdast as `html`) dropped, and
 * phrasing left at the top (inline-only HTML such as `<a>text`) wrapped in paragraphs.
 */
function printable(tree: Nodes): Array<RootContent | BlockContent | DefinitionContent> {
  const children: RootContent[] = tree.type === 'root' ? tree.children : [tree as RootContent];
  const out: Array<RootContent | BlockContent | DefinitionContent> = [];
  let run: PhrasingContent[] = [];
  const flush = (): void => {
    if (run.some((n) => n.type !== 'text' || n.value.trim() !== '')) out.push({ type: 'paragraph', children: run });
    run = [];
  };
  for (const n of children) {
    if (n.type === 'html') continue;
    if (PHRASING.has(n.type)) run.push(n as PhrasingContent);
    else {
      flush();
      out.push(n);
    }
  }
  flush();
  return out;
}
