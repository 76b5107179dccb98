// Splits front-mattered Markdown and parses the YAML with positions. Never executes anything: only YAML
// front matter is accepted, read by the fast reader (yaml-fast.ts) or, outside its subset, by `yaml`
// (no custom tags run).
import type { Pair } from 'yaml';
import type { Issue, Position } from '../model/index.js';
import { parseYamlFast, type FastYaml } from './yaml-fast.js';
import { yamlLib } from './yaml-lib.js';

export interface FrontMatterResult {
  hasFrontMatter: boolean;
  data: Record<string, unknown>;
  /** Top-level key → file position of the key. */
  fieldPositions: Record<string, Position>;
  /** Top-level key → file position of the value. */
  valuePositions: Record<string, Position>;
  body: string;
  bodyStartLine: number;
  issues: Issue[];
}

const FENCE = /^---([^\r\n]*)\r?\n/;

/**
 * Splits the YAML block from the body exactly as gray-matter 4 did (this file used it; its loading,
 * with js-yaml and esprima, cost ~25 ms of every process): after the opening `---` and an optional
 * language word, the block runs to the first "\n---"; the body starts after it, minus one "\r" and one
 * "\n"; an unclosed block leaves an empty body. A block of only comments and blanks counts as empty.
 * Precondition: `text` starts with a `---` line (FENCE).
 */
function splitFrontMatter(text: string): { raw: string; content: string } {
  let str = text.slice(3);
  const len = str.length;
  const language = str.slice(0, str.search(/\r?\n/));
  if (language.trim()) str = str.slice(language.length);
  let closeIndex = str.indexOf('\n---');
  if (closeIndex === -1) closeIndex = len;
  const block = str.slice(0, closeIndex);
  const raw = block.replace(/^\s*#[^\n]+/gm, '').trim() === '' ? '' : block;
  if (closeIndex === len) return { raw, content: '' };
  let content = str.slice(closeIndex + 4);
  if (content[0] === '\r') content = content.slice(1);
  if (content[0] === '\n') content = content.slice(1);
  return { raw, content };
}

/** Parses `text` (already decoded) of `file`; problems are returned as issues, never thrown. */
export function parseFrontMatter(text: string, file: string): FrontMatterResult {
  const issues: Issue[] = [];
  const empty: FrontMatterResult = { hasFrontMatter: false, data: {}, fieldPositions: {}, valuePositions: {}, body: text, bodyStartLine: 1, issues };
  const opening = FENCE.exec(text);
  if (!opening) return empty;
  const language = opening[1]!.trim().toLowerCase();
  if (language !== '' && language !== 'yaml' && language !== 'yml') {
    issues.push({ file, line: 1, column: 4, code: 'FRONT_MATTER_LANGUAGE', severity: 'error', message: `front matter language "${opening[1]!.trim()}" is not allowed (it would be executed); expected YAML between "---" lines` });
    return { ...empty, hasFrontMatter: true, body: '', bodyStartLine: text.split('\n').length + 1 };
  }
  const { raw, content } = splitFrontMatter(text);
  const prefix = text.slice(0, text.length - content.length);
  const closed = /\n(---|\.\.\.)[ \t]*(\r?\n|$)/.test(prefix);
  if (!closed) {
    issues.push({ file, line: 1, column: 1, code: 'FRONT_MATTER_UNTERMINATED', severity: 'error', message: 'front matter opened with "---" on line 1 is never closed; expected a line "---" after the YAML' });
    return { ...empty, hasFrontMatter: true, body: '', bodyStartLine: text.split('\n').length + 1 };
  }
  const bodyStartLine = countNewlines(prefix) + 1;
  const yaml = parseYamlWithPositions(raw, file, 1, 0);
  issues.push(...yaml.issues);
  let data: Record<string, unknown> = {};
  if (yaml.ok) {
    if (yaml.value === null || yaml.value === undefined) data = {};
    else if (typeof yaml.value === 'object' && !Array.isArray(yaml.value)) data = yaml.value as Record<string, unknown>;
    else issues.push({ file, line: 2, column: 1, code: 'FRONT_MATTER_NOT_MAPPING', severity: 'error', message: `front matter must be a mapping of fields (key: value); found ${describeValue(yaml.value)}` });
  }
  return { hasFrontMatter: true, data, fieldPositions: yaml.keyPositions, valuePositions: yaml.valuePositions, body: content, bodyStartLine, issues };
}

export interface YamlParse {
  ok: boolean;
  value: unknown;
  keyPositions: Record<string, Position>;
  valuePositions: Record<string, Position>;
  issues: Issue[];
}

/**
 * Parses YAML `source` whose first line sits on file line `lineOffset + 1` and is indented by `columnOffset`.
 * Errors become located issues with code YAML_INVALID-style messages. Text inside the fast reader's subset
 * is read by it (the same value and positions, and it has no errors); any other by `yaml`.
 */
export function parseYamlWithPositions(source: string, file: string, lineOffset: number, columnOffset: number, code = 'FRONT_MATTER_INVALID'): YamlParse {
  const fast = parseYamlFast(source);
  return fast ? fromFast(fast, lineOffset, columnOffset) : parseWithYaml(source, file, lineOffset, columnOffset, code);
}

function fromFast(fast: FastYaml, lineOffset: number, columnOffset: number): YamlParse {
  const shift = (positions: FastYaml['keyPositions']) => {
    const out: Record<string, Position> = {};
    for (const [key, p] of Object.entries(positions)) out[key] = { line: p.line + lineOffset, column: p.col + columnOffset };
    return out;
  };
  return { ok: true, value: fast.value, keyPositions: shift(fast.keyPositions), valuePositions: shift(fast.valuePositions), issues: [] };
}

function parseWithYaml(source: string, file: string, lineOffset: number, columnOffset: number, code: string): YamlParse {
  const { LineCounter, parseDocument, isMap, isScalar } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + lineOffset, column: p.col + columnOffset };
  };
  const issues: Issue[] = [];
  for (const err of doc.errors) {
    const pos = at(err.pos[0]);
    const first = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    issues.push({ file, ...pos, code, severity: 'error', message: `invalid YAML: ${first}` });
  }
  const keyPositions: Record<string, Position> = {};
  const valuePositions: Record<string, Position> = {};
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items as Pair[]) {
      const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (key === undefined) continue;
      const keyRange = (pair.key as { range?: [number, number, number] }).range;
      if (keyRange) keyPositions[key] = at(keyRange[0]);
      const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
      valuePositions[key] = valueRange ? at(valueRange[0]) : keyPositions[key]!;
    }
  }
  if (issues.length > 0) return { ok: false, value: undefined, keyPositions, valuePositions, issues };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    issues.push({ file, line: lineOffset + 1, column: columnOffset + 1, code, severity: 'error', message: `invalid YAML: ${(err as Error).message}` });
    return { ok: false, value: undefined, keyPositions, valuePositions, issues };
  }
  for (const w of doc.warnings) {
    const pos = at(w.pos[0]);
    issues.push({ file, ...pos, code: 'YAML_WARNING', severity: 'warning', message: w.message.split('\n')[0]! });
  }
  return { ok: true, value, keyPositions, valuePositions, issues };
}

/** Names a value's kind for messages: "a list", "the number 5", "text \"x\"". */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Date) return 'a date object';
  switch (typeof v) {
    case 'string': return `text "${v.length > 40 ? `${v.slice(0, 37)}...` : v}"`;
    case 'number': return `the number ${v}`;
    case 'boolean': return `the boolean ${v}`;
    case 'object': return 'a mapping';
    default: return typeof v;
  }
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
