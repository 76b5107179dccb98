// The report template's escaping: whatever a value holds, parsed back by the one Markdown pipeline it
// reads as written (line breaks as spaces) and makes no structure in a paragraph, a heading, a table
// cell, a list item or a strong run, whether it took the plain-text shortcut or the serializer.
import type { Nodes, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { describe, expect, test } from 'vitest';
import { mulberry32 } from '../../test/helpers/random.js';
import { parseMarkdown } from '../markdown/parse.js';
import { cellText, codeSpan, markdownText, renderReportMarkdown } from './markdown.js';

const ATOMS = ['a', 'Z', '7', '1.', '2)', ' ', '  ', '\t', '\n', '\r\n', '#', '##', '-', '+', '*', '_', '__', '~', '~~', '`', '```', '|', '\\', '<', '>', '<b>', '<!--', '-->', '&', '&amp;', '&#x41;', '[', ']', '(', ')', '![', '[^1]', '"', "'", '.', ':', '//', 'http', 'https://x.y', 'www', 'www.a.b', '@', 'a@b.co', '=', '===', '---', 'ä', '検', '$', '%', '/', ';', ','];

function randomValues(count: number, seed: number): string[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: count }, () => {
    let s = '';
    for (let n = 1 + Math.floor(rnd() * 8); n > 0; n--) s += ATOMS[Math.floor(rnd() * ATOMS.length)];
    return s;
  });
}

const flat = (v: string): string => v.replace(/\r\n|\r|\n/g, ' ');

/** Types other than text (and GFM literal autolinks, which keep their text) inside a node. */
function structureIn(node: Nodes): string[] {
  const found: string[] = [];
  visit(node, (n: Nodes) => {
    if (n === node || n.type === 'text' || n.type === 'inlineCode') return;
    if (n.type === 'link' && n.url.endsWith(toString(n))) return;
    found.push(n.type);
  });
  return found;
}

const only = (tree: Root, type: string): Nodes => {
  expect(tree.children.map((n) => n.type)).toEqual([type]);
  return tree.children[0]!;
};

describe('markdownText, cellText, codeSpan', () => {
  const values = randomValues(600, 17);

  test.each([
    ['paragraph', (e: string) => `Text: ${e}`, (t: Root) => only(t, 'paragraph'), 'Text: '],
    ['heading', (e: string) => `### ID-1 ${e}`, (t: Root) => only(t, 'heading'), 'ID-1 '],
    ['list item', (e: string) => `- ${e}`, (t: Root) => (only(t, 'list') as { children: Nodes[] }).children[0]!, ''],
    ['strong', (e: string) => `**${e}**`, (t: Root) => (only(t, 'paragraph') as { children: Nodes[] }).children[0]!, ''],
  ] as const)('a value in a %s reads as written', (_name, wrap, pick, prefix) => {
    for (const v of values) {
      const e = markdownText(v);
      if (flat(v).trim() === '') continue;
      const node = pick(parseMarkdown(wrap(e)));
      expect(toString(node), JSON.stringify({ v, e })).toBe(prefix + flat(v));
      if (_name === 'strong') {
        expect(node.type, JSON.stringify({ v, e })).toBe('strong');
        expect(structureIn(node), JSON.stringify({ v, e })).toEqual([]);
      } else expect(structureIn(node), JSON.stringify({ v, e })).toEqual(_name === 'list item' ? ['paragraph'] : []);
    }
  });

  test('table cells: one row of two cells whatever the values', () => {
    for (const v of values) {
      const tree = parseMarkdown(`| a | b |\n|---|---|\n| ${cellText(v)} | ${codeSpan(v)} |\n`);
      const table = only(tree, 'table') as { children: Array<{ children: Nodes[] }> };
      expect(table.children).toHaveLength(2);
      const [text, code] = table.children[1]!.children;
      const want = flat(v).replace(/\s+$/, '');
      expect(toString(text!), JSON.stringify(v)).toBe(want);
      expect(structureIn(text!)).toEqual([]);
      // A code span, except where GFM cannot hold the value in one (a backslash before a pipe).
      if (flat(v) !== '' && !v.includes('\\|')) expect((code as { children: Nodes[] }).children.map((n) => n.type), JSON.stringify(v)).toEqual(['inlineCode']);
      else expect(structureIn(code!)).toEqual([]);
      expect(toString(code!), JSON.stringify(v)).toBe(flat(v));
    }
  });

  test('a template can print Markdown on purpose with {{{ }}}; {{ }} always escapes', () => {
    const report = { cases: [], warnings: ['*a*'], note: '**b**' } as never;
    const md = renderReportMarkdown(report, { template: '{{#each warnings}}- {{this}}\n{{/each}}\n\n{{{note}}} {{note}} {{upper note}}\n' });
    expect(md).toBe('- \\*a\\*\n\n**b** \\*\\*b\\*\\* \\*\\*B\\*\\*\n');
  });

  test('a field the record does not have is an error, as in strict Handlebars', () => {
    expect(() => renderReportMarkdown({ cases: [] } as never, { template: '{{missing}}\n' })).toThrow(/"missing" not defined/);
  });
});

describe('the precompiled report template', () => {
  test('renders the same report.md as the template compiled at run time', async () => {
    const { readFileSync } = await import('node:fs');
    const { DEFAULT_REPORT_TEMPLATE, precompileReportTemplate, reportMarkdownWith, reportTemplateFromSpec } = await import('./markdown.js');
    const source = readFileSync(DEFAULT_REPORT_TEMPLATE, 'utf8');
    // What scripts/bundle.mjs writes into dist/report/template-spec.js, evaluated as that module is.
    const spec = new Function(`return ${precompileReportTemplate(source)};`)() as unknown;
    const report = JSON.parse(readFileSync(new URL('../../test/fixtures/render/record/report.json', import.meta.url), 'utf8'));
    const compiled = renderReportMarkdown(report);
    expect(compiled.length).toBeGreaterThan(2000);
    expect(reportMarkdownWith(reportTemplateFromSpec(spec), report)).toBe(compiled);
    // Strict mode is part of the spec: a field the record lacks is still an error.
    const { reportId: _, ...withoutId } = report;
    expect(() => reportMarkdownWith(reportTemplateFromSpec(spec), withoutId)).toThrow(/reportId/);
  });
});
