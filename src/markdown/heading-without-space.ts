// A unified plugin: `#####Notes:` (no space after the hashes) is a heading, as real SOPs mean it.
//
// CommonMark requires a space after an ATX heading's hashes, so remark reads `#####Notes:` as a
// paragraph. The documents that use it (inforlife's process pages in the shared corpus, published
// with Jekyll/kramdown, which accepts the form) link to it as a heading: `[1](#notes)` points at the
// anchor kramdown generates for the heading "Notes:". So a paragraph of a root or block quote whose
// first line starts with 1–6 `#` followed by anything but a space or another `#` becomes a heading of
// that depth, made of the first line; the rest of the paragraph, if any, stays a paragraph. Runner,
// lint and PDF read the tree after this plugin, so they agree on what is a heading (and a test case).
import type { Blockquote, Heading, Paragraph, PhrasingContent, Root, RootContent, Text } from 'mdast';
import type { Point } from 'unist';

const HASHES = /^(#{1,6})(?![#\s])/;

/** The plugin: turns `#Text`-style first lines of paragraphs into headings. */
export function remarkHeadingWithoutSpace() {
  return (tree: Root, file: { value?: unknown }): void => {
    const source = String(file.value ?? '');
    const lines = lineStarts(source);
    const visitContainer = (parent: Root | Blockquote): void => {
      const children = parent.children as RootContent[];
      for (let i = 0; i < children.length; i++) {
        const node = children[i]!;
        if (node.type === 'blockquote') visitContainer(node);
        if (node.type !== 'paragraph') continue;
        const replaced = split(node, source, lines);
        if (replaced) {
          children.splice(i, 1, ...replaced);
          i += replaced.length - 1;
        }
      }
    };
    visitContainer(tree);
  };
}

/** The heading (and the rest of the paragraph) a `#Text` paragraph stands for, or null. */
function split(paragraph: Paragraph, source: string, lines: number[]): Array<Heading | Paragraph> | null {
  const start = paragraph.position?.start.offset;
  const first = paragraph.children[0];
  if (start === undefined || first?.type !== 'text') return null;
  // The hashes must be in the source as written (an escaped `\#` is text, not markup).
  const m = HASHES.exec(source.slice(start, start + 8));
  if (!m || !first.value.startsWith(m[1]!)) return null;
  const depth = m[1]!.length as Heading['depth'];

  // Inline children of the first line, and of the lines after it.
  const head: PhrasingContent[] = [];
  const rest: PhrasingContent[] = [];
  let inRest = false;
  for (const child of paragraph.children) {
    if (inRest) { rest.push(child); continue; }
    if (child.type === 'break') { inRest = true; continue; }
    const eol = child.type === 'text' ? /\r\n|\r|\n/.exec(child.value) : null;
    if (child.type === 'text' && eol) {
      const before = child.value.slice(0, eol.index);
      const after = child.value.slice(eol.index + eol[0].length);
      const childStart = child.position?.start.offset;
      // Offsets from the source: the value may hold decoded references that are longer in the source.
      const lineEnd = childStart === undefined ? undefined : firstLineEnd(source, childStart, source.length);
      if (before) head.push(text(before, childStart, lineEnd, lines));
      if (after && lineEnd !== undefined) {
        // Continuation lines lose their leading blanks in mdast; the text starts at the first other character.
        let afterStart = lineEnd + (source.startsWith('\r\n', lineEnd) ? 2 : 1);
        while (source[afterStart] === ' ' || source[afterStart] === '\t') afterStart++;
        rest.push(text(after, afterStart, child.position?.end.offset, lines));
      }
      inRest = true;
      continue;
    }
    head.push(child);
  }

  // Drop the opening hashes, an optional closing sequence (` ##`) and surrounding blanks.
  const opening = head[0] as Text;
  opening.value = opening.value.slice(depth);
  if (opening.position) opening.position.start = point(opening.position.start.offset! + depth, lines);
  const last = head.at(-1);
  if (last?.type === 'text') last.value = last.value.replace(/(^|[ \t]+)#+[ \t]*$/, '').replace(/[ \t]+$/, '');
  if (opening.value === '' && head.length > 1) head.shift();
  const headingEnd = firstLineEnd(source, start, paragraph.position!.end.offset!);
  const heading: Heading = {
    type: 'heading',
    depth,
    children: head.filter((c) => c.type !== 'text' || c.value !== ''),
    position: { start: paragraph.position!.start, end: point(headingEnd, lines) },
  };
  if (rest.length === 0) return [heading];
  const restStart = rest[0]!.position?.start.offset ?? headingEnd + 1;
  const remainder: Paragraph = { type: 'paragraph', children: rest, position: { start: point(restStart, lines), end: paragraph.position!.end } };
  return [heading, remainder];
}

function text(value: string, start: number | undefined, end: number | undefined, lines: number[]): Text {
  const node: Text = { type: 'text', value };
  if (start !== undefined && end !== undefined) node.position = { start: point(start, lines), end: point(end, lines) };
  return node;
}

/** End offset of the line holding `start` (without its line ending), at most `limit`. */
function firstLineEnd(source: string, start: number, limit: number): number {
  let i = start;
  while (i < limit && source[i] !== '\n' && source[i] !== '\r') i++;
  return i;
}

/** Offsets where each line of `source` starts. */
function lineStarts(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** The unist point (1-based line and column) of `offset`. */
function point(offset: number, lines: number[]): Point {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lines[lo]! + 1, offset };
}
