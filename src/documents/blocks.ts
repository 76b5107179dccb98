// The top-level headings and fenced code blocks of a Markdown body, found line by line without a
// syntax tree, with the fields and positions remark-parse (micromark, CommonMark) gives them.
// protocol.ts needs nothing else, and loading unified and tokenizing with micromark cost ~25 ms of
// every process. Everything that decides what is top-level is followed as micromark does it, quirks
// included: block quotes and list items (whose fences and headings are not top-level), lazy
// continuation, HTML blocks (a fence inside an HTML comment is no check), indented code, link
// reference definitions, tabs. blocks.test.ts compares the result with remark on every document.
import { decodeString } from './character-references.js';
import { inlineText } from './inline-text.js';
import { destinationEnd, labelEnd, normalizeLabel, spaceEnd, titleEnd, whitespaceEnd } from './link-syntax.js';
import { isAlpha, isAlphanumeric, isDigit, isSpace } from './char-codes.js';

export interface Point {
  line: number;
  column: number;
}

export interface Span {
  start: Point;
  end: Point;
}

/** A top-level ATX or setext heading; `text` is its content as plain text. */
export interface HeadingBlock {
  type: 'heading';
  depth: number;
  text: string;
  position: Span;
}

/** A top-level fenced code block; `lang` is the first word of its info string, decoded. */
export interface CodeBlock {
  type: 'code';
  lang: string | null;
  value: string;
  position: Span;
}

export type TopBlock = HeadingBlock | CodeBlock;

/** The top-level headings and fenced code blocks of `markdown`, in document order. */
export function scanBlocks(markdown: string): TopBlock[] {
  let text = markdown.charCodeAt(0) === 0xfeff ? markdown.slice(1) : markdown;
  if (text.includes('\0')) text = text.replaceAll('\0', '\uFFFD');
  const scanner = new Scanner();
  if (text.includes('\r')) {
    const parts = text.split(/(\r\n|\r|\n)/);
    for (let k = 0; k < parts.length; k += 2) scanner.line(parts[k]!, parts[k + 1] ?? '', k / 2 + 1);
  } else {
    const lines = text.split('\n');
    for (let k = 0; k < lines.length; k++) scanner.line(lines[k]!, k + 1 < lines.length ? '\n' : '', k + 1);
  }
  return scanner.finish();
}

interface Quote {
  list: false;
}

interface List {
  list: true;
  ordered: boolean;
  /** `-`, `*`, `+`, or the `.`/`)` after an ordered item's number (char code). */
  marker: number;
  /** Columns of the item's content, counted from where the item's own prefix began. */
  size: number;
  initialBlank: boolean;
  furtherBlank: boolean;
}

type Container = Quote | List;

/** A paragraph, possibly opening with link reference definitions (micromark's "content"). */
interface Content {
  kind: 'content';
  top: boolean;
  line: number;
  column: number;
  lines: string[];
  eols: string[];
}

interface Fence {
  kind: 'fence';
  top: boolean;
  marker: number;
  size: number;
  indent: number;
  lang: string | null;
  line: number;
  column: number;
  value: string;
  /** The line ending after the last line taken, added if another line follows. */
  eol: string;
  endLine: number;
  endColumn: number;
}

interface Html {
  kind: 'html';
  type: number;
}

interface Indented {
  kind: 'indented';
}

type Leaf = Content | Fence | Html | Indented;

const INDENTED: Indented = { kind: 'indented' };
const FAILED = 0;
const SAME_ITEM = 1;
const NEXT_ITEM = 2;
const EDGE_EOL = /^(\r?\n|\r)|(\r?\n|\r)$/g;

class Scanner {
  private readonly blocks: TopBlock[] = [];
  private readonly headings: Array<{ block: HeadingBlock; raw: string }> = [];
  private readonly defined = new Set<string>();
  private readonly stack: Container[] = [];
  private leaf: Leaf | null = null;
  private readonly cur = new Cursor();

  line(text: string, eol: string, no: number): void {
    const l = this.cur;
    l.load(text, eol, no);
    const stack = this.stack;
    let continued = 0;
    let nextItem = false;
    while (continued < stack.length) {
      const c = stack[continued]!;
      const r = c.list ? continueList(c, l) : continueQuote(l) ? SAME_ITEM : FAILED;
      if (r === FAILED) break;
      continued++;
      if (r === NEXT_ITEM) {
        nextItem = true;
        break;
      }
    }
    let interrupt = false;
    if (nextItem) {
      this.closeLeaf();
      stack.length = continued;
    } else if (continued === stack.length) {
      // No new container starts inside a fence or HTML block; one after a paragraph or indented code interrupts it.
      if (this.leaf && (this.leaf.kind === 'fence' || this.leaf.kind === 'html')) return this.flow(l, false, continued);
      interrupt = this.leaf !== null;
    }
    let opened = false;
    for (let c = containerStart(l, interrupt); c; c = containerStart(l, interrupt)) {
      if (!opened) {
        this.closeLeaf();
        stack.length = continued;
        opened = true;
      }
      stack.push(c);
    }
    this.flow(l, !opened && !nextItem && continued < stack.length, continued);
  }

  finish(): TopBlock[] {
    this.closeLeaf();
    for (const h of this.headings) h.block.text = inlineText(h.raw, this.defined);
    return this.blocks;
  }

  /** The rest of a line after its container prefixes; a lazy line not taken by an open paragraph closes the containers it missed. */
  private flow(l: Cursor, lazy: boolean, continued: number): void {
    const leaf = this.leaf;
    if (leaf && this.continueLeaf(leaf, l, lazy)) return;
    if (lazy) this.stack.length = continued;
    this.start(l, lazy);
  }

  /** True when the open leaf takes the line; otherwise the leaf is closed and the line starts afresh. */
  private continueLeaf(leaf: Leaf, l: Cursor, lazy: boolean): boolean {
    switch (leaf.kind) {
      case 'fence':
        return this.continueFence(leaf, l, lazy);
      case 'html':
        if (lazy || ((leaf.type === 6 || leaf.type === 7) && l.blank())) break;
        if (leaf.type < 6 && htmlCloses(l.text, l.i, leaf.type, CONTINUATION)) this.leaf = null;
        return true;
      case 'indented':
        if (!lazy && (l.blank() || l.ahead() >= 4)) return true;
        break;
      case 'content':
        return this.continueContent(leaf, l, lazy);
    }
    this.leaf = null;
    return false;
  }

  private continueFence(f: Fence, l: Cursor, lazy: boolean): boolean {
    if (lazy) {
      this.closeLeaf();
      return false;
    }
    if (l.ahead() < 4 && closingFence(l.text, spaceEnd(l.text, l.i), f.marker, f.size)) {
      if (f.top) {
        f.value += f.eol;
        this.emitFence(f, l.no, l.text.length + 1);
      }
      this.leaf = null;
      return true;
    }
    if (f.top) {
      l.skip(f.indent);
      f.value += f.eol + l.rest();
      f.eol = l.eol;
      f.endLine = l.no;
      f.endColumn = l.text.length + 1;
    }
    return true;
  }

  private continueContent(c: Content, l: Cursor, lazy: boolean): boolean {
    if (l.blank()) {
      this.closeLeaf();
      return false;
    }
    const kind = l.ahead() < 4 ? interruption(l.text, spaceEnd(l.text, l.i), lazy) : NONE;
    if (kind === SETEXT) {
      this.leaf = null;
      const first = this.definitions(c);
      if (first < 0) return false;
      if (c.top) this.setext(c, first, l);
      return true;
    }
    if (kind === HTML7) {
      // micromark leaves this check pending until the HTML block ends: the block stays in the containers.
      this.closeLeaf();
      this.leaf = { kind: 'html', type: 7 };
      return true;
    }
    if (kind !== NONE) {
      this.closeLeaf();
      return false;
    }
    c.lines.push(l.rest());
    c.eols.push(l.eol);
    return true;
  }

  /** A line no open leaf took. */
  private start(l: Cursor, lazy: boolean): void {
    if (l.blank()) return;
    const indent = l.ahead();
    if (indent >= 4) {
      // Indented code looks for its next line from a line ending that micromark still marks lazy: it ends here.
      if (!lazy) this.leaf = INDENTED;
      return;
    }
    l.skip(indent);
    const s = l.text;
    const i = l.i;
    const top = this.stack.length === 0;
    switch (s.charCodeAt(i)) {
      case 35: {
        const depth = atxDepth(s, i);
        if (!depth) break;
        if (top) this.atx(l, i, depth);
        return;
      }
      case 42:
      case 45:
      case 95:
        if (thematicBreak(s, i)) return;
        break;
      case 60: {
        const html = htmlOpening(s, i, false, false);
        if (!html) break;
        if (html.type >= 6 || !htmlCloses(s, html.at, html.type, html.state)) this.leaf = { kind: 'html', type: html.type };
        return;
      }
      case 96:
      case 126: {
        const size = fenceOpening(s, i);
        if (size) {
          this.leaf = fence(l, i, size, indent, top);
          return;
        }
        break;
      }
    }
    this.leaf = { kind: 'content', top, line: l.no, column: i + 1, lines: [s.slice(i)], eols: [l.eol] };
  }

  private closeLeaf(): void {
    const leaf = this.leaf;
    this.leaf = null;
    if (!leaf) return;
    if (leaf.kind === 'content') this.definitions(leaf);
    else if (leaf.kind === 'fence' && leaf.top) this.emitFence(leaf, leaf.endLine, leaf.endColumn);
  }

  /** Records the link reference definitions a paragraph opens with; returns the index of its first text line, -1 when none is left. */
  private definitions(c: Content): number {
    if (c.lines[0]!.charCodeAt(0) !== 91) return 0;
    const s = c.lines.join('\n');
    let p = 0;
    while (s.charCodeAt(p) === 91) {
      const def = definition(s, p);
      if (!def) break;
      this.defined.add(normalizeLabel(def.label));
      if (def.end >= s.length) return -1;
      p = spaceEnd(s, def.end + 1);
    }
    let line = 0;
    for (let k = s.indexOf('\n'); k >= 0 && k < p; k = s.indexOf('\n', k + 1)) line++;
    return line;
  }

  private atx(l: Cursor, i: number, depth: number): void {
    const block: HeadingBlock = { type: 'heading', depth, text: '', position: { start: { line: l.no, column: i + 1 }, end: { line: l.no, column: l.text.length + 1 } } };
    this.blocks.push(block);
    this.headings.push({ block, raw: atxContent(l.text, i + depth) });
  }

  /** A setext heading: micromark starts it where the paragraph's definitions start, if any. */
  private setext(c: Content, first: number, l: Cursor): void {
    let raw = c.lines[first]!.slice(spaceEnd(c.lines[first]!, 0));
    for (let k = first + 1; k < c.lines.length; k++) raw += c.eols[k - 1]! + c.lines[k]!;
    const depth = l.text.charCodeAt(spaceEnd(l.text, l.i)) === 61 ? 1 : 2;
    const block: HeadingBlock = { type: 'heading', depth, text: '', position: { start: { line: c.line, column: c.column }, end: { line: l.no, column: l.text.length + 1 } } };
    this.blocks.push(block);
    this.headings.push({ block, raw });
  }

  private emitFence(f: Fence, endLine: number, endColumn: number): void {
    this.blocks.push({ type: 'code', lang: f.lang, value: f.value.replace(EDGE_EOL, ''), position: { start: { line: f.line, column: f.column }, end: { line: endLine, column: endColumn } } });
  }
}

function fence(l: Cursor, i: number, size: number, indent: number, top: boolean): Fence {
  const s = l.text;
  let lang: string | null = null;
  if (top) {
    const from = spaceEnd(s, i + size);
    let to = from;
    for (let c = s.charCodeAt(to); to < s.length && c !== 32 && c !== 9; c = s.charCodeAt(++to));
    if (to > from) lang = decodeString(s.slice(from, to));
  }
  return { kind: 'fence', top, marker: s.charCodeAt(i), size, indent, lang, line: l.no, column: i + 1, value: '', eol: l.eol, endLine: l.no, endColumn: s.length + 1 };
}

interface Mark {
  i: number;
  col: number;
  tab: number;
}

/** A line of text with the position reached by container prefixes; a tab counts to the next multiple of 4 columns and may be taken in part. */
class Cursor {
  text = '';
  eol = '';
  no = 0;
  i = 0;
  col = 0;
  /** Columns left of a tab taken in part (the tab is at i - 1). */
  tab = 0;

  load(text: string, eol: string, no: number): void {
    this.text = text;
    this.eol = eol;
    this.no = no;
    this.i = 0;
    this.col = 0;
    this.tab = 0;
  }

  /** The next character; a space inside a split tab. */
  code(): number {
    return this.tab ? 32 : this.text.charCodeAt(this.i);
  }

  /** Takes one character that is not whitespace. */
  advance(): void {
    this.i++;
    this.col++;
  }

  /** Takes up to `max` columns of spaces and tabs; returns how many. */
  skip(max: number): number {
    let n = 0;
    while (n < max) {
      if (this.tab) {
        this.tab--;
      } else {
        const c = this.text.charCodeAt(this.i);
        if (c === 9) this.tab = 3 - (this.col % 4);
        else if (c !== 32) break;
        this.i++;
      }
      this.col++;
      n++;
    }
    return n;
  }

  /** Columns of whitespace ahead. */
  ahead(): number {
    let n = this.tab;
    let col = this.col + this.tab;
    for (let i = this.i; ; i++) {
      const c = this.text.charCodeAt(i);
      const width = c === 32 ? 1 : c === 9 ? 4 - (col % 4) : 0;
      if (!width) return n;
      n += width;
      col += width;
    }
  }

  blank(): boolean {
    return spaceEnd(this.text, this.i) >= this.text.length;
  }

  /** What is left of the line, a split tab's columns as spaces. */
  rest(): string {
    return this.tab ? ' '.repeat(this.tab) + this.text.slice(this.i) : this.text.slice(this.i);
  }

  mark(): Mark {
    return { i: this.i, col: this.col, tab: this.tab };
  }

  reset(m: Mark): void {
    this.i = m.i;
    this.col = m.col;
    this.tab = m.tab;
  }
}


/** `>` and an optional space continuing a block quote. */
function continueQuote(l: Cursor): boolean {
  const m = l.mark();
  l.skip(3);
  if (l.code() !== 62) {
    l.reset(m);
    return false;
  }
  l.advance();
  if (isSpace(l.code())) l.skip(1);
  return true;
}

/** A line in the current item (indented to its content, or blank), the next item of the same list, or neither. */
function continueList(list: List, l: Cursor): number {
  if (l.blank()) {
    list.furtherBlank ||= list.initialBlank;
    l.skip(list.size);
    return SAME_ITEM;
  }
  const further = list.furtherBlank;
  list.furtherBlank = list.initialBlank = false;
  const m = l.mark();
  if (!further && isSpace(l.code()) && l.skip(list.size) === list.size) return SAME_ITEM;
  l.reset(m);
  const prefix = l.skip(3);
  if (itemStart(l, list, false, prefix)) return NEXT_ITEM;
  l.reset(m);
  return FAILED;
}

/** A block quote or list item opening at the cursor. */
function containerStart(l: Cursor, interrupt: boolean): Container | null {
  const m = l.mark();
  const prefix = l.skip(3);
  if (l.code() === 62) {
    l.advance();
    if (isSpace(l.code())) l.skip(1);
    return { list: false };
  }
  const item = itemStart(l, null, interrupt, prefix);
  if (!item) l.reset(m);
  return item;
}

/** A list item marker and the whitespace after it; `list` is the list it must continue, if any. */
function itemStart(l: Cursor, list: List | null, interrupt: boolean, prefix: number): List | null {
  const c = l.code();
  const start = l.i;
  let ordered: boolean;
  if (list ? !list.ordered : c === 42 || c === 43 || c === 45) {
    if (list && c !== list.marker) return null;
    if ((c === 42 || c === 45) && thematicBreak(l.text, l.i)) return null;
    ordered = false;
  } else {
    if (!isDigit(c) || (interrupt && c !== 49)) return null;
    let digits = 0;
    while (isDigit(l.code()) && ++digits < 10) l.advance();
    const d = l.code();
    if (!((!interrupt || digits < 2) && (list ? d === list.marker : d === 46 || d === 41))) return null;
    ordered = true;
  }
  const marker = l.code();
  l.advance();
  const base = prefix + l.i - start;
  let size: number;
  const initialBlank = l.blank();
  if (initialBlank) {
    if (interrupt) return null;
    size = base + 1;
  } else {
    const m = l.mark();
    const ws = l.skip(4);
    if (ws && !isSpace(l.code())) {
      size = base + ws;
    } else {
      l.reset(m);
      if (!isSpace(l.code())) return null;
      l.skip(1);
      size = base + 1;
    }
  }
  if (!list) return { list: true, ordered, marker, size, initialBlank, furtherBlank: false };
  list.size = size;
  list.initialBlank = initialBlank;
  return list;
}

const NONE = 0;
const OTHER = 1;
const SETEXT = 2;
const HTML7 = 3;

/** Whether the line at `i` ends a paragraph: a heading, break, fence or HTML block start, or (not lazily) a setext underline. */
function interruption(s: string, i: number, lazy: boolean): number {
  switch (s.charCodeAt(i)) {
    case 35:
      return atxDepth(s, i) ? OTHER : NONE;
    case 61:
      return !lazy && setextUnderline(s, i) ? SETEXT : NONE;
    case 45:
      if (!lazy && setextUnderline(s, i)) return SETEXT;
      return thematicBreak(s, i) ? OTHER : NONE;
    case 42:
    case 95:
      return thematicBreak(s, i) ? OTHER : NONE;
    case 60: {
      const html = htmlOpening(s, i, true, lazy);
      return !html ? NONE : html.type === 7 ? HTML7 : OTHER;
    }
    case 96:
    case 126:
      return fenceOpening(s, i) ? OTHER : NONE;
  }
  return NONE;
}

/** The level of an ATX heading opening at `i`, 0 when there is none. */
function atxDepth(s: string, i: number): number {
  let j = i;
  while (s.charCodeAt(j) === 35) j++;
  const depth = j - i;
  return depth <= 6 && (j >= s.length || isSpace(s.charCodeAt(j))) ? depth : 0;
}

/** An ATX heading's content from `from`: trimmed, without a closing sequence of `#` preceded by whitespace. */
function atxContent(s: string, from: number): string {
  const a = spaceEnd(s, from);
  let b = s.length;
  while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  let k = b;
  while (k > a && s.charCodeAt(k - 1) === 35) k--;
  if (k === a) return '';
  if (k < b && isSpace(s.charCodeAt(k - 1))) {
    b = k;
    while (b > a && isSpace(s.charCodeAt(b - 1))) b--;
  }
  return s.slice(a, b);
}

function setextUnderline(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  let j = i;
  while (s.charCodeAt(j) === c) j++;
  return spaceEnd(s, j) >= s.length;
}

function thematicBreak(s: string, i: number): boolean {
  const marker = s.charCodeAt(i);
  let count = 0;
  for (let j = i; j < s.length; j++) {
    const c = s.charCodeAt(j);
    if (c === marker) count++;
    else if (!isSpace(c)) return false;
  }
  return count >= 3;
}

/** The length of a code fence opening at `i`, 0 when there is none (a backtick fence's info has no backtick). */
function fenceOpening(s: string, i: number): number {
  const c = s.charCodeAt(i);
  let j = i;
  while (s.charCodeAt(j) === c) j++;
  if (j - i < 3 || (c === 96 && s.includes('`', j))) return 0;
  return j - i;
}

function closingFence(s: string, i: number, marker: number, size: number): boolean {
  let j = i;
  while (s.charCodeAt(j) === marker) j++;
  return j - i >= size && spaceEnd(s, j) >= s.length;
}

/** A link reference definition at `at`: its label and where it ends (a line ending or the end). */
function definition(s: string, at: number): { label: string; end: number } | null {
  const label = labelEnd(s, at);
  if (label < 0 || s.charCodeAt(label) !== 58) return null;
  const destination = destinationEnd(s, whitespaceEnd(s, label + 1), Infinity);
  if (destination < 0) return null;
  const end = Math.max(titledEnd(s, destination), lineEnd(s, destination));
  return end < 0 ? null : { label: s.slice(at + 1, label - 1), end };
}

/** Past whitespace, a title and spaces up to a line ending, from `i`; -1 when that is not what follows. */
function titledEnd(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (!(isSpace(c) || c === 10)) return -1;
  const title = titleEnd(s, whitespaceEnd(s, i));
  return title < 0 ? -1 : lineEnd(s, title);
}

/** `i` past spaces when a line ending or the end follows, else -1. */
function lineEnd(s: string, i: number): number {
  const j = spaceEnd(s, i);
  return j >= s.length || s.charCodeAt(j) === 10 ? j : -1;
}

const RAW_TAGS = ['pre', 'script', 'style', 'textarea'];
const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'base', 'basefont', 'blockquote', 'body', 'caption', 'center', 'col', 'colgroup', 'dd', 'details',
  'dialog', 'dir', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure', 'footer', 'form', 'frame', 'frameset', 'h1', 'h2', 'h3', 'h4',
  'h5', 'h6', 'head', 'header', 'hr', 'html', 'iframe', 'legend', 'li', 'link', 'main', 'menu', 'menuitem', 'nav', 'noframes', 'ol',
  'optgroup', 'option', 'p', 'param', 'search', 'section', 'summary', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'title', 'tr',
  'track', 'ul',
]);

/** States of an HTML block's end search (micromark's continuation states). */
const CONTINUATION = 0;
const COMMENT = 1;
const RAW_OPEN = 2;
const RAW_END = 3;
const CDATA = 4;
const DECLARATION = 5;

/**
 * An HTML block opening at `i` (a `<`): its kind (1 raw text, 2 comment, 3 instruction, 4 declaration,
 * 5 CDATA, 6 block tag, 7 any complete tag alone on its line) and where its end search starts. Kind 7
 * cannot interrupt a paragraph, unless on a lazy line.
 */
function htmlOpening(s: string, i: number, interrupt: boolean, lazy: boolean): { type: number; at: number; state: number } | null {
  let j = i + 1;
  const c = s.charCodeAt(j);
  if (c === 33) {
    const d = s.charCodeAt(j + 1);
    if (d === 45) return s.charCodeAt(j + 2) === 45 ? { type: 2, at: j + 3, state: DECLARATION } : null;
    if (d === 91) return s.startsWith('CDATA[', j + 2) ? { type: 5, at: j + 8, state: CONTINUATION } : null;
    return isAlpha(d) ? { type: 4, at: j + 2, state: DECLARATION } : null;
  }
  if (c === 63) return { type: 3, at: j + 1, state: DECLARATION };
  const closing = c === 47;
  if (closing) j++;
  if (!isAlpha(s.charCodeAt(j))) return null;
  let k = j + 1;
  while (s.charCodeAt(k) === 45 || isAlphanumeric(s.charCodeAt(k))) k++;
  const e = s.charCodeAt(k);
  if (!(k >= s.length || e === 47 || e === 62 || isSpace(e))) return null;
  const name = s.slice(j, k).toLowerCase();
  if (e !== 47 && !closing && RAW_TAGS.includes(name)) return { type: 1, at: k, state: CONTINUATION };
  if (BLOCK_TAGS.has(name)) {
    if (e !== 47) return { type: 6, at: k, state: CONTINUATION };
    return s.charCodeAt(k + 1) === 62 ? { type: 6, at: k + 2, state: CONTINUATION } : null;
  }
  if (interrupt && !lazy) return null;
  return completeTag(s, closing ? spaceEnd(s, k) : attributesEnd(s, k)) ? { type: 7, at: s.length, state: CONTINUATION } : null;
}

/** Past an opening tag's attributes from `at` (just after its name), at its `>` or `/`; -1 when malformed. */
function attributesEnd(s: string, at: number): number {
  let j = at;
  let afterName = false;
  for (;;) {
    const c = s.charCodeAt(j);
    if (isSpace(c)) {
      j++;
    } else if (afterName && c === 61) {
      j = spaceEnd(s, j + 1);
      const v = s.charCodeAt(j);
      if (j >= s.length || v === 60 || v === 61 || v === 62 || v === 96) return -1;
      if (v === 34 || v === 39) {
        const close = s.indexOf(s[j]!, j + 1);
        const next = s.charCodeAt(close + 1);
        if (close < 0 || !(next === 47 || next === 62 || isSpace(next))) return -1;
        j = close + 1;
        afterName = false;
      } else {
        for (let u = v; j < s.length && !(u === 34 || u === 39 || u === 47 || u === 60 || u === 61 || u === 62 || u === 96 || isSpace(u)); u = s.charCodeAt(++j));
        afterName = true;
      }
    } else if (c === 58 || c === 95 || isAlpha(c)) {
      for (let u = s.charCodeAt(++j); u === 45 || u === 46 || u === 58 || u === 95 || isAlphanumeric(u); u = s.charCodeAt(++j));
      afterName = true;
    } else {
      return c === 47 ? j + 1 : j;
    }
  }
}

/** A complete tag ends at `at` with `>` and only whitespace after it. */
function completeTag(s: string, at: number): boolean {
  return at >= 0 && s.charCodeAt(at) === 62 && spaceEnd(s, at + 1) >= s.length;
}

/** Whether an HTML block of kind 1–5 meets its end condition on this line, scanning from `from` in `state`. */
function htmlCloses(s: string, from: number, type: number, state: number): boolean {
  let name = '';
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (state) {
      case CONTINUATION:
        if (c === 45 && type === 2) state = COMMENT;
        else if (c === 60 && type === 1) state = RAW_OPEN;
        else if (c === 62 && type === 4) return true;
        else if (c === 63 && type === 3) state = DECLARATION;
        else if (c === 93 && type === 5) state = CDATA;
        continue;
      case COMMENT:
        state = c === 45 ? DECLARATION : CONTINUATION;
        break;
      case RAW_OPEN:
        state = c === 47 ? RAW_END : CONTINUATION;
        name = '';
        break;
      case RAW_END:
        if (c === 62 && RAW_TAGS.includes(name.toLowerCase())) return true;
        if (isAlpha(c) && name.length < 8) {
          name += s[i];
          continue;
        }
        state = CONTINUATION;
        break;
      case CDATA:
        state = c === 93 ? DECLARATION : CONTINUATION;
        break;
      case DECLARATION:
        if (c === 62) return true;
        if (!(c === 45 && type === 2)) state = CONTINUATION;
        break;
    }
    // A character that did not advance the state is looked at again in the continuation state.
    if (state === CONTINUATION) i--;
  }
  return false;
}
