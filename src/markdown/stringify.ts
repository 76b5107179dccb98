// remark-stringify writes Markdown: one style for every document the tool writes or normalises.
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkStringify from 'remark-stringify';
import { unified } from 'unified';

/**
 * The house style: ATX headings, `-` bullets, numbered lists counting up, `*emphasis*` and
 * `**strong**`, backtick fences, `---` rules, list content one space after the marker, compact GFM
 * tables (cells not padded to a common width: long cells would make every row as long as the longest).
 */
const processor = unified()
  .use(remarkGfm, { tablePipeAlign: false })
  .use(remarkStringify, {
    bullet: '-',
    emphasis: '*',
    strong: '*',
    fence: '`',
    rule: '-',
    listItemIndent: 'one',
    incrementListMarker: true,
    setext: false,
  })
  .freeze();

/** Markdown text of an mdast tree, in the house style. */
export function stringifyMarkdown(tree: Root): string {
  return processor.stringify(tree);
}
