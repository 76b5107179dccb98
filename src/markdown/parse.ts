// The one Markdown pipeline: every document (SOP, protocol, requirements, the report's Markdown) is
// parsed here, once, into mdast with positions. Lint, the protocol's check blocks, computed status,
// the PDF typesetter and the HTML site all read this tree, so what QA approves is what runs.
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
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
 * positions are those of the file the text was cut from: the text is parsed behind blank lines that
 * stand for what precedes it (a line of blanks is no Markdown), so lines, columns and offsets are
 * the file's without rewriting every node.
 */
export function parseMarkdown(text: string, origin?: ParseOrigin): Root {
  const lines = origin ? origin.line - 1 : 0;
  const padding = origin ? origin.offset - lines : 0;
  if (lines < 0 || padding < 0 || (padding > 0 && lines === 0)) throw new RangeError(`parseMarkdown: origin line ${origin?.line} offset ${origin?.offset} cannot precede a text that starts a line`);
  const source = lines > 0 ? `${' '.repeat(padding)}${'\n'.repeat(lines)}${text}` : text;
  return processor.runSync(processor.parse(source), source) as Root;
}
