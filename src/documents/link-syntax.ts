// The pieces link reference definitions and inline links share: label `[...]`, destination,
// title, whitespace, and label normalisation. Each scanner takes a string and a start index and
// returns the index just past what it recognised, or -1; the rules are micromark's (CommonMark).

import { isEol } from './char-codes.js';

/** Past `[label]` starting at `at` (a `[`): no unescaped brackets, at most 999 characters, not blank. */
export function labelEnd(s: string, at: number): number {
  let i = at + 1;
  let size = 0;
  let seen = false;
  for (;;) {
    const c = s.charCodeAt(i);
    if (size > 999 || i >= s.length || c === 91 || (c === 93 && !seen)) return -1;
    if (c === 93) return i + 1;
    if (isEol(c)) {
      i += c === 13 && s.charCodeAt(i + 1) === 10 ? 2 : 1;
      continue;
    }
    for (;;) {
      const d = s.charCodeAt(i);
      if (i >= s.length || d === 91 || d === 93 || isEol(d) || size++ > 999) break;
      i++;
      if (!seen) seen = d !== 32 && d !== 9;
      const e = s.charCodeAt(i);
      if (d === 92 && (e === 91 || e === 92 || e === 93)) {
        i++;
        size++;
      }
    }
  }
}

/** Past a link destination at `at`: `<...>` on one line, or raw with balanced parentheses (at most `limit` deep). */
export function destinationEnd(s: string, at: number, limit: number): number {
  let c = s.charCodeAt(at);
  if (c === 60) {
    for (let i = at + 1; ; ) {
      c = s.charCodeAt(i);
      if (c === 62) return i + 1;
      if (i >= s.length || c === 60 || isEol(c)) return -1;
      i++;
      const e = s.charCodeAt(i);
      if (c === 92 && (e === 60 || e === 62 || e === 92)) i++;
    }
  }
  if (at >= s.length || c === 32 || c === 41 || c < 32 || c === 127) return -1;
  let balance = 0;
  for (let i = at; ; ) {
    c = s.charCodeAt(i);
    const end = i >= s.length;
    if (!balance && (end || c === 41 || c === 32 || c === 9 || isEol(c))) return i;
    if (balance < limit && c === 40) {
      balance++;
      i++;
    } else if (c === 41) {
      balance--;
      i++;
    } else if (end || c === 32 || c === 40 || c < 32 || c === 127) {
      return -1;
    } else {
      i++;
      const e = s.charCodeAt(i);
      if (c === 92 && (e === 40 || e === 41 || e === 92)) i++;
    }
  }
}

/** Past a title at `at`: `"..."`, `'...'` or `(...)`, possibly over several lines. */
export function titleEnd(s: string, at: number): number {
  const open = s.charCodeAt(at);
  if (open !== 34 && open !== 39 && open !== 40) return -1;
  const close = open === 40 ? 41 : open;
  for (let i = at + 1; ; ) {
    const c = s.charCodeAt(i);
    if (c === close) return i + 1;
    if (i >= s.length) return -1;
    if (isEol(c)) {
      i = spaceEnd(s, i + (c === 13 && s.charCodeAt(i + 1) === 10 ? 2 : 1));
      continue;
    }
    i++;
    const e = s.charCodeAt(i);
    if (c === 92 && (e === close || e === 92)) i++;
  }
}

/** Past spaces and tabs. */
export function spaceEnd(s: string, at: number): number {
  let i = at;
  for (let c = s.charCodeAt(i); c === 32 || c === 9; c = s.charCodeAt(++i));
  return i;
}

/** Past spaces, tabs and line endings. */
export function whitespaceEnd(s: string, at: number): number {
  let i = at;
  for (let c = s.charCodeAt(i); c === 32 || c === 9 || isEol(c); c = s.charCodeAt(++i));
  return i;
}

/** The identifier two labels must share to match: whitespace collapsed, case folded. */
export function normalizeLabel(label: string): string {
  return label.replace(/[\t\n\r ]+/g, ' ').replace(/^ | $/g, '').toLowerCase().toUpperCase();
}
