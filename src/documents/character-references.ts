// Backslash escapes and HTML character references (`\#`, `&amp;`, `&#35;`, `&#x23;`) decoded as
// CommonMark (micromark) decodes them in headings and fence info strings.
import { characterEntities } from './character-entities.js';

let named: Record<string, string> | undefined;

/** The text a named reference (`amp`, without & and ;) stands for; undefined when it is not one. */
export function decodeNamed(name: string): string | undefined {
  named ??= characterEntities();
  return Object.prototype.hasOwnProperty.call(named, name) ? named[name] : undefined;
}

/** A numeric reference's character; U+FFFD for code points HTML forbids (NUL, controls, surrogates...). */
export function decodeNumeric(digits: string, base: 10 | 16): string {
  const code = Number.parseInt(digits, base);
  if (
    code < 9 || code === 11 || (code > 13 && code < 32) || (code > 126 && code < 160) ||
    (code > 55_295 && code < 57_344) || (code > 64_975 && code < 65_008) ||
    (code & 65_535) === 65_535 || (code & 65_535) === 65_534 || code > 1_114_111
  ) return '\uFFFD';
  return String.fromCodePoint(code);
}

const ESCAPE_OR_REFERENCE = /\\([!-/:-@[-`{-~])|&(#(?:\d{1,7}|x[\da-f]{1,6})|[\da-z]{1,31});/gi;

/** Decodes escapes and references in plain string content (a fence's info string). */
export function decodeString(value: string): string {
  if (!value.includes('\\') && !value.includes('&')) return value;
  return value.replace(ESCAPE_OR_REFERENCE, (all, escaped: string | undefined, reference: string | undefined) => {
    if (escaped) return escaped;
    const ref = reference!;
    if (ref.charCodeAt(0) !== 35) return decodeNamed(ref) ?? all;
    const hex = ref.charCodeAt(1) === 120 || ref.charCodeAt(1) === 88;
    return decodeNumeric(ref.slice(hex ? 2 : 1), hex ? 16 : 10);
  });
}
