// scanBlocks against remark-parse, the parser it replaces: every Markdown file of the project, the
// shared corpus and seeds, hand-written hard cases (test/fixtures/blocks/) and thousands of generated
// documents must give the same top-level headings and fenced code blocks, field for field.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { scanBlocks, type TopBlock } from './blocks.js';
import { characterEntities } from './character-entities.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const shared = join(repo, '../shared');
const remark = unified().use(remarkParse);

interface MdNode {
  type: string;
  depth?: number;
  lang?: string | null;
  value?: string;
  children?: MdNode[];
  position?: { start: { line: number; column: number }; end: { line: number; column: number } };
}

/** protocol.ts's former plainText over remark's inline nodes. */
const plainText = (node: MdNode): string => (typeof node.value === 'string' ? node.value : (node.children ?? []).map(plainText).join(''));

/** remark's top-level headings and fenced (not indented) code blocks, in scanBlocks' shape. */
function remarkBlocks(markdown: string): TopBlock[] {
  const lines = markdown.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const out: TopBlock[] = [];
  for (const node of (remark.parse(markdown) as MdNode).children ?? []) {
    const { start, end } = node.position!;
    const position = { start: { line: start.line, column: start.column }, end: { line: end.line, column: end.column } };
    if (node.type === 'heading') out.push({ type: 'heading', depth: node.depth!, text: plainText(node), position });
    const fenced = /[`~]/.test(lines[start.line - 1]!.charAt(start.column - 1));
    if (node.type === 'code' && fenced) out.push({ type: 'code', lang: node.lang ?? null, value: node.value!, position });
  }
  return out;
}

function markdownFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (statSync(dir).isFile()) return [dir];
  return readdirSync(dir).filter((e) => e !== 'node_modules').flatMap((e) => {
    const path = join(dir, e);
    return statSync(path).isDirectory() ? markdownFiles(path) : /\.(md|txt)$/.test(e) ? [path] : [];
  });
}

/** The body protocol.ts parses: what follows a front matter block. */
const body = (text: string): string => text.replace(/^---\r?\n[\s\S]*?\r?\n---\r?\n/, '');

function expectSame(markdown: string, name: string): void {
  expect(scanBlocks(markdown), name).toEqual(remarkBlocks(markdown));
}

describe('scanBlocks matches remark-parse', () => {
  it.each(['sops', 'protocols', 'templates', 'docs', 'examples', 'test/fixtures'])('on every Markdown file under %s/', (dir) => {
    const files = markdownFiles(join(repo, dir));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expectSame(text, relative(repo, file));
      expectSame(body(text), `${relative(repo, file)} (body)`);
    }
  });

  it('on the hand-written hard cases of test/fixtures/blocks/', () => {
    const files = markdownFiles(join(repo, 'test/fixtures/blocks'));
    expect(files.length).toBeGreaterThanOrEqual(7);
    for (const file of files) expectSame(readFileSync(file, 'utf8'), relative(repo, file));
  });

  it.skipIf(!existsSync(shared))('on the shared corpus and seeds (../shared; absent in plain clones, then skipped)', () => {
    const files = [...markdownFiles(join(shared, 'corpus')), ...markdownFiles(join(shared, 'seeds'))];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expectSame(text, file);
      expectSame(body(text), `${file} (body)`);
    }
  });

  it('on every named character reference and numeric edge cases in headings and info strings', () => {
    const names = Object.keys(characterEntities());
    const headings = names.map((n) => `# a&${n};b &${n} &${n.toLowerCase()};`).join('\n');
    expectSame(headings, 'named references');
    const numeric = ['0', '9', '10', '11', '13', '14', '31', '65', '127', '128', '159', '160', '55296', '57343', '64976', '65534', '65535', '131070', '1114111', '1114112', '9999999', '12345678'];
    expectSame(numeric.map((n) => `# &#${n}; &#x${Number(n).toString(16)}; &#X${Number(n).toString(16).toUpperCase()};`).join('\n'), 'numeric references');
    expectSame(names.slice(0, 300).map((n) => `\`\`\`&${n};\n\`\`\``).join('\n'), 'references in info strings');
  });

  it('at the limits: link nesting, label and autolink lengths, flanking characters, tabs in prefixes', () => {
    const parens = (n: number) => `${'('.repeat(n)}x${')'.repeat(n)}`;
    const cases: string[] = [];
    for (const n of [31, 32, 33]) cases.push(`# [a](${parens(n)}) b`);
    for (const n of [999, 1000, 1001]) {
      const label = 'a'.repeat(n);
      cases.push(`# [${label}] x\n\n[${label}]: /u`, `# [x][${label}]\n\n[${label}]: /u`, `[${label}]: /u\nfoo\n===`);
    }
    for (const n of [31, 32, 33]) cases.push(`# <${'a'.repeat(n)}:b>`, `# <a${'b'.repeat(n)}:c>`);
    for (const n of [63, 64]) cases.push(`# <a@${'b'.repeat(n)}.c>`);
    for (const ch of ['\u00a0', '\u2013', '\u3000', '!', 'a', '\u{1F600}', '\u0301', '\u20ac'])
      cases.push(`# a${ch}*b*${ch}c`, `# ${ch}_b_${ch}`, `# *${ch}b${ch}*`, `# a_${ch}b${ch}_c`);
    cases.push('# *a *b* c*', '# ***a** b*', '# *a **b***', '# ****a****', '# *****a*****', '# [a](<b)c>)', '# [a](b (c(d)))', "# [a](b 'c\\'d')");
    cases.push('# [\u1E9E]\n\n[SS]: /u', '# [a]\n\n> [a]: /u', '# [a]\n\n    [a]: /u', '# [![a](b)](c)', '# [a [b](c) d](e)', '# ![a [b](c) d](e)');
    cases.push('- a\n\t- b\n\t\t```check\n\t\tx\n\t\t```\n```check\ny\n```', '>\t\t```check\n>\t\tx\n```check\nz\n```', '1.\t```check\n\tx\n```check\nv\n```');
    cases.push(' \t# x', '   ```check\n\tx\n   ```', '  ```check\n \tx\n  ```', 'a\t\t\nb\n===', '`a  \nb`\n===', '<a  \nb>\n===');
    for (const c of cases) expectSame(c, JSON.stringify(c).slice(0, 200));
  });

  it('on generated documents of tricky lines (fixed seed)', () => {
    const random = seeded(20260501);
    for (let k = 0; k < 4000; k++) expectSameOrMinimal(lineDocument(random), 'lines');
  });

  it('on mutants of the project\'s and the shared Markdown files: lines deleted, repeated, swapped, indented, quoted, listed (fixed seed)', () => {
    const sources = ['sops', 'protocols', 'docs', 'test/fixtures', '../shared/corpus', '../shared/seeds'].flatMap((d) => markdownFiles(join(repo, d)));
    const texts = sources.map((f) => readFileSync(f, 'utf8').split('\n'));
    const random = seeded(11);
    for (let k = 0; k < 400; k++) expectSameOrMinimal(mutant(random, pick(random, texts)), 'mutant');
  });

  it('on generated documents of tricky characters (fixed seed)', () => {
    const random = seeded(7);
    for (let k = 0; k < 2500; k++) expectSameOrMinimal(characterDocument(random, BLOCK_PIECES, 40), 'block characters');
    for (let k = 0; k < 2500; k++) expectSameOrMinimal(inlineDocument(random), 'inline characters');
  });
});

/** On a mismatch, fails with the smallest document (lines, then characters removed) that still differs. */
function expectSameOrMinimal(markdown: string, name: string): void {
  const differs = (s: string): boolean => JSON.stringify(scanBlocks(s)) !== JSON.stringify(remarkBlocks(s));
  if (!differs(markdown)) return;
  let s = markdown;
  for (const unit of ['\n', '']) {
    for (let changed = true; changed; ) {
      changed = false;
      const parts = s.split(unit);
      for (let i = 0; i < parts.length; i++) {
        const t = [...parts.slice(0, i), ...parts.slice(i + 1)].join(unit);
        if (differs(t)) {
          s = t;
          changed = true;
          break;
        }
      }
    }
  }
  expectSame(s, `${name}: ${JSON.stringify(s)} (minimised from ${JSON.stringify(markdown)})`);
}

/** mulberry32: a small deterministic generator. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

const LINES = [
  '```', '````', '~~~', '~~~~', '```check', '```case', '``` check', '```check {x}', '```check`', '~~~check', '  ```check', '   ```', '    ```check',
  '\t```', ' ~~~ case  ', '```\\check', '```&#99;heck', '```ch&amp;eck', '````check', '```  ', '``', '~~', '``` ```', '~~~ `x`',
  '# IQ-01 Title', '## OQ-02 *Emph* `code`', '###### h6', '####### seven', '#no space', '# closed ##', '#', '# #', '  ### x', '    # indented',
  '#\tTab', '### IQ-03 [link](http://x) &amp; \\*', '# foo \\#', '# <b>x</b>', '# a  b  ', '# ![img](x) text', '# [foo] and [bar][]', '# **a*b**',
  '# _a_b_', '# a `` b ` c ``', '===', '---', '  ---', '- - -', '***', '___', '= =', '--', '-', '=', '    ===', '---  ', '===\t', '* * *',
  '- item', '* item', '+ item', '1. item', '1) item', '2. item', '10. item', '1.', '-    code', '-\tfoo', '  - nested', '    - deep', '- ```check',
  '1. ```check', '- # heading', '-  > quote', '  foo', '   bar', '-\t\tx', '0. zero', '123456789. big', '1234567890. huge', '* ', '- [foo]: /u',
  '> quote', '>', '> ```check', '> # heading', '>> nested', '   > x', '>\tx', '> - item', '> ```', '>     code', '> [foo]: /x',
  '<!--', '-->', '<!-- c -->', '<div>', '</div>', '<div>text', '<span>', '<span>x</span>', '<script>', '</script>', '<pre>', '</pre>', '<?php', '?>',
  '<!DOCTYPE html>', '<![CDATA[', ']]>', '<a href="x">', '<custom-tag>', '<td>', '<textarea>', '</textarea>', '<!-->', '<div/>', '<a b=c=d>', '</custom>',
  '[foo]: /url', '[foo]: /url "title"', '[Foo Bar]:', '  /url', "'title'", '[bar]: <x y>', '[x]: y)', '[ ]: x', '[foo]:\t/u\t(t)', "[baz]: /u 't",
  '[q]: /u "a"b', 'text', 'para with *emph*', 'IQ-01 text', '  indented text', 'lazy', '[foo]', '[foo][bar]', '*a **b** c*', '`code` span',
  'trailing  ', 'back\\', '&amp; &copy; &#35; &#x27; &bogus;', '<http://a.b>', 'foo <b>bar</b>', '**strong**', '_under_', 'a * b *', '[Foo Bar]',
  '![i][foo]', '<a@b.c>', 'x `y', 'z` w', '[a](b "c") d', '    code', '\tcode', '      deep', '  \t x', '\t- tab item', ' \t> q',
  '', '', '', '', '   ', '\t', 'type: x', 'a: 1',
];
const PREFIXES = ['> ', '- ', '  ', '1. ', '>', ' ', '\t', '   ', '* ', '2) ', '>\t', '-\t'];

/** Lines from LINES, some behind container prefixes, some with trailing whitespace; mixed line endings. */
function lineDocument(random: () => number): string {
  const lines: string[] = [];
  for (let n = 1 + Math.floor(random() * 25); n > 0; n--) {
    let line = pick(random, LINES);
    const r = random();
    if (r < 0.25) for (let k = 1 + Math.floor(random() * 3); k > 0; k--) line = pick(random, PREFIXES) + line;
    else if (r < 0.3) line += pick(random, [' ', '  ', '\t', ' #']);
    lines.push(line);
  }
  const eol = random() < 0.1 ? pick(random, ['\r\n', '\r']) : '\n';
  return lines.join(eol) + (random() < 0.7 ? eol : '');
}

/** A copy of `lines` with a few random line edits. */
function mutant(random: () => number, source: readonly string[]): string {
  const lines = [...source];
  for (let m = 1 + Math.floor(random() * 8); m > 0; m--) {
    const i = Math.floor(random() * lines.length);
    const line = lines[i] ?? '';
    switch (Math.floor(random() * 7)) {
      case 0: lines.splice(i, 1); break;
      case 1: lines.splice(i, 0, line); break;
      case 2: lines[i] = pick(random, [' ', '  ', '   ', '    ', '\t']) + line; break;
      case 3: lines[i] = pick(random, ['> ', '- ', '1. ', '* ']) + line; break;
      case 4: lines[i] = line.replace(/^\s+/, ''); break;
      case 5: lines.splice(i, 0, pick(random, ['```', '<!--', '-->', '', '---', '===', '<div>', '```check', '~~~'])); break;
      default: lines.splice(i, 2, lines[i + 1] ?? '', line);
    }
  }
  return lines.join('\n');
}

const BLOCK_PIECES = ['>', '-', '*', ' ', ' ', ' ', '\t', '`', '`', '`', '~', '#', '<', '1.', '=', 'a', 'b', '!--', '-->', 'div', '[x]:', ' /u', '\n'];
const INLINE_PIECES = [
  '*', '_', '**', '__', '`', '``', '[', ']', '(', ')', '![', '<', '>', '&amp;', '&#1;', '&x;', '\\', '\\*', ' ', '  ', '\t', 'a', 'b', 'foo', ':', '"',
  "'", '/', '@', 'http:', '!--', '-->', '?', '=', '\n', '.', ',', '\u2013', '\u00a0', '\u{1F600}', '\u00e9',
];

function characterDocument(random: () => number, pieces: readonly string[], max: number): string {
  let s = '';
  for (let n = 1 + Math.floor(random() * max); n > 0; n--) s += pick(random, pieces);
  return s;
}

/** An ATX or setext heading of inline pieces, with some of the labels it may reference defined. */
function inlineDocument(random: () => number): string {
  const text = characterDocument(random, INLINE_PIECES, 20);
  const definitions = random() < 0.5 ? '\n\n[foo]: /u\n[a]: /b\n[x]: /y\n' : '';
  if (random() < 0.5) return `# ${text.replace(/\n/g, ' ')}${definitions}`;
  return `${text.replace(/\n\s*\n/g, '\n')}\n${pick(random, ['===', '---', '='])}\n${definitions}`;
}
