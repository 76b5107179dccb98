// The one pipeline's parts: front matter through gray-matter (YAML only, never evaluated, located),
// the YAML reader's literal mode, the `#####Notes:` heading plugin, file positions of a body's tree.
import { describe, expect, it } from 'vitest';
import type { Heading, Paragraph } from 'mdast';
import { parseFrontMatter } from './front-matter.js';
import { parseYamlWithPositions } from './yaml.js';
import { parseMarkdown } from './parse.js';
import { checkBlocks, headingText, protocolBlocks } from './check-blocks.js';
import { parseDocument } from '../documents/document.js';
import { parseProtocol } from '../documents/protocol.js';

const g = globalThis as { __frontMatterRan?: number };

describe('front matter', () => {
  it.each(['js', 'javascript', 'JS', 'coffee', 'json', 'toml', ' js '])('refuses ---%s with a located error and never evaluates it', (language) => {
    g.__frontMatterRan = 0;
    const text = `---${language}\n{ "title": (globalThis.__frontMatterRan = 1, "x") }\n---\nBody.\n`;
    const fm = parseFrontMatter(text, 'x.md');
    expect(g.__frontMatterRan).toBe(0);
    expect(fm.issues).toEqual([expect.objectContaining({ file: 'x.md', line: 1, column: 4, code: 'FRONT_MATTER_LANGUAGE', severity: 'error' })]);
    expect(fm.data).toEqual({});
  });

  it('reads ---yaml and --- alike, with file positions of keys and values', () => {
    for (const open of ['---', '---yaml', '--- yml']) {
      const fm = parseFrontMatter(`${open}\ndocument_id: SOP-1\ntitle:   Spaced\n---\n# Body\n`, 'x.md');
      expect(fm.issues).toEqual([]);
      expect(fm.data).toEqual({ document_id: 'SOP-1', title: 'Spaced' });
      expect(fm.fieldPositions).toEqual({ document_id: { line: 2, column: 1 }, title: { line: 3, column: 1 } });
      expect(fm.valuePositions.title).toEqual({ line: 3, column: 10 });
      expect(fm.body).toBe('# Body\n');
      expect(fm.bodyStartLine).toBe(5);
    }
  });

  it('locates YAML errors in the file', () => {
    const fm = parseFrontMatter('---\ntitle: a\nauthors: [x\n---\nBody\n', 'x.md');
    expect(fm.issues[0]).toMatchObject({ code: 'FRONT_MATTER_INVALID', line: 3 });
  });

  it('gives the same result for the same text twice (no gray-matter cache surprises)', () => {
    const text = '---\ntitle: a\n---\nBody\n';
    const a = parseFrontMatter(text, 'a.md');
    a.data.title = 'mutated';
    const b = parseFrontMatter(text, 'b.md');
    expect(b.data).toEqual({ title: 'a' });
  });

  it('reads a CRLF front matter: the last field is not text with a stray CR', () => {
    const fm = parseFrontMatter('---\r\nstatus: draft\r\ntraining_required: true\r\n---\r\nBody\r\n', 'x.md');
    expect(fm.issues).toEqual([]);
    expect(fm.data).toEqual({ status: 'draft', training_required: true });
    expect(fm.body).toBe('Body\r\n');
  });

  it('reports an unclosed block and a block that is not a mapping', () => {
    expect(parseFrontMatter('---\ntitle: a\n', 'x.md').issues[0]!.code).toBe('FRONT_MATTER_UNTERMINATED');
    expect(parseFrontMatter('---\n- a\n- b\n---\n', 'x.md').issues[0]!.code).toBe('FRONT_MATTER_NOT_MAPPING');
    expect(parseFrontMatter('----\ntitle: a\n----\n', 'x.md').hasFrontMatter).toBe(false);
  });
});

describe('YAML read literally (controlled documents)', () => {
  it('refuses anchors, aliases and merge keys, each located', () => {
    const source = 'base: &b { a: 1 }\nother:\n  <<: *b\n  c: 2\n';
    const r = parseYamlWithPositions(source, 'x.md', 10, 0, 'CHECK_YAML_INVALID', { literal: true });
    expect(r.ok).toBe(false);
    expect(r.issues.map((i) => `${i.line}:${i.column} ${i.message.split(' ').slice(0, 3).join(' ')}`)).toEqual([
      '11:7 YAML anchor "&b"',
      '13:3 YAML merge key',
      '13:7 YAML alias "*b"',
    ]);
  });

  it('reads the same text without literal (qualify.yaml may share values)', () => {
    const r = parseYamlWithPositions('base: &b { a: 1 }\nother: *b\n', 'qualify.yaml', 0, 0, 'CONFIG_INVALID');
    expect(r.ok).toBe(true);
    expect(r.value).toEqual({ base: { a: 1 }, other: { a: 1 } });
  });

  it('refuses them in a document\'s front matter and check blocks', () => {
    const text = '---\ndocument_id: QP-1\ntitle: &t T\nrevision: "01"\nstatus: draft\nsupersedes: *t\n---\n### IQ-01 A\n\n```check\ntype: manual\ninstruction: &i look\nexpect: { observation: *i }\n```\n';
    const parsed = parseDocument(text, 'p.md', { folderType: 'protocol' });
    const { issues } = parseProtocol(parsed.document!);
    expect([...parsed.issues, ...issues].filter((i) => i.severity === 'error').map((i) => `${i.line}:${i.column} ${i.code}`)).toEqual([
      '3:8 FRONT_MATTER_INVALID', '6:13 FRONT_MATTER_INVALID', '12:14 CHECK_YAML_INVALID', '13:24 CHECK_YAML_INVALID',
    ]);
  });
});

describe('#####Notes: is a heading (unified plugin)', () => {
  it('turns a first line "#####Notes:" into a heading of depth 5 and keeps the rest a paragraph', () => {
    const tree = parseMarkdown('Text[1](#notes).\n\n#####Notes:\n1. A note.\n\n##Two lines\nsecond *line*\n');
    const [, h5, list, h2, rest] = tree.children;
    expect(h5).toMatchObject({ type: 'heading', depth: 5, position: { start: { line: 3, column: 1 }, end: { line: 3, column: 12 } } });
    expect(headingText(h5 as Heading)).toBe('Notes:');
    expect(list!.type).toBe('list');
    expect(h2).toMatchObject({ type: 'heading', depth: 2 });
    expect(headingText(h2 as Heading)).toBe('Two lines');
    expect(rest).toMatchObject({ type: 'paragraph', position: { start: { line: 7, column: 1 } } });
    expect((rest as Paragraph).children.map((c) => c.type)).toEqual(['text', 'emphasis']);
  });

  it('leaves what is not one alone: an escape, a space (already a heading), seven hashes, inline #', () => {
    const tree = parseMarkdown('\\#Escaped\n\n# Spaced\n\n#######Seven\n\nText #tag\n\n> ###Quoted\n');
    expect(tree.children.map((n) => n.type)).toEqual(['paragraph', 'heading', 'paragraph', 'paragraph', 'blockquote']);
    const quote = tree.children[4] as { children: Heading[] };
    expect(quote.children[0]).toMatchObject({ type: 'heading', depth: 3 });
  });

  it('makes a case heading of "###IQ-01 Title" for the runner and the PDF alike', () => {
    const blocks = protocolBlocks(parseMarkdown('###IQ-01 Title\n\n```check\ntype: x\n```\n'));
    expect(blocks.map((b) => b.type)).toEqual(['heading', 'code']);
    expect(headingText(blocks[0] as Heading)).toBe('IQ-01 Title');
  });
});

describe('a body parsed at its place in the file', () => {
  it('has file lines and offsets', () => {
    const text = '---\r\ntitle: a\r\n---\r\n# H\r\n\r\n```check\r\ntype: x\r\n```\r\n';
    const { document } = parseDocument(text, 'x.md');
    const [heading] = document!.tree.children;
    expect(heading!.position!.start).toEqual({ line: 4, column: 1, offset: text.indexOf('# H') });
    const [check] = checkBlocks(document!.tree);
    expect(check!.position!.start.line).toBe(6);
    expect(text.slice(check!.position!.start.offset, check!.position!.end.offset)).toBe('```check\r\ntype: x\r\n```');
  });

  it('is parsed once: every read returns the same tree', () => {
    const { document } = parseDocument('---\ntitle: a\n---\n# H\n', 'x.md');
    const copy = { ...document! };
    expect(copy.tree).toBe(document!.tree);
  });
});
