// One line of plain text (running headers, labels, code lines) → placed words: shaped, and reordered
// by the Unicode Bidirectional Algorithm when it holds right-to-left text.
import type { FontStyle } from '../fonts.js';
import type { Color, PlacedWord } from '../layout/page.js';
import { embeddingLevels, mirrored, visualOrder } from './bidi.js';
import { RTL_CHARS, cjkHintOf } from './script.js';
import { shapeText } from './shape.js';

/** Words of `text` left to right, and its logical text when the glyph order differs from it. */
export function placeText(text: string, style: FontStyle, size: number, color: Color, lang = 'en'): { words: PlacedWord[]; actual: string | null } {
  const cjk = cjkHintOf(text, lang);
  if (!RTL_CHARS.test(text)) return { words: [{ dx: 0, s: shapeText(text, style, { cjk }), size, style, color }], actual: null };
  const { levels } = embeddingLevels(text);
  const runs: Array<{ text: string; level: number }> = [];
  for (let i = 0; i < text.length; i++) {
    const last = runs[runs.length - 1];
    if (last && last.level === levels[i]) last.text += text[i];
    else runs.push({ text: text[i]!, level: levels[i]! });
  }
  const words: PlacedWord[] = [];
  let x = 0;
  for (const i of visualOrder(runs.map((r) => r.level))) {
    const r = runs[i]!;
    const rtl = r.level % 2 === 1;
    const s = shapeText(rtl ? mirrored(r.text) : r.text, style, { rtl, cjk });
    words.push({ dx: x, s, size, style, color });
    x += (s.w * size) / 1000;
  }
  return { words, actual: null };
}
