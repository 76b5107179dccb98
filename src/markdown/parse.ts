// The one Markdown pipeline: every document (SOP, protocol, requirements, the report's Markdown) is
// parsed here, once, into mdast with positions. Lint, the protocol's check blocks, computed status,
// the PDF typesetter and the HTML site all read this tree, so what QA approves is what runs.
import type { Root } from 'mdast';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

const processor = unified().use(remarkParse).use(remarkGfm).freeze();

/** Parses a Markdown body (front matter already removed) into mdast with positions. */
export function parseMarkdown(text: string): Root {
  return processor.parse(text) as Root;
}
