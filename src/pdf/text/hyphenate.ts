// Hyphenation points with the Knuth–Liang patterns of the document's language (npm `hyphen`, the TeX
// patterns from CTAN). Loaded on the first word that needs it; results cached per word.
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

// BCP 47 language (prefix) → pattern file of `hyphen/patterns/`.
const PATTERN_FILES: Record<string, string> = {
  en: 'en-us', 'en-us': 'en-us', 'en-gb': 'en-gb', de: 'de-1996', 'de-ch': 'de-ch-1901', fr: 'fr', es: 'es', it: 'it', nl: 'nl', pt: 'pt',
  sv: 'sv', da: 'da', nb: 'nb', nn: 'nn', no: 'nb', fi: 'fi', pl: 'pl', cs: 'cs', sk: 'sk', sl: 'sl', hr: 'hr', hu: 'hu', ro: 'ro',
  ru: 'ru', uk: 'uk', bg: 'bg', el: 'el-monoton', tr: 'tr', et: 'et', lt: 'lt', lv: 'lv', ca: 'ca', ga: 'ga', is: 'is', la: 'la',
};

type Hyphenator = (text: string) => string;
const hyphenators = new Map<string, Hyphenator | null>();
const points = new Map<string, number[]>();

function hyphenatorFor(lang: string): Hyphenator | null {
  const l = lang.toLowerCase();
  const file = PATTERN_FILES[l] ?? PATTERN_FILES[l.split('-')[0]!];
  if (!file) return null;
  let h = hyphenators.get(file);
  if (h === undefined) {
    const create = requireFromHere('hyphen') as (patterns: unknown, options: object) => Hyphenator;
    h = create(requireFromHere(`hyphen/patterns/${file}`), { hyphenChar: '\u00ad', html: false, minWordLength: 5 });
    hyphenators.set(file, h);
  }
  return h;
}

const WORD = /^\p{Ll}[\p{Ll}\p{M}]+$|^\p{Lu}[\p{Ll}\p{M}]+$/u;

/**
 * Offsets (in UTF-16 units) inside `word` where it may be broken with a hyphen: at least 2 letters
 * before and 3 after. Words with digits, capitals inside (ids, acronyms) or other marks are not broken.
 */
export function hyphenationPoints(word: string, lang: string): number[] {
  const key = `${lang}\u0000${word}`;
  let p = points.get(key);
  if (p) return p;
  p = [];
  if (word.length >= 6 && WORD.test(word)) {
    const h = hyphenatorFor(lang);
    if (h) {
      const marked = h(word);
      let offset = 0;
      for (const ch of marked) {
        if (ch === '\u00ad') {
          if (offset >= 2 && word.length - offset >= 3) p.push(offset);
        } else offset += ch.length;
      }
    }
  }
  points.set(key, p);
  return p;
}
