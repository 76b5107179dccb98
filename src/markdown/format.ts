// `qualify fmt`: a document normalised, its meaning untouched. The front matter's keys in the order of
// design.md's field table (the YAML re-written by `yaml`, comments kept); the body re-written by
// remark-stringify in the house style; the root-level `case`/`check` blocks copied byte for byte (what
// was approved to run is not re-typed). The result is parsed again and compared with the original:
// same front matter data, same mdast (positions aside), or nothing is written.
import type { Root } from 'mdast';
import * as YAML from 'yaml';
import { FRONT_MATTER_FIELDS, type Issue } from '../model/index.js';
import { parseFrontMatter } from './front-matter.js';
import { parseMarkdown } from './parse.js';
import { stringifyMarkdown } from './stringify.js';

/** Front-matter keys in the order `qualify fmt` writes them (design.md's field table first). */
export const FIELD_ORDER: readonly string[] = FRONT_MATTER_FIELDS;

export interface FormatResult {
  /** The normalised text; equal to the input when nothing changes (or when it cannot be formatted). */
  text: string;
  changed: boolean;
  /** Why the document was left as it is (front matter errors, a change of meaning); empty when formatted. */
  issues: Issue[];
}

/** Formats one document's text; never throws for content problems. */
export function formatDocument(input: string, file: string): FormatResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const keep = (issues: Issue[]): FormatResult => ({ text: input, changed: false, issues });
  const fm = parseFrontMatter(text, file);
  const errors = fm.issues.filter((i) => i.severity === 'error');
  if (errors.length) return keep(errors);

  const front = fm.yaml ? formatFrontMatter(fm.yaml.document) : fm.hasFrontMatter ? '---\n---\n' : '';
  const tree = parseMarkdown(fm.body, { line: fm.bodyStartLine, offset: fm.bodyOffset });
  const body = stringifyMarkdown(keepProtocolBlocks(tree, text));
  const output = front && body.trim() ? `${front}\n${body}` : `${front}${body.trim() ? body : ''}`;

  const difference = compare(text, output, file, fm.data);
  if (difference) return keep([difference]);
  return { text: output, changed: output !== input, issues: [] };
}

/** The front matter as YAML with its keys in FIELD_ORDER (the others after, as they were). */
function formatFrontMatter(document: YAML.Document.Parsed): string {
  const contents = document.contents;
  if (YAML.isMap(contents)) {
    const rank = (pair: YAML.Pair) => {
      const key = YAML.isScalar(pair.key) ? String(pair.key.value) : '';
      const i = FIELD_ORDER.indexOf(key);
      return i === -1 ? FIELD_ORDER.length : i;
    };
    const items = contents.items.map((pair, index) => ({ pair, index }));
    items.sort((a, b) => rank(a.pair) - rank(b.pair) || a.index - b.index);
    contents.items = items.map((x) => x.pair);
  }
  const yaml = document.toString({ lineWidth: 0, flowCollectionPadding: false });
  return `---\n${yaml}---\n`;
}

/**
 * The root-level `case` and `check` blocks as raw text: remark-stringify would write the same code
 * node, but an approved executable block is copied as it was written (its fence and indentation too),
 * line endings aside.
 */
function keepProtocolBlocks(tree: Root, source: string): Root {
  return {
    ...tree,
    children: tree.children.map((node) => {
      if (node.type !== 'code' || (node.lang !== 'check' && node.lang !== 'case') || node.position?.start.offset === undefined) return node;
      const start = source.lastIndexOf('\n', node.position.start.offset - 1) + 1;
      const raw = source.slice(start, node.position.end.offset).replace(/\r\n?/g, '\n');
      return { type: 'html', value: raw };
    }),
  };
}

/** Null when `after` means what `before` means: the same front matter data and the same tree, positions aside. */
function compare(before: string, after: string, file: string, data: Record<string, unknown>): Issue | null {
  const fm = parseFrontMatter(after, file);
  const at = (line: number, message: string): Issue => ({ file, line, column: 1, code: 'FMT_WOULD_CHANGE_CONTENT', severity: 'error', message });
  if (fm.issues.some((i) => i.severity === 'error') || JSON.stringify(sortKeys(fm.data)) !== JSON.stringify(sortKeys(data))) {
    return at(1, 'formatting would change the front matter\'s data; the file is left as it is');
  }
  const original = parseFrontMatter(before, file);
  const a = parseMarkdown(original.body, { line: original.bodyStartLine, offset: original.bodyOffset });
  const b = parseMarkdown(fm.body);
  const line = firstDifference(a, b);
  return line === null ? null : at(line, 'formatting would change what this part of the document says; the file is left as it is (please report it)');
}

/** Line (in `a`) of the first node whose content differs from `b`'s, or null when equivalent. */
export function firstDifference(a: Root, b: Root): number | null {
  const left = a.children;
  const right = b.children;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const x = left[i];
    const y = right[i];
    if (!x || !y || JSON.stringify(normalise(x)) !== JSON.stringify(normalise(y))) return (x ?? left.at(-1))?.position?.start.line ?? 1;
  }
  return null;
}

/** A node without positions, with adjacent text merged: what the Markdown says, not how it is written. */
export function normalise(node: unknown): unknown {
  if (Array.isArray(node)) {
    const out: unknown[] = [];
    for (const child of node.map(normalise)) {
      const prev = out.at(-1) as { type?: string; value?: string } | undefined;
      const cur = child as { type?: string; value?: string };
      if (prev?.type === 'text' && cur?.type === 'text') out[out.length - 1] = { type: 'text', value: `${prev.value}${cur.value}` };
      else out.push(child);
    }
    return out;
  }
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'position') continue;
    out[k] = normalise(v);
  }
  const n = out as { type?: string; value?: string };
  // Line endings inside code and raw HTML follow the file's (fmt writes LF).
  if ((n.type === 'code' || n.type === 'html') && typeof n.value === 'string') n.value = n.value.replace(/\r\n?/g, '\n');
  return out;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  return v;
}
