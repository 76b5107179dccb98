// The plain text of a heading's inline Markdown, as protocol.ts read it from remark's tree: text,
// code span contents and raw inline HTML kept; emphasis, link and image markup removed (an image
// contributes nothing); escapes and character references decoded; hard breaks dropped, soft line
// breaks kept. The tokenizer and its resolution (links, then emphasis) follow micromark's rules.
import { decodeNamed, decodeNumeric } from './character-references.js';
import { destinationEnd, labelEnd, normalizeLabel, titleEnd, whitespaceEnd } from './link-syntax.js';
import { isAlpha, isAlphanumeric, isDigit, isEol, isSpace } from './char-codes.js';

type Kind = 'data' | 'literal' | 'eol' | 'break' | 'attention' | 'labelStart' | 'group';

interface Token {
  kind: Kind;
  /** Text contributed (Attention: the marker character, LabelStart: `[` or `![`). */
  value: string;
  /** Attention: characters not used by emphasis. */
  size?: number;
  open?: boolean;
  close?: boolean;
  /** Attention: can still match; LabelStart: can still start a link. */
  active?: boolean;
  /** LabelStart: failed (`]` did not make a link of it). */
  balanced?: boolean;
  /** LabelStart: `![`; Group: an image. */
  image?: boolean;
  /** LabelStart: index in the source just past the bracket. */
  end?: number;
  /** Literal: a backslash escape. */
  escape?: boolean;
}

/** Plain text of inline content `s`; `defined` holds the normalised labels of the document's definitions. */
export function inlineText(s: string, defined: ReadonlySet<string>): string {
  if (!/[\\`*_[\]!<&\n\r]|[ \t]$/.test(s)) return s;
  return new Inline(s, defined).run();
}

class Inline {
  private readonly tokens: Token[] = [];
  private readonly starts: Token[] = [];
  private afterBreak = false;

  constructor(private readonly s: string, private readonly defined: ReadonlySet<string>) {}

  run(): string {
    const s = this.s;
    let i = 0;
    while (i < s.length) i = this.step(s.charCodeAt(i), i);
    lineSuffix(this.tokens, true);
    resolveAttention(this.tokens);
    return plain(this.tokens);
  }

  /** Tokenizes what starts at `i` (character `c`); returns where the next token starts. */
  private step(c: number, i: number): number {
    const s = this.s;
    switch (c) {
      case 10:
      case 13:
        return this.lineEnding(i);
      case 33:
        if (s.charCodeAt(i + 1) === 91) return this.labelStart(i, true);
        break;
      case 38: {
        const ref = characterReference(s, i);
        if (ref) return this.literal(ref.value, ref.end);
        break;
      }
      case 42:
      case 95:
        return this.attention(c, i);
      case 60: {
        const end = autolinkEnd(s, i);
        if (end > 0) return this.literal(s.slice(i + 1, end - 1), end);
        const html = htmlTextEnd(s, i);
        if (html > 0) return this.literal(withoutLinePrefixes(s.slice(i, html)), html);
        break;
      }
      case 91:
        return this.labelStart(i, false);
      case 92: {
        const next = s.charCodeAt(i + 1);
        if (next === 10 || next === 13) {
          this.tokens.push({ kind: 'break', value: '' });
          this.afterBreak = true;
          return i + 1;
        }
        if (isAsciiPunctuation(next)) {
          this.tokens.push({ kind: 'literal', value: s[i + 1]!, escape: true });
          return i + 2;
        }
        break;
      }
      case 93:
        return this.labelEnd(i);
      case 96:
        return this.codeSpan(i);
    }
    this.data(s[i]!);
    return i + 1;
  }

  private data(text: string): void {
    const last = this.tokens[this.tokens.length - 1];
    if (last && last.kind === 'data') last.value += text;
    else this.tokens.push({ kind: 'data', value: text });
  }

  private literal(value: string, end: number): number {
    this.tokens.push({ kind: 'literal', value });
    return end;
  }

  /** A line ending: trailing whitespace before it dropped (two spaces or more make a hard break), indentation after it too. */
  private lineEnding(i: number): number {
    const s = this.s;
    const end = i + (s.charCodeAt(i) === 13 && s.charCodeAt(i + 1) === 10 ? 2 : 1);
    if (lineSuffix(this.tokens, false)) this.afterBreak = true;
    if (this.afterBreak) this.afterBreak = false;
    else this.tokens.push({ kind: 'eol', value: s.slice(i, end) });
    let j = end;
    for (let c = s.charCodeAt(j); c === 32 || c === 9; c = s.charCodeAt(++j));
    return j;
  }

  private attention(marker: number, i: number): number {
    const s = this.s;
    let j = i;
    while (s.charCodeAt(j) === marker) j++;
    const before = classify(i > 0 ? s.charCodeAt(i - 1) : NaN);
    const after = classify(s.charCodeAt(j));
    const open = !after || (after === 2 && before !== 0);
    const close = !before || (before === 2 && after !== 0);
    this.tokens.push({
      kind: 'attention',
      value: s[i]!,
      size: j - i,
      open: marker === 42 ? open : open && (before !== 0 || !close),
      close: marker === 42 ? close : close && (after !== 0 || !open),
      active: true,
    });
    return j;
  }

  private codeSpan(i: number): number {
    const s = this.s;
    let j = i;
    while (s.charCodeAt(j) === 96) j++;
    const last = this.tokens[this.tokens.length - 1];
    const afterBacktick = i > 0 && s.charCodeAt(i - 1) === 96 && !(last && last.escape);
    const close = afterBacktick ? -1 : closingSequence(s, j, j - i);
    if (close < 0) {
      this.data(s.slice(i, j));
      return j;
    }
    this.tokens.push({ kind: 'literal', value: codeSpanValue(s.slice(j, close)) });
    return close + (j - i);
  }

  private labelStart(i: number, image: boolean): number {
    const end = i + (image ? 2 : 1);
    const token: Token = { kind: 'labelStart', value: image ? '![' : '[', image, end, active: true, balanced: false };
    this.tokens.push(token);
    this.starts.push(token);
    return end;
  }

  /** `]`: a link or image when a start is open and a resource or a defined reference follows. */
  private labelEnd(i: number): number {
    const starts = this.starts;
    while (starts.length && starts[starts.length - 1]!.balanced) starts.pop();
    const start = starts[starts.length - 1];
    if (!start) {
      this.data(']');
      return i + 1;
    }
    const end = start.active ? this.linkEnd(start, i) : -1;
    if (end < 0) {
      start.balanced = true;
      this.data(']');
      return i + 1;
    }
    starts.pop();
    this.group(start);
    return end;
  }

  /** Past the resource or reference after `]` at `i` closing `start`; -1 when there is no link. */
  private linkEnd(start: Token, i: number): number {
    const s = this.s;
    const defined = this.defined.has(normalizeLabel(s.slice(start.end, i)));
    const next = s.charCodeAt(i + 1);
    if (next === 40) {
      const end = resourceEnd(s, i + 1);
      return end > 0 ? end : defined ? i + 1 : -1;
    }
    if (next === 91) {
      const end = labelEnd(s, i + 1);
      if (end > 0 && this.defined.has(normalizeLabel(s.slice(i + 2, end - 1)))) return end;
      return defined && s.charCodeAt(i + 2) === 93 ? i + 3 : -1;
    }
    return defined ? i + 1 : -1;
  }

  /** Replaces `start` and what follows by one group; links cannot contain links, so earlier starts die. */
  private group(start: Token): void {
    const tokens = this.tokens;
    const at = tokens.lastIndexOf(start);
    const inner = tokens.splice(at);
    inner.shift();
    resolveAttention(inner);
    tokens.push({ kind: 'group', value: start.image ? '' : plain(inner), image: start.image });
    if (start.image) return;
    for (let k = at - 1; k >= 0; k--) {
      const t = tokens[k]!;
      if (t.kind === 'group' && !t.image) break;
      if (t.kind === 'labelStart' && !t.image) {
        if (!t.active) break;
        t.active = false;
      }
    }
  }
}

/** Drops trailing spaces and tabs of the data before a line ending (or the end); true when they make a hard break. */
function lineSuffix(tokens: Token[], atEnd: boolean): boolean {
  const last = tokens[tokens.length - 1];
  if (!last || last.kind !== 'data') return false;
  let k = last.value.length;
  let tabs = false;
  for (let c = last.value.charCodeAt(k - 1); c === 32 || c === 9; c = last.value.charCodeAt(--k - 1)) if (c === 9) tabs = true;
  const size = last.value.length - k;
  if (!size) return false;
  last.value = last.value.slice(0, k);
  if (!last.value) tokens.pop();
  if (atEnd || tabs || size < 2) return false;
  tokens.push({ kind: 'break', value: '' });
  return true;
}

/** Emphasis: each closing run, left to right, takes the nearest opening run of its character (rule of 3). */
function resolveAttention(tokens: Token[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const closer = tokens[i]!;
    if (closer.kind !== 'attention' || !closer.active || !closer.close || !closer.size) continue;
    for (let j = i - 1; j >= 0; j--) {
      const opener = tokens[j]!;
      if (opener.kind !== 'attention' || !opener.active || !opener.open || !opener.size || opener.value !== closer.value) continue;
      if ((opener.close || closer.open) && closer.size % 3 && !((opener.size + closer.size) % 3)) continue;
      const use = opener.size > 1 && closer.size > 1 ? 2 : 1;
      opener.size -= use;
      closer.size -= use;
      for (let k = j + 1; k < i; k++) if (tokens[k]!.kind === 'attention') tokens[k]!.active = false;
      if (closer.size) i--;
      break;
    }
  }
}

function plain(tokens: Token[]): string {
  let out = '';
  for (const t of tokens) out += t.kind === 'attention' ? t.value.repeat(t.size!) : t.value;
  return out;
}

/** 1: whitespace (or nothing), 2: punctuation or symbol, 0: other; by UTF-16 unit, as micromark. */
function classify(c: number): 0 | 1 | 2 {
  if (Number.isNaN(c) || c === 32 || c === 9 || c === 10 || c === 13) return 1;
  if (c < 128) return isAsciiPunctuation(c) ? 2 : 0;
  const ch = String.fromCharCode(c);
  if (/\s/.test(ch)) return 1;
  return /\p{P}|\p{S}/u.test(ch) ? 2 : 0;
}

function isAsciiPunctuation(c: number): boolean {
  return (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);
}


/** `&name;`, `&#digits;` or `&#xhex;` at `i`, decoded; null when it is not a reference. */
function characterReference(s: string, i: number): { value: string; end: number } | null {
  let j = i + 1;
  let base: 0 | 10 | 16 = 0;
  if (s.charCodeAt(j) === 35) {
    j++;
    base = 10;
    if ((s.charCodeAt(j) | 32) === 120) {
      j++;
      base = 16;
    }
  }
  const max = base === 16 ? 6 : base === 10 ? 7 : 31;
  const test = base === 16 ? (c: number) => isDigit(c) || ((c | 32) >= 97 && (c | 32) <= 102) : base === 10 ? isDigit : isAlphanumeric;
  const from = j;
  while (test(s.charCodeAt(j))) {
    if (j - from === max) return null;
    j++;
  }
  if (j === from || s.charCodeAt(j) !== 59) return null;
  const body = s.slice(from, j);
  const value = base ? decodeNumeric(body, base) : decodeNamed(body);
  return value === undefined ? null : { value, end: j + 1 };
}

/** The start of the next run of exactly `size` backticks from `from`; -1 when there is none. */
function closingSequence(s: string, from: number, size: number): number {
  for (let i = s.indexOf('`', from); i >= 0; ) {
    let j = i;
    while (s.charCodeAt(j) === 96) j++;
    if (j - i === size) return i;
    i = s.indexOf('`', j);
  }
  return -1;
}

/** A code span's content: one space or line ending stripped from each side when both have one and it is not all spaces. */
function codeSpanValue(content: string): string {
  const first = content.charCodeAt(0);
  const last = content.charCodeAt(content.length - 1);
  if (!(first === 32 || isEol(first)) || !(last === 32 || isEol(last)) || !/[^ \r\n]/.test(content)) return content;
  const head = first === 13 && content.charCodeAt(1) === 10 ? 2 : 1;
  const tail = last === 10 && content.charCodeAt(content.length - 2) === 13 ? 2 : 1;
  return content.slice(head, content.length - tail);
}

/** Past an inline link's `(destination "title")` at `at` (a `(`), both parts optional; -1 when malformed. */
function resourceEnd(s: string, at: number): number {
  let i = whitespaceEnd(s, at + 1);
  if (s.charCodeAt(i) === 41) return i + 1;
  i = destinationEnd(s, i, 32);
  if (i < 0) return -1;
  if (isSpace(s.charCodeAt(i)) || isEol(s.charCodeAt(i))) {
    i = whitespaceEnd(s, i);
    const c = s.charCodeAt(i);
    if (c === 34 || c === 39 || c === 40) {
      i = titleEnd(s, i);
      if (i < 0) return -1;
      i = whitespaceEnd(s, i);
    }
  }
  return s.charCodeAt(i) === 41 ? i + 1 : -1;
}

/** Past an autolink `<scheme:...>` or `<email>` at `i`; -1 when there is none. */
function autolinkEnd(s: string, i: number): number {
  let j = i + 1;
  let c = s.charCodeAt(j);
  if (isAlpha(c)) {
    j++;
    let size = 0;
    for (c = s.charCodeAt(j); c === 43 || c === 45 || c === 46 || isAlphanumeric(c); c = s.charCodeAt(j)) {
      if (size++ >= 31) break;
      j++;
    }
    if (size && s.charCodeAt(j) === 58) {
      for (j++; ; j++) {
        c = s.charCodeAt(j);
        if (c === 62) return j + 1;
        if (j >= s.length || c === 32 || c === 60 || c < 32 || c === 127) return -1;
      }
    }
  } else if (c === 64) {
    return -1;
  }
  return emailEnd(s, j);
}

const isAtext = (c: number): boolean =>
  c === 35 || c === 36 || c === 37 || c === 38 || c === 39 || c === 42 || c === 43 || (c >= 45 && c <= 57) || c === 61 || c === 63 || (c >= 65 && c <= 90) || (c >= 94 && c <= 126);

/** The rest of an email autolink from `j` (inside the atext before `@`). */
function emailEnd(s: string, from: number): number {
  let j = from;
  while (isAtext(s.charCodeAt(j))) j++;
  if (s.charCodeAt(j) !== 64) return -1;
  j++;
  for (;;) {
    if (!isAlphanumeric(s.charCodeAt(j))) return -1;
    let size = 0;
    let c = s.charCodeAt(j);
    for (;;) {
      if (c === 46) {
        j++;
        break;
      }
      if (c === 62) return j + 1;
      if (!(c === 45 || isAlphanumeric(c)) || size++ >= 63) return -1;
      j++;
      const dash = c === 45;
      c = s.charCodeAt(j);
      if (dash && !(c === 45 || isAlphanumeric(c))) return -1;
    }
  }
}

/** Past inline raw HTML at `i` (a `<`): a tag, closing tag, comment, processing instruction, declaration or CDATA; -1 when none. */
function htmlTextEnd(s: string, i: number): number {
  const c = s.charCodeAt(i + 1);
  if (c === 33) {
    const d = s.charCodeAt(i + 2);
    if (d === 45) return s.charCodeAt(i + 3) === 45 ? after(s.indexOf('-->', i + 2), 3) : -1;
    if (d === 91) return s.startsWith('CDATA[', i + 3) ? after(s.indexOf(']]>', i + 9), 3) : -1;
    return isAlpha(d) ? after(s.indexOf('>', i + 3), 1) : -1;
  }
  if (c === 63) return after(s.indexOf('?>', i + 2), 2);
  if (c === 47) {
    if (!isAlpha(s.charCodeAt(i + 2))) return -1;
    let j = i + 3;
    while (s.charCodeAt(j) === 45 || isAlphanumeric(s.charCodeAt(j))) j++;
    while (isSpace(s.charCodeAt(j)) || isEol(s.charCodeAt(j))) j++;
    return s.charCodeAt(j) === 62 ? j + 1 : -1;
  }
  if (!isAlpha(c)) return -1;
  let j = i + 2;
  while (s.charCodeAt(j) === 45 || isAlphanumeric(s.charCodeAt(j))) j++;
  const d = s.charCodeAt(j);
  if (!(d === 47 || d === 62 || isSpace(d) || isEol(d))) return -1;
  return tagAttributesEnd(s, j);
}

const after = (found: number, length: number): number => (found < 0 ? -1 : found + length);

/** The attributes and end (`>` or `/>`) of an opening tag from `at`, just past its name. */
function tagAttributesEnd(s: string, at: number): number {
  let j = at;
  for (;;) {
    const c = s.charCodeAt(j);
    if (c === 47) return s.charCodeAt(j + 1) === 62 ? j + 2 : -1;
    if (isSpace(c) || isEol(c)) {
      j++;
      continue;
    }
    if (!(c === 58 || c === 95 || isAlpha(c))) return c === 62 ? j + 1 : -1;
    j++;
    for (let d = s.charCodeAt(j); d === 45 || d === 46 || d === 58 || d === 95 || isAlphanumeric(d); d = s.charCodeAt(++j));
    let k = j;
    while (isSpace(s.charCodeAt(k)) || isEol(s.charCodeAt(k))) k++;
    if (s.charCodeAt(k) !== 61) continue;
    j = attributeValueEnd(s, k + 1);
    if (j < 0) return -1;
  }
}

/** Past an attribute value from `at` (just after `=`), where the next attribute or the end may start; -1 when invalid. */
function attributeValueEnd(s: string, at: number): number {
  let j = at;
  while (isSpace(s.charCodeAt(j)) || isEol(s.charCodeAt(j))) j++;
  const c = s.charCodeAt(j);
  if (j >= s.length || c === 60 || c === 61 || c === 62 || c === 96) return -1;
  if (c === 34 || c === 39) {
    const close = s.indexOf(s[j]!, j + 1);
    if (close < 0) return -1;
    const d = s.charCodeAt(close + 1);
    return d === 47 || d === 62 || isSpace(d) || isEol(d) ? close + 1 : -1;
  }
  for (j++; ; j++) {
    const d = s.charCodeAt(j);
    if (j >= s.length || d === 34 || d === 39 || d === 60 || d === 61 || d === 96) return -1;
    if (d === 47 || d === 62 || isSpace(d) || isEol(d)) return j;
  }
}

/** Inline HTML spanning lines loses up to three columns of indentation after each line ending (a split tab leaves spaces). */
function withoutLinePrefixes(html: string): string {
  if (!/[\r\n]/.test(html)) return html;
  return html.replace(/(\r\n|\r|\n)([ \t]*)/g, (_, eol: string, ws: string) => {
    let col = 0;
    let i = 0;
    for (; i < ws.length && col < 3; i++) {
      const width = ws.charCodeAt(i) === 9 ? 4 - (col % 4) : 1;
      if (col + width > 3) return eol + ' '.repeat(col + width - 3) + ws.slice(i + 1);
      col += width;
    }
    return eol + ws.slice(i);
  });
}
