// hast → HTML text through rehype-stringify: every text and attribute value is escaped by the serializer,
// so record values (untrusted) never become markup.
import type { Root } from 'hast';
import rehypeStringify from 'rehype-stringify';
import { unified } from 'unified';

const processor = unified().use(rehypeStringify, { allowDangerousHtml: false }).freeze();

/** Serializes a hast tree (a whole page with its doctype, or a fragment). */
export function serializeHtml(tree: Root): string {
  return processor.stringify(tree);
}
