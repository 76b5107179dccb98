// The one Markdown pipeline: every document (SOP, protocol, requirements, the report's Markdown) is
// parsed here, once, into mdast with positions. Lint, the protocol's check blocks, computed status,
// the PDF typesetter and the HTML site all read this tree, so what QA approves is what runs.
import type { Root } from 'mdast';
import type { Point } from 'unist';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import { visit } from 'unist-util-visit';
import { remarkHeadingWithoutSpace } from './heading-without-space.js';

/** remark-parse + remark-gfm + our plugins for what real documents mean (see each plugin). */
const processor = unified().use(remarkParse).use(remarkGfm).use(remarkHeadingWithoutSpace).freeze();

/** Where the text starts in its file, when it is a part of one (a body after front matter). */
export interface ParseOrigin {
  /** File line (1-based) of the text's first line. */
  line: number;
  /** Offset of the text in the file's text. */
  offset: number;
}

/**
 * Parses Markdown (front matter already removed) into mdast with positions. With `origin`, the
 * positions are those of the file the text was cut from (lines and offsets shifted; columns are
 * unchanged because a body starts at the beginning of a line).
 */
export function parseMarkdown(text: string, origin?: ParseOrigin): Root {
  const tree = processor.runSync(processor.parse(text), text) as Root;
  if (origin && (origin.line !== 1 || origin.offset !== 0)) shiftPositions(tree, origin.line - 1, origin.offset);
  return tree;
}

function shiftPositions(tree: Root, lines: number, offset: number): void {
  // New point objects: a point shared by two nodes must not be shifted twice.
  const shift = (p: Point): Point => ({ line: p.line + lines, column: p.column, offset: p.offset === undefined ? undefined : p.offset + offset });
  visit(tree, (node) => {
    if (node.position) node.position = { start: shift(node.position.start), end: shift(node.position.end) };
  });
}
