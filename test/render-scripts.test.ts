// Every script: a stress document with Arabic, Hebrew, Devanagari, Thai, Korean, simplified Chinese,
// Japanese and emoji, typeset with fontkit's OpenType layout, bidi-js and the Noto fonts shipped from npm,
// read back with pdftotext and pdffonts. (The pages were also looked at as PNG: Arabic joined and right to
// left, Devanagari conjuncts and matras in place, Thai marks stacked.)
//
// On right-to-left text: the glyphs are in visual order, each mapped to its own letters, which is what
// text extractors expect (poppler and pdf.js reorder right-to-left runs themselves). Poppler reorders
// per word in its default mode and per line in -layout mode, and ends a right-to-left run at a comma or a
// digit; so word order is checked where poppler can give it (-layout, a phrase without comma or digit),
// and every word and every character everywhere.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseMarkdown } from '../src/markdown/parse.js';
import { renderMarkdownToPdf, type PdfDocumentMeta } from '../src/pdf/index.js';
import { pdffonts, pdftotext, qpdfCheck, savePdf } from './helpers/pdf-tools.js';
import { makeTempDir } from './helpers/tmp.js';

const md = readFileSync(new URL('./fixtures/render/scripts.md', import.meta.url), 'utf8');
const tmp = makeTempDir('qualify-scripts-');
afterAll(() => tmp.cleanup());
let path = '';
let text = '';
let layout = '';

/** Text without bidi control characters poppler adds around right-to-left runs. */
const plain = (s: string): string => s.replace(/[\u202a-\u202e\u200e\u200f]/g, '');
const RTL = /[\u0590-\u08ff]/;

beforeAll(async () => {
  const meta: PdfDocumentMeta = { documentId: 'SOP-0900', title: 'Every script', revision: '01', status: 'effective', kind: 'sop', created: '2026-10-01' };
  path = savePdf(tmp.dir, 'scripts.pdf', await renderMarkdownToPdf(parseMarkdown(md), meta));
  text = plain(pdftotext(path));
  layout = plain(pdftotext(path, '-layout'));
});

describe('every script, typeset and read back', () => {
  test('left-to-right scripts come back in logical order, line by line (Devanagari and Thai through /ActualText)', () => {
    for (const line of md.split('\n').filter((l) => /^(Devanagari|Thai|Korean|Chinese|Japanese|Emoji):/.test(l))) {
      expect(text).toContain(line);
    }
    for (const cell of ['अपेक्षित मान', 'ค่าที่คาดหวัง', '예상 값', '预期值']) expect(text).toContain(cell);
  });

  test('Arabic and Hebrew: every word in logical order, every character, phrases in order where poppler can tell', () => {
    const source = md.split('\n').filter((l) => RTL.test(l));
    for (const line of source) {
      for (const word of line.split(/[\s,.،()|]+/).filter((w) => RTL.test(w))) {
        const letters = word.replace(/[^\u0590-\u08ff]/g, '');
        expect(text, word).toContain(letters);
      }
    }
    const count = (s: string): Map<string, number> => {
      const m = new Map<string, number>();
      for (const ch of s) if (RTL.test(ch)) m.set(ch, (m.get(ch) ?? 0) + 1);
      return m;
    };
    expect(count(text)).toEqual(count(source.join('\n')));
    // Phrases without commas or digits: in the page layout, word order is logical too.
    for (const phrase of ['قيمة متوقعة', 'ערך צפוי', 'זו בדיקה של כיוון הטקסט', 'هذا اختبار للتشكيل']) expect(layout).toContain(phrase);
  });

  test('a fallback font per script, each embedded as a subset with /ToUnicode; qpdf finds no error', () => {
    const fonts = pdffonts(path);
    for (const name of ['NotoSansArabic', 'NotoSansHebrew', 'NotoSansDevanagari', 'NotoSansThai', 'NotoSansKR', 'NotoSansSC', 'NotoSansJP', 'NotoEmoji', 'DejaVuSans']) {
      expect(fonts.some((f) => f.name.includes(name)), name).toBe(true);
    }
    for (const f of fonts) expect(f, f.name).toMatchObject({ emb: 'yes', sub: 'yes', uni: 'yes' });
    expect(qpdfCheck(path).ok).toBe(true);
  });
});
