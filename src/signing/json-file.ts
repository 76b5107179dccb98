// Reading the JSON files of a record strictly: a syntax error is located, and a file whose bytes are not
// the tool's own serialization of its content is told apart from one whose content changed.
import { canonicalJson } from './hash.js';

export type JsonRead = { ok: true; value: unknown; text: string } | { ok: false; problem: string };

/** Parses UTF-8 JSON bytes; on failure says where (line:column). */
export function parseJsonBytes(bytes: Uint8Array): JsonRead {
  let text: string;
  // The tool writes no byte order mark; one added later is an edit (and TextDecoder would hide it).
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { ok: false, problem: 'not as written: it starts with a UTF-8 byte order mark (EF BB BF)' };
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch {
    const { line, column } = lineColumn(text, syntaxErrorOffset(text));
    return { ok: false, problem: `not valid JSON at line ${line}, column ${column}` };
  }
}

/** Offset of the first JSON syntax error in `text` (only called when JSON.parse failed; V8's messages do not always say). */
function syntaxErrorOffset(text: string): number {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++; };
  const fail = (): never => { throw i; };
  const literal = (word: string) => { if (text.startsWith(word, i)) i += word.length; else fail(); };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') { if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail(); i += 4; }
        else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (text[i] !== '"') fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) { ws(); if (text[i] !== '"') fail(); string(); ws(); if (text[i] !== ':') fail(); i++; value(); ws(); if (text[i] === ',') { i++; continue; } if (text[i] === '}') { i++; return; } fail(); }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) { value(); ws(); if (text[i] === ',') { i++; continue; } if (text[i] === ']') { i++; return; } fail(); }
    }
    if (c === '"') return string();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) fail();
    i += m![0].length;
  };
  try {
    value();
    ws();
    return i;
  } catch (at) {
    return typeof at === 'number' ? at : 0;
  }
}

/** The tool's serialization of a JSON file: two-space indented, with a final newline. */
export function serializeJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Null when `text` is a normal serialization of `value` (two-space indented or RFC 8785 canonical, in any
 * key order, with or without a final newline); else a sentence locating the first byte that differs.
 * Records are never rewritten, so even a whitespace-only edit is reported.
 */
export function serializationProblem(text: string, value: unknown): string | null {
  const pretty = JSON.stringify(value, null, 2);
  if (text === pretty || text === `${pretty}\n`) return null;
  const canonical = canonicalJson(value);
  if (text === canonical || text === `${canonical}\n`) return null;
  const compact = JSON.stringify(value);
  if (text === compact || text === `${compact}\n`) return null;
  let i = 0;
  while (i < text.length && i < pretty.length && text[i] === pretty[i]) i++;
  const { line, column } = lineColumn(text, i);
  return `its content is intact but the file was edited: bytes differ from the tool's serialization at line ${line}, column ${column}`;
}

function lineColumn(text: string, index: number): { line: number; column: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < index && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return { line, column: index - last };
}
