import { describe, expect, test } from 'vitest';
import { parseMarkdown } from './parse-blocks.js';
import { parseInline } from './parse-inline.js';
import { htmlToBlocks } from './html.js';
import { inlineText, type Block } from './ast.js';

const types = (blocks: Block[]): string[] => blocks.map((b) => b.type);

describe('blocks', () => {
  test('headings (ATX, setext, lenient "#####Notes:"), paragraphs, breaks', () => {
    const b = parseMarkdown('# One\n\nTitle\n=====\n\nSub\n---\n\n#####Notes:\n\ntext\nmore\n\n***\n');
    expect(types(b)).toEqual(['heading', 'heading', 'heading', 'heading', 'paragraph', 'thematicBreak']);
    expect(b.map((x) => (x.type === 'heading' ? `${x.depth}:${inlineText(x.children)}` : ''))).toEqual(['1:One', '1:Title', '2:Sub', '5:Notes:', '', '']);
    expect(inlineText((b[4] as Extract<Block, { type: 'paragraph' }>).children)).toBe('text more');
  });

  test('fenced and indented code keep their text; info string gives the language', () => {
    const b = parseMarkdown('```check\ntype: http.get\n  url: x\n```\n\n    indented\n    code\n\n~~~\nno close');
    expect(b[0]).toEqual({ type: 'code', lang: 'check', meta: null, value: 'type: http.get\n  url: x' });
    expect(b[1]).toEqual({ type: 'code', lang: null, meta: null, value: 'indented\ncode' });
    expect(b[2]).toMatchObject({ type: 'code', value: 'no close' });
  });

  test('nested lists, ordered start, task items, lazy continuation, loose lists', () => {
    const b = parseMarkdown('3. first\n   continued\nlazy line\n4. second\n   - inner\n   - [x] done\n\n- a\n\n- b\n');
    const list = b[0] as Extract<Block, { type: 'list' }>;
    expect(list).toMatchObject({ ordered: true, start: 3, tight: true });
    expect(list.items).toHaveLength(2);
    expect(inlineText((list.items[0]!.children[0] as Extract<Block, { type: 'paragraph' }>).children)).toBe('first continued lazy line');
    const inner = list.items[1]!.children[1] as Extract<Block, { type: 'list' }>;
    expect(inner.items.map((i) => i.checked)).toEqual([null, true]);
    expect(b[1]).toMatchObject({ type: 'list', ordered: false, tight: false });
  });

  test('block quotes nest and take lazy lines', () => {
    const b = parseMarkdown('> quoted\nlazy\n> > deeper\n');
    expect(b[0]!.type).toBe('blockquote');
    const inner = (b[0] as Extract<Block, { type: 'blockquote' }>).children;
    expect(types(inner)).toEqual(['paragraph', 'blockquote']);
  });

  test('GFM tables: alignment, escaped pipes, ragged rows padded or cut', () => {
    const b = parseMarkdown('| a | b | c |\n|:--|:-:|--:|\n| 1 \\| 2 | `x` |\n| 1 | 2 | 3 | 4 |\n');
    const t = b[0] as Extract<Block, { type: 'table' }>;
    expect(t.align).toEqual(['left', 'center', 'right']);
    expect(t.rows).toHaveLength(3);
    expect(t.rows.every((r) => r.length === 3)).toBe(true);
    expect(inlineText(t.rows[1]![0]!)).toBe('1 | 2');
  });

  test('an HTML table block runs to </table> across blank lines', () => {
    const b = parseMarkdown('<table>\n<tr><td>a</td>\n\n<td>b</td></tr>\n</table>\n\nafter');
    expect(types(b)).toEqual(['html', 'paragraph']);
    const t = htmlToBlocks((b[0] as Extract<Block, { type: 'html' }>).value)[0] as Extract<Block, { type: 'table' }>;
    expect(t.rows[0]!.map((c) => inlineText(c))).toEqual(['a', 'b']);
    expect(t.noHeader).toBe(true);
  });

  test('link reference definitions and footnotes', () => {
    const b = parseMarkdown('See [the SOP][sop] and note[^1].\n\n[sop]: https://example.invalid/sop "t"\n[^1]: The note.\n');
    const p = b[0] as Extract<Block, { type: 'paragraph' }>;
    expect(p.children.find((n) => n.type === 'link')).toMatchObject({ url: 'https://example.invalid/sop' });
    expect(inlineText(p.children)).toBe('See the SOP and note[1].');
    expect(b[1]).toMatchObject({ type: 'footnoteDefinition', label: '1' });
  });

  test('terminates on any input: random mixes of Markdown punctuation and line starts', () => {
    let seed = 42;
    const rnd = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const atoms = ['#', '##', '>', '- ', '* ', '1. ', '1) ', '   ', '    ', '```', '~~~', '|', '---', '***', '<table>', '</table>', '<div>', '[', ']', '(', ')', '!', '`', '*', '_', '~~', '\\', '&amp;', 'http://x.y', 'word', ' ', '\n', '\n\n', '[^1]:', '[a]: u', '\t'];
    for (let k = 0; k < 400; k++) {
      let s = '';
      for (let i = rnd(80); i > 0; i--) s += atoms[rnd(atoms.length)];
      expect(() => parseMarkdown(s)).not.toThrow();
    }
  });
});

describe('inlines', () => {
  test('emphasis, strong, strike, code, links, images, autolinks, entities, escapes, hard breaks', () => {
    const n = parseInline('*a **b** c* ~~d~~ `e|f` [l](u "t") ![alt](p.png) <http://a.b> www.x.com/a. \\* &quot;q&quot; x  \ny');
    expect(n.map((x) => x.type)).toEqual(['emphasis', 'text', 'delete', 'text', 'inlineCode', 'text', 'link', 'text', 'image', 'text', 'link', 'text', 'link', 'text', 'break', 'text']);
    expect(inlineText(n)).toBe('a b c d e|f l alt http://a.b www.x.com/a. * "q" x y');
  });

  test('intraword underscores stay text; unmatched delimiters stay visible', () => {
    expect(inlineText(parseInline('snake_case_name and *open'))).toBe('snake_case_name and *open');
    expect(parseInline('snake_case_name')).toEqual([{ type: 'text', value: 'snake_case_name' }]);
  });

  test('inline HTML is kept as html nodes for the layout to degrade', () => {
    expect(parseInline('a <named> b <br/> <u>c</u>').filter((x) => x.type === 'html').map((x) => (x as { value: string }).value)).toEqual(['<named>', '<br/>', '<u>', '</u>']);
  });
});
