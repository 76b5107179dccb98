// Reading the JSON files of a record strictly: a syntax error is located, and a file whose bytes are not
// the tool's own serialization of its content is told apart from one whose content changed.
import { canonicalJson } from './hash.js';

export type JsonRead = { ok: true; value: unknown; text: string } | { ok: false; problem: string };

/** Parses UTF-8 JSON bytes; on failure says where (line:column). */
export function parseJsonBytes(bytes: Uint8Array): JsonRead {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, problem: 'not valid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text), text };
  } catch (err) {
    const m = /position (\d+)/.exec((err as Error).message);
    if (m) {
      const { line, column } = lineColumn(text, Number(m[1]));
      return { ok: false, problem: `not valid JSON at line ${line}, column ${column}` };
    }
    return { ok: false, problem: `not valid JSON (${(err as Error).message})` };
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
