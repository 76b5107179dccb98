// The Unicode Bidirectional Algorithm (npm bidi-js): embedding levels of a paragraph, visual reordering of
// a line's pieces (rule L2), and mirrored brackets in right-to-left runs. Loaded only for text that has
// right-to-left characters.
import { createRequire } from 'node:module';

interface Bidi {
  getEmbeddingLevels(text: string, direction?: 'ltr' | 'rtl' | 'auto'): { levels: Uint8Array; paragraphs: Array<{ start: number; end: number; level: number }> };
  getMirroredCharacter(char: string): string | null;
}

let bidi: Bidi | null = null;
function load(): Bidi {
  if (!bidi) {
    const factory = createRequire(import.meta.url)('bidi-js') as () => Bidi;
    bidi = factory();
  }
  return bidi;
}

/** Embedding level of every UTF-16 unit of `text` and the paragraph's base level (0 ltr, 1 rtl). */
export function embeddingLevels(text: string, direction: 'ltr' | 'rtl' | 'auto' = 'auto'): { levels: Uint8Array; base: number } {
  const r = load().getEmbeddingLevels(text, direction);
  return { levels: r.levels, base: r.paragraphs[0]?.level ?? 0 };
}

/** Text of a right-to-left piece with brackets and other mirrored characters swapped (rule L4). */
export function mirrored(text: string): string {
  const b = load();
  let out = '';
  for (const ch of text) out += b.getMirroredCharacter(ch) ?? ch;
  return out;
}

/** Visual order of pieces with these levels (rule L2): indices into the logical list. */
export function visualOrder(levels: readonly number[]): number[] {
  const order = levels.map((_, i) => i);
  if (!levels.length) return order;
  const max = Math.max(...levels);
  let minOdd = Infinity;
  for (const l of levels) if (l % 2 === 1 && l < minOdd) minOdd = l;
  if (minOdd === Infinity) return order;
  for (let level = max; level >= minOdd; level--) {
    let i = 0;
    while (i < order.length) {
      if (levels[order[i]!]! >= level) {
        let j = i;
        while (j + 1 < order.length && levels[order[j + 1]!]! >= level) j++;
        const seg = order.slice(i, j + 1).reverse();
        order.splice(i, seg.length, ...seg);
        i = j + 1;
      } else i++;
    }
  }
  return order;
}
