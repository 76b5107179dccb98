// ASCII character classes by char code, as CommonMark defines them; shared by the Markdown scanners
// (blocks.ts, inline-text.ts, link-syntax.ts).

export const isSpace = (c: number): boolean => c === 32 || c === 9;
export const isEol = (c: number): boolean => c === 10 || c === 13;
export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
export const isAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
export const isAlphanumeric = (c: number): boolean => isAlpha(c) || isDigit(c);
