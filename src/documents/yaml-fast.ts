// A fast reader of the YAML that front matter, check blocks and qualify.yaml are written in: block
// mappings and sequences, one-line plain, quoted and flow scalars, simple literal and folded block
// scalars (| |- > >-), comments. For such text it returns exactly what `yaml` returns (core schema: the
// value, and the key and value positions of a top-level mapping); for anything else, or when it is not
// sure, it returns null and the caller parses with `yaml`, which also produces every error and warning.
// Why: loading `yaml` and parsing a protocol's front matter and 50 check blocks with it cost ~50 ms of a
// `qualify run` process. test/helpers/yaml-diff.ts holds it to yaml's answers.

/** A 1-based line and column, as yaml's LineCounter.linePos returns them. */
export interface LinePos {
  line: number;
  col: number;
}

export interface FastYaml {
  value: unknown;
  /** Top-level key → position of the key (a top-level mapping only). */
  keyPositions: Record<string, LinePos>;
  /** Top-level key → position of the value (for an empty value: after the spaces following ":"). */
  valuePositions: Record<string, LinePos>;
}

/** A line with content (not blank, not only a comment); `end` excludes a "\r" before the "\n". */
interface Line {
  no: number;
  start: number;
  indent: number;
  end: number;
}

interface Reader {
  src: string;
  lines: Line[];
  /** Index in `lines` of the line being read. */
  at: number;
}

interface Scanned {
  value: unknown;
  /** Offset after the scalar or collection. */
  end: number;
}

interface KeyToken {
  text: string;
  start: number;
  colon: number;
}

/** Thrown (and caught by parseYamlFast) when the text is outside the subset. */
const UNSURE = Symbol('outside the fast YAML subset');

function unsure(): never {
  throw UNSURE;
}

// Tabs, control characters, a byte order mark, Unicode line separators, a lone "\r": left to `yaml`.
const OUTSIDE = /[\t\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|\r(?!\n)/;

/** The parse of `src` as `yaml` (core schema) would return it, or null when outside the subset. */
export function parseYamlFast(src: string): FastYaml | null {
  if (OUTSIDE.test(src)) return null;
  const lines = contentLines(src);
  if (!lines) return null;
  const out: FastYaml = { value: null, keyPositions: {}, valuePositions: {} };
  if (lines.length === 0) return out;
  const r: Reader = { src, lines, at: 0 };
  try {
    out.value = readNode(r, lines[0]!.start + lines[0]!.indent, -1, out);
  } catch (err) {
    // A RangeError: nesting deep enough to overflow the stack; yaml decides.
    if (err === UNSURE || err instanceof RangeError) return null;
    throw err;
  }
  return r.at === lines.length ? out : null;
}

/** Lines with content; null when a line starts with a document marker ("---", "..."). */
function contentLines(src: string): Line[] | null {
  const lines: Line[] = [];
  for (let start = 0, no = 1; start <= src.length; no++) {
    let next = src.indexOf('\n', start);
    if (next === -1) next = src.length;
    const end = next > start && src.charCodeAt(next - 1) === 13 ? next - 1 : next;
    let i = start;
    while (i < end && src.charCodeAt(i) === 32) i++;
    if (i < end && src[i] !== '#') {
      if (src.startsWith('---', start) || src.startsWith('...', start)) return null;
      lines.push({ no, start, indent: i - start, end });
    }
    start = next + 1;
  }
  return lines;
}

function pos(line: Line, offset: number): LinePos {
  return { line: line.no, col: offset - line.start + 1 };
}

/**
 * The node starting at `p` on the current line, inside a collection at column `parentCol` (-1 at the
 * top): a block sequence, a block mapping (with its first key there), a block scalar or a one-line value.
 * A deeper line after a one-line value would continue a multi-line scalar: the enclosing collection (or
 * parseYamlFast, at the top) finds it unsure.
 */
function readNode(r: Reader, p: number, parentCol: number, top?: FastYaml): unknown {
  const line = r.lines[r.at]!;
  if (isSeqIndicator(r.src, p, line.end)) return readSeq(r, p - line.start);
  const key = scanKey(r.src, p, line.end);
  if (key) return readMap(r, p - line.start, key, top);
  // yaml gives the pairs of a top-level flow mapping positions too; not worth reproducing.
  if (top && r.src[p] === '{') unsure();
  return readValue(r, p, parentCol);
}

/** A block scalar, or a scalar or flow collection filling the rest of the current line. */
function readValue(r: Reader, p: number, parentCol: number): unknown {
  const line = r.lines[r.at]!;
  if (r.src[p] === '|' || r.src[p] === '>') return readBlockScalar(r, p, parentCol);
  const { value, end } = scanValue(r.src, p, line.end, false);
  expectLineEnd(r.src, end, line.end);
  r.at++;
  return value;
}

/** A node on the lines after a "key:" or "-" with nothing after it: a block mapping or sequence. */
function readNestedBlock(r: Reader): unknown {
  const line = r.lines[r.at]!;
  const p = line.start + line.indent;
  if (isSeqIndicator(r.src, p, line.end)) return readSeq(r, line.indent);
  const key = scanKey(r.src, p, line.end);
  if (!key) unsure();
  return readMap(r, line.indent, key);
}

function readSeq(r: Reader, col: number): unknown[] {
  const items: unknown[] = [];
  for (;;) {
    const line = r.lines[r.at]!;
    const p = skipSpaces(r.src, line.start + col + 1, line.end);
    if (p === line.end || r.src[p] === '#') {
      r.at++;
      const next = r.lines[r.at];
      items.push(next && next.indent > col ? readNestedBlock(r) : null);
    } else items.push(readNode(r, p, col));
    const next = r.lines[r.at];
    if (!next || next.indent < col) return items;
    if (next.indent > col) unsure();
    // Another node at this column: the mapping holding this sequence as a value continues.
    if (!isSeqIndicator(r.src, next.start + col, next.end)) return items;
  }
}

function readMap(r: Reader, col: number, first: KeyToken, top?: FastYaml): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (let key = first; ;) {
    // Duplicate keys are an error that `yaml` reports with its position.
    if (seen.has(key.text)) unsure();
    seen.add(key.text);
    const keyLine = r.lines[r.at]!;
    const { value, at } = readMapValue(r, key, col);
    setKey(map, key.text, value);
    if (top) {
      top.keyPositions[key.text] = pos(keyLine, key.start);
      top.valuePositions[key.text] = at;
    }
    const next = r.lines[r.at];
    if (!next || next.indent < col) return map;
    if (next.indent > col) unsure();
    const nextKey = scanKey(r.src, next.start + col, next.end);
    if (!nextKey) unsure();
    key = nextKey;
  }
}

/** The value after `key:`: on the same line, on the lines below, or empty (null). */
function readMapValue(r: Reader, key: KeyToken, col: number): { value: unknown; at: LinePos } {
  const line = r.lines[r.at]!;
  const p = skipSpaces(r.src, key.colon + 1, line.end);
  if (p < line.end && r.src[p] !== '#') return { at: pos(line, p), value: readValue(r, p, col) };
  r.at++;
  const next = r.lines[r.at];
  if (next && next.indent > col) return { at: pos(next, next.start + next.indent), value: readNestedBlock(r) };
  // A sequence may sit at the column of its key.
  if (next && next.indent === col && isSeqIndicator(r.src, next.start + col, next.end)) return { at: pos(next, next.start + col), value: readSeq(r, col) };
  return { at: pos(line, p), value: null };
}

/**
 * A block scalar: "|" (literal) or ">" (folded), clipped or stripped ("-"), its content indented beyond
 * `parentCol` from its first line on. Keep chomping ("+"), indentation indicators, leading empty lines,
 * empty lines with more spaces than the content's indentation and more-indented folded lines are unsure.
 */
function readBlockScalar(r: Reader, p: number, parentCol: number): string {
  const { src } = r;
  const line = r.lines[r.at]!;
  const strip = src[p + 1] === '-';
  expectLineEnd(src, strip ? p + 2 : p + 1, line.end);
  const block = blockLines(src, line.end, parentCol);
  while (r.at < r.lines.length && r.lines[r.at]!.start < block.end) r.at++;
  const text = src[p] === '|' ? block.lines.join('\n') : fold(block.lines);
  return strip ? text : `${text}\n`;
}

/** The content lines (indentation removed, trailing empty lines dropped) after the header ending at `from`. */
function blockLines(src: string, from: number, parentCol: number): { lines: string[]; end: number } {
  const lines: string[] = [];
  let indent = -1;
  let empty = 0;
  let start = src.indexOf('\n', from) + 1;
  if (start === 0) unsure();
  while (start < src.length) {
    let next = src.indexOf('\n', start);
    if (next === -1) next = src.length;
    const end = next > start && src.charCodeAt(next - 1) === 13 ? next - 1 : next;
    const spaces = skipSpaces(src, start, end) - start;
    if (start + spaces === end) {
      if (indent === -1 || spaces > indent) unsure();
      empty++;
    } else {
      if (indent === -1) {
        if (spaces <= parentCol) unsure();
        indent = spaces;
      } else if (spaces < indent) return { lines, end: start };
      for (; empty > 0; empty--) lines.push('');
      lines.push(src.slice(start + indent, end));
    }
    start = next + 1;
  }
  if (indent === -1) unsure();
  return { lines, end: src.length };
}

/** Folds lines as yaml does without more-indented lines: a line break is a space, n empty lines n breaks. */
function fold(lines: string[]): string {
  let text = '';
  let sep = '';
  for (const line of lines) {
    if (line === '') {
      if (sep === '\n') text += '\n';
      else sep = '\n';
    } else {
      if (line[0] === ' ') unsure();
      text += sep + line;
      sep = ' ';
    }
  }
  return text;
}

/** Sets like yaml's addPairToJSMap: keys an object already has ("toString", "constructor") are defined. */
function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key in map) Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true });
  else map[key] = value;
}

function isSeqIndicator(src: string, p: number, end: number): boolean {
  return src[p] === '-' && (p + 1 === end || src[p + 1] === ' ');
}

function skipSpaces(src: string, p: number, end: number): number {
  while (p < end && src.charCodeAt(p) === 32) p++;
  return p;
}

/** After a value, only spaces and a comment may follow on its line. */
function expectLineEnd(src: string, p: number, end: number): void {
  if (p === end) return;
  if (src[p] !== ' ') unsure();
  const q = skipSpaces(src, p, end);
  if (q < end && src[q] !== '#') unsure();
}

/**
 * A block mapping key at `p` ("key:" followed by a space or the line end) or null when `p` starts
 * something else. Keys that are not strings, "<<", "__proto__" and overlong keys are unsure.
 */
function scanKey(src: string, p: number, end: number): KeyToken | null {
  const c = src[p];
  if (c === '"' || c === "'") {
    const q = scanQuoted(src, p, end);
    // Not a key ('"a" : 1' included): then a value, which has to end its line.
    return src[q.end] === ':' && (q.end + 1 === end || src[q.end + 1] === ' ') ? keyToken(q.value as string, p, q.end) : null;
  }
  if (!isPlainStart(src, p, end, false)) return null;
  const e = scanPlain(src, p, end, false);
  if (e >= end || src[e] !== ':') return null;
  return keyToken(plainKey(src.slice(p, e)), p, e);
}

/** A plain key's text; keys that are not strings (1, true, null) and the merge key "<<" are unsure. */
function plainKey(text: string): string {
  if (typeof resolvePlain(text) !== 'string' || text === '<<') unsure();
  return text;
}

function keyToken(text: string, start: number, colon: number): KeyToken {
  // `yaml` refuses implicit keys longer than 1024 characters; "__proto__" would set positions' prototype.
  if (colon - start > 1000 || text === '__proto__') unsure();
  return { text, start, colon };
}

/** A scalar or flow collection starting at `p` on one line; `flow` inside [...] or {...}. */
function scanValue(src: string, p: number, end: number, flow: boolean): Scanned {
  if (p >= end) unsure();
  const c = src[p];
  if (c === '"' || c === "'") return scanQuoted(src, p, end);
  if (c === '[') return scanFlowSeq(src, p, end);
  if (c === '{') return scanFlowMap(src, p, end);
  if (!isPlainStart(src, p, end, flow)) unsure();
  const e = scanPlain(src, p, end, flow);
  return { value: resolvePlain(src.slice(p, e)), end: e };
}

const INDICATORS = new Set([...',[]{}#&*!|>\'"%@`']);
const FLOW_INDICATORS = new Set([...',[]{}']);

/** Whether a plain scalar may start at `p`: "-", "?" and ":" only when a non-space follows. */
function isPlainStart(src: string, p: number, end: number, flow: boolean): boolean {
  const c = src[p]!;
  if (c === '-' || c === '?' || c === ':') {
    const n = src[p + 1];
    return p + 1 < end && n !== ' ' && !(flow && FLOW_INDICATORS.has(n!));
  }
  return !INDICATORS.has(c);
}

/**
 * The end of the plain scalar at `p` (trailing spaces excluded): it stops before " #", before ":"
 * followed by a space or the line end, and in flow context before ",[]{}" and ":" followed by one.
 */
function scanPlain(src: string, p: number, end: number, flow: boolean): number {
  let e = p;
  for (let i = p; i < end; i++) {
    const c = src[i]!;
    if (c === ' ') continue;
    if (c === '#' && src[i - 1] === ' ') break;
    if (c === ':') {
      const n = i + 1 < end ? src[i + 1]! : ' ';
      if (n === ' ' || (flow && FLOW_INDICATORS.has(n))) break;
    }
    if (flow && FLOW_INDICATORS.has(c)) break;
    e = i + 1;
  }
  return e;
}

/** A quoted scalar that closes on its line (a multi-line one is unsure). */
function scanQuoted(src: string, p: number, end: number): Scanned {
  return src[p] === '"' ? scanDoubleQuoted(src, p, end) : scanSingleQuoted(src, p, end);
}

function scanSingleQuoted(src: string, p: number, end: number): Scanned {
  let value = '';
  let from = p + 1;
  for (let i = from; i < end; i++) {
    if (src[i] !== "'") continue;
    value += src.slice(from, i);
    if (src[i + 1] !== "'" || i + 1 >= end) return { value, end: i + 1 };
    value += "'";
    from = ++i + 1;
  }
  return unsure();
}

// yaml's double-quoted escapes other than \x, \u and \U.
const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};
const HEX_LENGTHS: Record<string, number> = { x: 2, u: 4, U: 8 };

function scanDoubleQuoted(src: string, p: number, end: number): Scanned {
  let value = '';
  let from = p + 1;
  for (let i = from; i < end; i++) {
    const c = src[i];
    if (c === '"') return { value: value + src.slice(from, i), end: i + 1 };
    if (c !== '\\') continue;
    const n = i + 1 < end ? src[i + 1]! : '';
    value += src.slice(from, i);
    if (Object.hasOwn(ESCAPES, n)) {
      value += ESCAPES[n];
      i++;
    } else {
      const length = HEX_LENGTHS[n];
      if (length === undefined || i + 2 + length > end) unsure();
      value += hexChar(src.slice(i + 2, i + 2 + length));
      i += 1 + length;
    }
    from = i + 1;
  }
  return unsure();
}

function hexChar(hex: string): string {
  if (!/^[0-9a-fA-F]+$/.test(hex)) unsure();
  const code = parseInt(hex, 16);
  if (code > 0x10ffff) unsure();
  return String.fromCodePoint(code);
}

/** [a, b]: one line; a trailing comma is allowed; "key: value" pairs inside are unsure. */
function scanFlowSeq(src: string, p: number, end: number): Scanned {
  const items: unknown[] = [];
  let i = skipSpaces(src, p + 1, end);
  if (i < end && src[i] === ']') return { value: items, end: i + 1 };
  for (;;) {
    const item = scanValue(src, i, end, true);
    items.push(item.value);
    const j = skipSpaces(src, item.end, end);
    if (j >= end) unsure();
    if (src[j] === ']') return { value: items, end: j + 1 };
    if (src[j] !== ',') unsure();
    i = skipSpaces(src, j + 1, end);
    if (i < end && src[i] === ']') return { value: items, end: i + 1 };
  }
}

/** {a: b, c: d}: one line; every key followed by ":" and a space, "," or "}". */
function scanFlowMap(src: string, p: number, end: number): Scanned {
  const map: Record<string, unknown> = {};
  const seen = new Set<string>();
  let i = skipSpaces(src, p + 1, end);
  if (i < end && src[i] === '}') return { value: map, end: i + 1 };
  for (;;) {
    const key = scanFlowKey(src, i, end);
    if (seen.has(key.text)) unsure();
    seen.add(key.text);
    let j = skipSpaces(src, key.colon + 1, end);
    let value: unknown = null;
    if (j < end && src[j] !== ',' && src[j] !== '}') {
      const scanned = scanValue(src, j, end, true);
      value = scanned.value;
      j = skipSpaces(src, scanned.end, end);
    }
    setKey(map, key.text, value);
    if (j >= end) unsure();
    if (src[j] === '}') return { value: map, end: j + 1 };
    if (src[j] !== ',') unsure();
    i = skipSpaces(src, j + 1, end);
    if (i < end && src[i] === '}') return { value: map, end: i + 1 };
  }
}

function scanFlowKey(src: string, p: number, end: number): KeyToken {
  if (p >= end) unsure();
  let text: string;
  let colon: number;
  if (src[p] === '"' || src[p] === "'") {
    const q = scanQuoted(src, p, end);
    text = q.value as string;
    colon = q.end;
  } else {
    if (!isPlainStart(src, p, end, true)) unsure();
    colon = scanPlain(src, p, end, true);
    text = plainKey(src.slice(p, colon));
  }
  const after = colon + 1 < end ? src[colon + 1]! : ' ';
  if (src[colon] !== ':' || (after !== ' ' && after !== ',' && after !== '}')) unsure();
  return keyToken(text, p, colon);
}

// The core schema's plain scalar tags, in yaml's order (yaml/dist/schema/core).
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT = /^0o[0-7]+$/;
const INT = /^[-+]?[0-9]+$/;
const INT_HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value under the core schema, as yaml resolves it. */
function resolvePlain(s: string): unknown {
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT_OCT.test(s)) return parseInt(s.slice(2), 8);
  if (INT.test(s)) return parseInt(s, 10);
  if (INT_HEX.test(s)) return parseInt(s.slice(2), 16);
  if (FLOAT_NAN.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (FLOAT_EXP.test(s) || FLOAT.test(s)) return parseFloat(s);
  return s;
}
