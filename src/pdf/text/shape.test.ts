// The shaper on real fonts: joining, conjuncts, clusters, bidi order and the face chosen per run.
import { describe, expect, test } from 'vitest';
import { face } from '../fonts.js';
import { embeddingLevels, visualOrder } from './bidi.js';
import { hyphenationPoints } from './hyphenate.js';
import { shapeText } from './shape.js';
import { cjkHintOf } from './script.js';

describe('shapeText', () => {
  test('Arabic letters join: the shaped glyphs are not the isolated forms, in visual order, each mapped to its letter', () => {
    const word = 'مرحبا';
    const s = shapeText(word, 'regular', { rtl: true });
    expect(s.runs).toHaveLength(1);
    const run = s.runs[0]!;
    expect(run.face.id).toBe('arabic');
    const isolated = Array.from(word, (ch) => face('arabic').gid(ch.codePointAt(0)!));
    expect(run.gids).not.toEqual([...isolated].reverse());
    // Visual order is right to left: the first letter's glyph comes last; the text reverses back.
    expect(run.uni.join('')).toBe([...word].reverse().join(''));
    expect(s.rtl).toBe(true);
  });

  test('Arabic letters that share a body keep their own text (khah, hah, yeh, teh)', () => {
    for (const word of ['اختبار', 'للتشكيل', 'حجر']) {
      const s = shapeText(word, 'regular', { rtl: true });
      expect(s.runs.flatMap((r) => r.uni).reverse().join('').normalize('NFC')).toBe(word.normalize('NFC'));
    }
  });

  test('Devanagari conjuncts and the i-matra: fewer glyphs than code points, reordered, so /ActualText carries the text', () => {
    const s = shapeText('क्षत्रिय', 'regular');
    expect(s.runs[0]!.face.id).toBe('devanagari');
    expect(s.runs[0]!.gids.length).toBeLessThan([...'क्षत्रिय'].length);
    expect(s.complex).toBe(true);
    expect(s.lang).toBe('hi');
  });

  test('emoji sequences stay one cluster in the emoji face; Latin stays on the simple path', () => {
    const family = shapeText('👨‍👩‍👧', 'regular');
    expect(family.runs.map((r) => r.face.id)).toEqual(['emoji']);
    const latin = shapeText('Qualification', 'bold');
    expect(latin.complex).toBe(false);
    expect(latin.runs.map((r) => r.face.id)).toEqual(['sansBold']);
  });

  test('CJK ideographs take the Japanese, Korean or simplified Chinese face from their paragraph', () => {
    expect(cjkHintOf('承認されたリリース', 'en')).toBe('ja');
    expect(cjkHintOf('这是简体中文', 'en')).toBe('zh');
    expect(shapeText('这', 'regular', { cjk: 'zh' }).runs[0]!.face.id).toBe('sc');
    expect(shapeText('承', 'regular', { cjk: 'ja' }).runs[0]!.face.id).toBe('jp');
    expect(shapeText('한국어', 'regular').runs[0]!.face.id).toBe('kr');
  });
});

describe('bidi and hyphenation', () => {
  test('rule L2 reverses right-to-left levels, numbers inside them keep their order', () => {
    const text = 'abc שלום עולם 12 def';
    const { levels, base } = embeddingLevels(text);
    expect(base).toBe(0);
    expect(levels[4]).toBe(1);
    expect(visualOrder([0, 1, 1, 2, 1, 0])).toEqual([0, 4, 3, 2, 1, 5]);
  });

  test('Knuth–Liang points for English; none for ids, acronyms or short words', () => {
    expect(hyphenationPoints('qualification', 'en')).toEqual(expect.arrayContaining([4]));
    expect(hyphenationPoints('SOP-0013', 'en')).toEqual([]);
    expect(hyphenationPoints('GAMP', 'en')).toEqual([]);
    expect(hyphenationPoints('image', 'en')).toEqual([]);
    expect(hyphenationPoints('Überprüfung', 'de').length).toBeGreaterThan(0);
  });
});
