// What a protocol is made of, read from the one tree: root-level headings (test cases) and root-level
// `case`/`check` code blocks. A fence inside a list, a block quote or an HTML block is not a block of
// the protocol; it is prose, and the PDF prints it as prose. The runner executes exactly checkBlocks().
import type { Code, Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';

/** A root-level code node of a protocol: `case` (metadata) or `check` (one executable step). */
export type ProtocolCode = Code & { lang: 'case' | 'check' };
export type ProtocolBlock = Heading | ProtocolCode;

const isProtocolCode = (node: { type: string; lang?: string | null }): node is ProtocolCode =>
  node.type === 'code' && (node.lang === 'check' || node.lang === 'case');

/** Root-level headings and `case`/`check` code nodes, in document order. */
export function protocolBlocks(tree: Root): ProtocolBlock[] {
  return tree.children.filter((n): n is ProtocolBlock => n.type === 'heading' || isProtocolCode(n));
}

/** Exactly the check blocks of a protocol: the root-level code nodes with lang `check`, in order. */
export function checkBlocks(tree: Root): ProtocolCode[] {
  return tree.children.filter((n): n is ProtocolCode => n.type === 'code' && n.lang === 'check');
}

/** A heading's plain text: text, code and raw inline HTML kept; markup, image alt text and breaks dropped. */
export function headingText(heading: Heading): string {
  return toString(heading, { includeImageAlt: false });
}
