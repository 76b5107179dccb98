// What a code point needs from the engine: which script (and so which shipped face draws it best),
// whether it needs OpenType shaping, whether it is right-to-left, and which language a run of it is.
// Ranges follow the Unicode blocks; anything not listed is "common" and drawn by the style's own face.

export type ScriptClass = 'common' | 'arab' | 'hebr' | 'deva' | 'thai' | 'hang' | 'kana' | 'hani' | 'emoji';

/** The script class of one code point. */
export function scriptOf(cp: number): ScriptClass {
  if (cp < 0x0590) return 'common';
  if (cp < 0x0600) return 'hebr';
  if (cp < 0x0700) return 'arab';
  if (cp >= 0x0750 && cp < 0x0780) return 'arab';
  if (cp >= 0x0870 && cp < 0x0900) return 'arab';
  if (cp >= 0x0900 && cp < 0x0980) return 'deva';
  if (cp >= 0x0e00 && cp < 0x0e80) return 'thai';
  if (cp >= 0x1100 && cp < 0x1200) return 'hang';
  if (cp >= 0x1cd0 && cp < 0x1d00) return 'deva';
  if (cp >= 0x2e80 && cp < 0x3040) return 'hani';
  if (cp >= 0x3040 && cp < 0x3100) return 'kana';
  if (cp >= 0x3130 && cp < 0x3190) return 'hang';
  if (cp >= 0x31f0 && cp < 0x3200) return 'kana';
  if (cp >= 0x3200 && cp < 0xa000) return 'hani';
  if (cp >= 0xa8e0 && cp < 0xa900) return 'deva';
  if (cp >= 0xa960 && cp < 0xa980) return 'hang';
  if (cp >= 0xac00 && cp < 0xd800) return 'hang';
  if (cp >= 0xf900 && cp < 0xfb00) return 'hani';
  if (cp >= 0xfb1d && cp < 0xfb50) return 'hebr';
  if (cp >= 0xfb50 && cp < 0xfe00) return 'arab';
  if (cp >= 0xfe70 && cp < 0xff00) return 'arab';
  if (cp >= 0xff66 && cp < 0xffa0) return 'kana';
  if (cp >= 0xff00 && cp < 0xfff0) return 'hani';
  if (cp >= 0x1f000 && cp < 0x1fb00) return 'emoji';
  if (cp >= 0x20000 && cp < 0x32000) return 'hani';
  return 'common';
}

/** Right-to-left scripts (the Unicode Bidirectional Algorithm runs only where one of these occurs). */
export const RTL_CHARS = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u202b\u202e\u2067]|\ud803[\ude60-\ude7f]|\ud83a/;

/**
 * Text that the simple path (one glyph per code point, advances from hmtx) draws exactly: Latin,
 * Greek, Cyrillic, punctuation, symbols, CJK ideographs and kana. Anything else (combining marks,
 * joining or reordering scripts, emoji sequences, variation selectors, joiners) goes through
 * fontkit's OpenType layout.
 */
export function needsShaping(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x0300) continue;
    if (c < 0x0370) return true; // combining diacritical marks
    if (c < 0x0483) continue; // Greek, Cyrillic
    if (c < 0x048a) return true; // Cyrillic combining marks
    if (c < 0x0590) continue;
    if (c < 0x1100) return true; // Hebrew … Myanmar, Georgian
    if (c < 0x1200) return true; // Hangul jamo compose
    if (c < 0x1ab0) return true; // Ethiopic … Balinese
    if (c < 0x1b00) return true; // combining marks extended
    if (c < 0x1dc0) continue;
    if (c < 0x1e00) return true; // combining marks supplement
    if (c < 0x200b) continue;
    if (c < 0x2010) return true; // zero-width joiners, direction marks
    if (c < 0x2028) continue;
    if (c < 0x2030) return true; // embeddings, overrides
    if (c < 0x2060) continue;
    if (c < 0x2070) return true; // isolates, invisible operators
    if (c < 0x20d0) continue;
    if (c < 0x2100) return true; // combining marks for symbols
    if (c < 0x302a) continue;
    if (c < 0x3030) return true; // ideographic tone marks
    if (c < 0x3099) continue;
    if (c < 0x309b) return true; // combining kana voicing marks
    if (c < 0xa000) continue;
    if (c < 0xac00) return true; // Yi … Hangul jamo extended
    if (c < 0xd7b0) continue; // Hangul syllables
    if (c < 0xd800) return true;
    if (c < 0xe000) return true; // astral: emoji, historic scripts
    if (c < 0xfb00) continue;
    if (c < 0xfe00) return true; // presentation forms
    if (c < 0xfe10) return true; // variation selectors
    if (c < 0xfe20) continue;
    if (c < 0xfe30) return true; // combining half marks
    if (c < 0xfe70) continue;
    if (c < 0xff00) return true; // Arabic presentation forms B
  }
  return false;
}

/** Code points that never choose a face (they go with the cluster they belong to). */
export function isIgnorable(cp: number): boolean {
  return cp === 0x200c || cp === 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef) || (cp >= 0x1f3fb && cp <= 0x1f3ff) || (cp >= 0xe0020 && cp <= 0xe007f);
}

/** Emoji presentation: an emoji-block base, a variation selector 16, a keycap or a flag. */
export function isEmojiCluster(cluster: string): boolean {
  const cp = cluster.codePointAt(0)!;
  return scriptOf(cp) === 'emoji' || cluster.includes('\ufe0f') || cluster.includes('\u20e3');
}

/** BCP 47 language of a run of a script that is not the document's (for /Lang on tagged spans). */
export function languageOfScript(script: ScriptClass, cjk: CjkHint): string | null {
  switch (script) {
    case 'arab':
      return 'ar';
    case 'hebr':
      return 'he';
    case 'deva':
      return 'hi';
    case 'thai':
      return 'th';
    case 'hang':
      return 'ko';
    case 'kana':
      return 'ja';
    case 'hani':
      return cjk === 'ja' ? 'ja' : cjk === 'ko' ? 'ko' : 'zh';
    default:
      return null;
  }
}

/** Which CJK face draws ideographs: Japanese, Korean or simplified Chinese forms. */
export type CjkHint = 'ja' | 'ko' | 'zh';

/** The CJK reading of a paragraph: kana make it Japanese, Hangul Korean, else the document's language or Chinese. */
export function cjkHintOf(text: string, lang: string): CjkHint {
  if (/[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]/.test(text)) return 'ja';
  if (/[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]/.test(text)) return 'ko';
  const l = lang.toLowerCase();
  if (l.startsWith('ja')) return 'ja';
  if (l.startsWith('ko')) return 'ko';
  return 'zh';
}
