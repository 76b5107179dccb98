// `qualify revise`: the next revision of a controlled document, as a change to the text and nothing
// else. In the front matter `revision` goes up (zero padding kept), `status` becomes draft, the
// approval and effective dates go, `change_control` is recorded; a row is appended to the revision
// history table. Every edit is spliced at its place (found through `yaml`'s node ranges and the mdast
// positions), so every other byte of the file stays as it was: comments, key order, quoting, the body.
import type { Heading, Root, RootContent, Table } from 'mdast';
import * as YAML from 'yaml';
import type { Issue } from '../model/index.js';
import { headingText } from './check-blocks.js';
import { FRONT_MATTER_FIELDS } from '../model/index.js';
import { parseFrontMatter } from './front-matter.js';
import { parseMarkdown } from './parse.js';

export interface ReviseOptions {
  /** The change control that authorises the revision, e.g. CC-2026-044. */
  changeControl: string;
  /** The new revision; default: the current one counted up ("05" → "06", "R1" → "R2", "B" → "C"). */
  revision?: string;
  /** Author of the revision for the history table. */
  author?: string;
  /** What changes, for the history table. */
  summary?: string;
}

export interface ReviseResult {
  text: string;
  previousRevision: string;
  revision: string;
  /** The history heading the row went under, or null when a revision history section was added. */
  historyHeading: string | null;
  /** Why the document cannot be revised; the text is then unchanged. */
  issues: Issue[];
}

/** Statuses a revision starts from: the document is (or was) approved. */
const REVISABLE = new Set(['approved', 'effective', 'superseded', 'obsolete']);
/** A revision history heading: "8. Revision history", "Document History", "Change log" (not "Change record"). */
const HISTORY = /\b(revision|document|change|version|amendment)\s+(history|log)\b|^[\d.\s]*(history|change\s*log)\s*$/i;

/** The next revision of `current`: the last number counted up with its width kept, or the next letter. */
export function nextRevision(current: string): string | null {
  const number = /^(.*?)(\d+)$/.exec(current);
  if (number) {
    const digits = number[2]!;
    return `${number[1]}${String(Number(digits) + 1).padStart(digits.length, '0')}`;
  }
  if (/^[A-Ya-y]$/.test(current)) return String.fromCharCode(current.charCodeAt(0) + 1);
  return null;
}

interface Edit { start: number; end: number; text: string; order?: number }

/** The revised text of a document, or issues saying why it cannot be revised. */
export function reviseDocument(input: string, file: string, options: ReviseOptions): ReviseResult {
  const bom = input.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const text = bom ? input.slice(1) : input;
  const refuse = (message: string, line = 1, column = 1, code = 'REVISE_REFUSED'): ReviseResult =>
    ({ text: input, previousRevision: '', revision: '', historyHeading: null, issues: [{ file, line, column, code, severity: 'error', message }] });

  const fm = parseFrontMatter(text, file);
  const errors = fm.issues.filter((i) => i.severity === 'error');
  if (errors.length) return { text: input, previousRevision: '', revision: '', historyHeading: null, issues: errors };
  if (!fm.yaml || !YAML.isMap(fm.yaml.document.contents) || fm.yaml.document.contents.flow) {
    return refuse('a revision needs document-control fields in block YAML front matter (document_id, revision, status ...); none found');
  }
  const eol = /\r\n/.test(fm.yaml.source) ? '\r\n' : '\n';
  const map = fm.yaml.document.contents;
  const base = fm.yaml.offset;
  const pairOf = (key: string) => map.items.find((p) => YAML.isScalar(p.key) && p.key.value === key);

  const status = fm.data.status;
  if (typeof status === 'string' && !REVISABLE.has(status)) {
    return refuse(`status is "${status}": this revision is not approved yet, so there is nothing to revise; edit it, or approve it first`, fm.valuePositions.status?.line, fm.valuePositions.status?.column);
  }
  if ((status === undefined || status === null) && !fm.data.approval_date) {
    return refuse('no status and no approval_date: nothing shows that this revision was approved, so there is nothing to revise');
  }

  const revisionPair = pairOf('revision');
  const revisionNode = revisionPair?.value;
  if (!revisionPair || !YAML.isScalar(revisionNode) || !revisionNode.range) return refuse('field "revision" is missing; a revision needs the current one (e.g. revision: "05")');
  const written = fm.yaml.source.slice(revisionNode.range[0], revisionNode.range[1]);
  const previous = written.replace(/^(["'])(.*)\1$/, '$2');
  const revision = options.revision ?? nextRevision(previous);
  if (!revision) return refuse(`cannot count up revision "${previous}"; give the new one with --revision`, fm.valuePositions.revision?.line, fm.valuePositions.revision?.column);
  if (revision === previous) return refuse(`the new revision must differ from the current one ("${previous}")`);

  // Edits of the front matter, at offsets of the file's text.
  const edits: Edit[] = [];
  const quote = revisionNode.type === 'QUOTE_SINGLE' ? "'" : '"';
  edits.push({ start: base + revisionNode.range[0], end: base + revisionNode.range[1], text: `${quote}${revision}${quote}` });
  const lineStart = (offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = (offset: number) => { const i = text.indexOf('\n', offset); return i === -1 ? text.length : i + 1; };
  // The offset after the line on which a pair ends (a value's range may end just past its newline).
  const afterLineOf = (pair: YAML.Pair) => {
    const keyRange = (pair.key as YAML.Scalar).range!;
    const end = YAML.isNode(pair.value) && pair.value.range ? pair.value.range[1] : keyRange[1];
    return lineEnd(base + Math.max(keyRange[0], end - 1));
  };

  const setScalar = (key: string, value: string) => {
    const pair = pairOf(key);
    if (pair && YAML.isScalar(pair.value) && pair.value.range) {
      edits.push({ start: base + pair.value.range[0], end: base + pair.value.range[1], text: value });
      return;
    }
    if (pair && (pair.value === null || pair.value === undefined || (YAML.isScalar(pair.value) && pair.value.value === null))) {
      // `key:` with nothing after it: write the value after the colon.
      const keyEnd = base + (pair.key as YAML.Scalar).range![1];
      const colon = text.indexOf(':', keyEnd);
      const end = lineEnd(colon) - (text.slice(0, lineEnd(colon)).endsWith('\r\n') ? 2 : text.slice(0, lineEnd(colon)).endsWith('\n') ? 1 : 0);
      edits.push({ start: colon + 1, end, text: ` ${value}` });
      return;
    }
    // A new key goes after the present key that comes closest before it in the field order.
    const rank = (FRONT_MATTER_FIELDS as readonly string[]).indexOf(key);
    const rankOf = (p: YAML.Pair) => (YAML.isScalar(p.key) ? (FRONT_MATTER_FIELDS as readonly string[]).indexOf(String(p.key.value)) : -1);
    const before = map.items.filter((p) => rankOf(p) !== -1 && rankOf(p) < rank).sort((a, b) => rankOf(a) - rankOf(b));
    const anchor = before.at(-1) ?? map.items.at(-1)!;
    const at = afterLineOf(anchor);
    edits.push({ start: at, end: at, text: `${key}: ${value}${eol}` });
  };
  setScalar('status', 'draft');
  setScalar('change_control', YAML.stringify(options.changeControl).trimEnd());
  for (const key of ['approval_date', 'effective_date']) {
    const pair = pairOf(key);
    if (pair) edits.push({ start: lineStart(base + (pair.key as YAML.Scalar).range![0]), end: afterLineOf(pair), text: '' });
  }

  // The history row, in the body.
  const tree = parseMarkdown(fm.body, { line: fm.bodyStartLine, offset: fm.bodyOffset });
  const history = historyRow(tree, text, eol, { ...options, revision });
  edits.push(history.edit);

  // From the end backwards; at one offset a removal before an insertion (the insertion survives it).
  // Insertions at one offset keep the order in which they were made (the first ends up first).
  edits.forEach((e, i) => { e.order = i; });
  edits.sort((a, b) => b.start - a.start || b.end - a.end || b.order! - a.order!);
  let out = text;
  for (const e of edits) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: bom + out, previousRevision: previous, revision, historyHeading: history.heading, issues: [] };
}

/** The edit that appends the revision's row to the history table (or adds the section). */
function historyRow(tree: Root, text: string, eol: string, row: ReviseOptions & { revision: string }): { edit: Edit; heading: string | null } {
  const children = tree.children;
  // The last such heading: revision history closes a controlled document.
  const headingAt = children.findLastIndex((n) => n.type === 'heading' && HISTORY.test(headingText(n)));
  if (headingAt !== -1) {
    const heading = children[headingAt] as Heading;
    let end = children.length;
    for (let i = headingAt + 1; i < children.length; i++) {
      const n = children[i]!;
      if (n.type === 'heading' && n.depth <= heading.depth) { end = i; break; }
    }
    const section = children.slice(headingAt + 1, end);
    const table = section.find((n): n is Table => n.type === 'table');
    const name = headingText(heading).trim();
    if (table) {
      const header = (table.children[0]?.children ?? []).map((cell) => textOf(cell));
      const lastRow = text.slice(lineStartOf(text, table.position!.end.offset!), table.position!.end.offset!);
      const cells = header.map((h) => cellFor(h, row));
      const line = tableRow(cells, lastRow.trimStart().startsWith('|'), lastRow.trimEnd().endsWith('|'));
      const at = table.position!.end.offset!;
      return { edit: { start: at, end: at, text: `${eol}${line}` }, heading: name };
    }
    const last: RootContent = section.at(-1) ?? heading;
    const at = last.position!.end.offset!;
    return { edit: { start: at, end: at, text: `${eol}${eol}${newTable(row, eol)}` }, heading: name };
  }
  // No history yet: a section at the end, at the depth of the document's sections.
  const depths = children.filter((n): n is Heading => n.type === 'heading').map((h) => h.depth);
  const sections = depths.filter((d) => d > 1);
  const depth = sections.length ? Math.min(...sections) : depths.length ? Math.min(...depths) : 2;
  const trimmed = text.replace(/\s+$/, '');
  const section = `${eol}${eol}${'#'.repeat(depth)} Revision history${eol}${eol}${newTable(row, eol)}${eol}`;
  return { edit: { start: trimmed.length, end: text.length, text: section }, heading: null };
}

function newTable(row: ReviseOptions & { revision: string }, eol: string): string {
  const header = ['Revision', 'Effective date', 'Author', 'Change', 'Change control'];
  return [tableRow(header, true, true), `|${header.map(() => '---').join('|')}|`, tableRow(header.map((h) => cellFor(h, row)), true, true)].join(eol);
}

/** What goes in the column named `header` for the new revision. */
function cellFor(header: string, row: ReviseOptions & { revision: string }): string {
  const h = header.toLowerCase();
  if (/change\s*control|\bcc\b|ticket|\bcr\b/.test(h)) return row.changeControl;
  if (/date|effective/.test(h)) return '';
  if (/rev|version|issue|^no\.?$/.test(h)) return row.revision;
  if (/author|owner|\bby\b|name|who/.test(h)) return row.author ?? '';
  if (/change|description|summary|reason|comment|detail/.test(h)) return row.summary ?? '';
  return '';
}

function tableRow(cells: string[], leading: boolean, trailing: boolean): string {
  const escaped = cells.map((c) => c.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' '));
  return `${leading ? '| ' : ''}${escaped.join(' | ')}${trailing ? ' |' : ''}`.replace(/ {2,}\|/g, ' |');
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function textOf(node: unknown): string {
  const n = node as { value?: string; children?: unknown[] };
  return typeof n.value === 'string' ? n.value : (n.children ?? []).map(textOf).join('');
}
