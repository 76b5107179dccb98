import { describe, expect, it } from 'vitest';
import { parseYamlFast } from './yaml-fast.js';
import { parseYamlWithPositions } from './front-matter.js';
import { diffWithYaml } from '../../test/helpers/yaml-diff.js';
import { mulberry32 } from '../../test/helpers/random.js';

const CHECK_BLOCK = `type: container.running
container: "{{service}}"
expect:
  state: running
  restarts: { lte: 0 }
  json: { version: "{{release}}" }
  one_of: [a, 'b c', 3]
tags: [x, y]
approvers:
  - avery
  - riley
# a comment
effective_date: 2026-01-02
`;

/** Sources the fast reader must answer, each checked against yaml. */
const INSIDE = [
  CHECK_BLOCK,
  '',
  '# only a comment\n',
  'plain text',
  '[a, [b, {c: d}], {}, []]',
  'a:\nb: 1',
  'a:   # c\nb:',
  'a:\n- x\n- y\nb: 1',
  '- a: 1\n  b:\n  - x\n- - y\n  - z\n-\n  k: v\n-',
  '  a: 1\n  b: 2',
  'a:\n  # c\n  b: 1\n# d\nc: 2',
  'a: 1\r\nb:\r\n  - x\r\n',
  "k: 'it''s'\nd: \"a\\\"b \\u00e9 \\x41 \\U0001F600 \\t\\\\\"\n",
  'n: [~, null, Null, NULL, nULL, true, True, TRUE, tRUE, yes, 0x1F, 0o17, 0o8, +1, -0, 007, -.5, 1e3, 1_000, .Inf, -.inf, .NaN, 1.4.2, 2026-01-02]',
  'url: http://127.0.0.1:8080/x\nk: a#b\nc: a #b\n":x": y\n-x: 1\ntoString: 2\nconstructor: {toString: 3}',
  'k: {a: 1,}\nl: [a, b,]\nm: {a:, b: }',
  'a: |\n  line 1\n    more: indented\n\n  # not a comment\nb: >-\n  folded\n  text\n\n\n  para # x\n# comment\nc:\n- |-\n   x\n- >\n  y',
];

/** Sources outside the subset: the fast reader declines and yaml decides. */
const OUTSIDE = [
  'a: &x 1\nb: *x',
  'a: !!str 1',
  'a: |+\n  text\n',
  'a: |2\n  text\n',
  'a: >\n  text\n    more\n',
  'a: |\n\n  text\n',
  'a: |\nb: 1',
  'a: multi\n  line',
  'a: "multi\n  line"',
  '? a\n: b',
  'a: 1\na: 2',
  'a: {b: 1, b: 2}',
  'a:\n\tb: 1',
  'a: b: c',
  'k: - a',
  '---\na: 1',
  'a: 1\n...',
  'a: "x"#c',
  'a: "\\q"',
  '1: a',
  'true: a',
  '<<: {a: 1}',
  '__proto__: 1',
  'a: {__proto__: 1}',
  '{a: 1}',
  '"a" : 1',
  '{ a }',
  '[a: b]',
  'a:\n  b: 1\n c: 2',
  'a: [b,\n  c]',
  'a: @x',
  'a: "\\U00110000"',
  `${'k'.repeat(1100)}: v`,
];

describe('parseYamlFast', () => {
  it('returns the value and the top-level positions of a check block', () => {
    const r = parseYamlFast(CHECK_BLOCK)!;
    expect(r.value).toEqual({
      type: 'container.running',
      container: '{{service}}',
      expect: { state: 'running', restarts: { lte: 0 }, json: { version: '{{release}}' }, one_of: ['a', 'b c', 3] },
      tags: ['x', 'y'],
      approvers: ['avery', 'riley'],
      effective_date: '2026-01-02',
    });
    expect(r.keyPositions.expect).toEqual({ line: 3, col: 1 });
    expect(r.valuePositions.expect).toEqual({ line: 4, col: 3 });
    expect(r.valuePositions.approvers).toEqual({ line: 10, col: 3 });
  });

  it.each(INSIDE)('answers %j exactly as yaml', (source) => {
    expect(diffWithYaml(source)).toEqual({ fast: true, problem: null });
  });

  it.each(OUTSIDE)('leaves %j to yaml', (source) => {
    expect(parseYamlFast(source)).toBeNull();
  });

  it('agrees with yaml on generated documents whenever it answers', () => {
    const next = mulberry32(20260102);
    const problems: string[] = [];
    let answered = 0;
    const total = 20000;
    for (let i = 0; i < total; i++) {
      const source = document(next);
      const d = diffWithYaml(source);
      if (d.fast) answered++;
      if (d.problem) problems.push(`${JSON.stringify(source)}: ${d.problem}`);
    }
    expect(problems.slice(0, 20)).toEqual([]);
    // The fuzz set must exercise the fast reader, not only its fallback.
    expect(answered).toBeGreaterThan(total / 4);
  });
});

describe('parseYamlWithPositions', () => {
  it('places the fast reader\'s positions in the file as it places yaml\'s', () => {
    const fast = parseYamlWithPositions(CHECK_BLOCK, 'f.md', 10, 2);
    // An anchor sends the same block (one key more) to yaml.
    const slow = parseYamlWithPositions(`${CHECK_BLOCK}z: &a 1\n`, 'f.md', 10, 2);
    expect(parseYamlFast(`${CHECK_BLOCK}z: &a 1\n`)).toBeNull();
    expect(fast.keyPositions.expect).toEqual({ line: 13, column: 3 });
    expect({ ...slow.keyPositions, z: undefined }).toEqual({ ...fast.keyPositions, z: undefined });
    expect({ ...slow.valuePositions, z: undefined }).toEqual({ ...fast.valuePositions, z: undefined });
    expect({ ...(slow.value as object), z: undefined }).toEqual({ ...(fast.value as object), z: undefined });
    expect([fast.ok, fast.issues]).toEqual([true, []]);
  });

  it('leaves errors to yaml, with their positions', () => {
    const r = parseYamlWithPositions('a: 1\na: 2\n', 'f.md', 10, 2, 'CHECK_YAML_INVALID');
    expect(r.ok).toBe(false);
    expect(r.issues).toEqual([expect.objectContaining({ line: 12, column: 3, code: 'CHECK_YAML_INVALID', message: 'invalid YAML: Map keys must be unique' })]);
  });
});

// --- Generated documents: structure and scalar vocabulary chosen to hit the subset's edges. ---

type Rng = () => number;


const pick = <T>(next: Rng, items: readonly T[]): T => items[Math.floor(next() * items.length)]!;

// Values and keys of real documents, drawn most of the time so that whole documents stay inside the subset.
const COMMON_SCALARS = ['running', 'two words', '"{{service}}"', "'^\\d+$'", '0', '200', '1.5', 'true', 'null', '2026-01-02', '[a, b]', '{ lte: 0 }', '10s', 'http://127.0.0.1:8080'];
const COMMON_KEYS = ['type', 'container', 'expect', 'state', 'status', 'url', 'tags', 'id'];

const TRICKY_SCALARS = [
  'plain', 'two words', 'a  b', "'it''s'", "''", "' '", '"a\\"b"', '"\\u00e9"', '"\\x41"', '"\\U0001F600"', '"\\U00110000"', '"\\ud83d\\ude00"',
  '"\\q"', '"\\t\\n\\0\\e\\N\\_\\L\\P\\/\\ "', '""', '"unterminated', "'unterminated", '"a" b', "'x' # c", '"x"#c',
  'a: b: c', 'key:value', 'a:', '0x1F', '0x', '0o17', '0o8', '+1', '-1', '-0', '+0.0', '-.5', '.5', '1.', '1e3', '1E-3',
  '1e', 'e3', '1_000', '007', '0b101', '12:30', '.Inf', '-.inf', '+.INF', '.NaN', '.nan', '~', 'null', 'Null', 'NULL', 'nULL',
  'true', 'True', 'TRUE', 'tRUE', 'false', 'yes', 'no', 'on', 'off', '2026-01-02', '2026-01-02T10:00:00Z', '1.4.2', 'v1.4.2',
  'a #b', 'a#b', '#x', ':x', '-x', '?x', '- x', '? x', ': x', '-', '?', ':', '[a, [b]]', '{a: {b: c}}', '{ a }', '[a, b,]',
  '{a: 1,}', '[a,,b]', '[,]', '{a:b}', '{a:}', '{a: }', '{a: b, a: c}', '[a: b]', '{"a":1}', '{"a": 1}', "{'a': 1}",
  '[-1, +2, .5, -]', '{url: http://x:80/y}', '[a]b', '[a] # c', '[a]#c', '[]', '{}', '[ ]', '{ }', '[a, {b: [c, {d: e}]}]',
  '[a #c]', '[a, b', '{a: [b}', 'é', '日本語', '😀 smile', 'http://127.0.0.1:8080', '"{{service}}"', '{{service}}',
  '&a x', '*a', '!!str 1', '!x y', '|', '>-', '%x', '@x', '`x`', 'x\ty', '"a\tb"', '<<', '__proto__', 'toString',
  'a,b', 'a, b', 'a [b]', 'a {b}', 'a ]', 'a: ', '"a":1', "'a': 1", '--- x', '... x', 'a - b', 'x'.repeat(40),
];

const TRICKY_KEYS = [
  'a', 'b', 'key', 'type', 'expect', '"quoted key"', "'single'", '"a"', '1', '0x1', 'true', 'null', '~', '<<', '__proto__',
  'constructor', 'a b', 'a:b', '-x', ':x', '?x', '"a" ', 'a ', '[a]', '{a: b}', '? a', '- a', 'é', '"\\u00e9"', '"k:v"', "'it''s'",
];

const COMMENTS = ['', '', '', ' # c', '  #c', '#c', ' ', '  '];

const scalar = (next: Rng) => pick(next, next() < 0.3 ? TRICKY_SCALARS : COMMON_SCALARS);
const key = (next: Rng) => pick(next, next() < 0.2 ? TRICKY_KEYS : COMMON_KEYS);

/** A document: usually a mapping or a sequence, sometimes a single value, perturbed now and then. */
function document(next: Rng): string {
  const roll = next();
  let lines = roll < 0.08 ? [scalar(next)] : roll < 0.7 ? mapLines(next, 0, 0) : seqLines(next, 0, 0);
  if (next() < 0.05) lines = lines.map((l) => `  ${l}`);
  lines = perturb(next, lines);
  const eol = next() < 0.1 ? '\r\n' : '\n';
  return lines.join(eol) + (next() < 0.7 ? eol : '');
}

function nodeLines(next: Rng, indent: number, depth: number): string[] {
  return next() < 0.6 ? mapLines(next, indent, depth) : seqLines(next, indent, depth);
}

function mapLines(next: Rng, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  const n = 1 + Math.floor(next() * 4);
  for (let i = 0; i < n; i++) {
    const k = key(next);
    const roll = next();
    if (roll < 0.55 || depth >= 3) out.push(`${pad}${k}: ${scalar(next)}${pick(next, COMMENTS)}`);
    else if (roll < 0.65) out.push(`${pad}${k}:${pick(next, COMMENTS)}`);
    else if (roll < 0.75) out.push(`${pad}${k}:`, ...seqLines(next, indent, depth + 1));
    else if (roll < 0.85) {
      const [header, ...content] = blockScalarLines(next, indent);
      out.push(`${pad}${k}: ${header}`, ...content);
    }
    else out.push(`${pad}${k}:${pick(next, COMMENTS)}`, ...nodeLines(next, indent + pick(next, [1, 2, 2, 4]), depth + 1));
  }
  return out;
}

function seqLines(next: Rng, indent: number, depth: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  const n = 1 + Math.floor(next() * 3);
  for (let i = 0; i < n; i++) {
    const roll = next();
    if (roll < 0.45 || depth >= 3) out.push(`${pad}- ${scalar(next)}${pick(next, COMMENTS)}`);
    else if (roll < 0.5) {
      const [header, ...content] = blockScalarLines(next, indent);
      out.push(`${pad}- ${header}`, ...content);
    }
    else if (roll < 0.55) out.push(`${pad}-${pick(next, COMMENTS)}`, ...nodeLines(next, indent + pick(next, [1, 2, 4]), depth + 1));
    else {
      // A compact node: "- key: value" or "- - x", continued at the column after "- ".
      const width = pick(next, [2, 2, 3]);
      const inner = nodeLines(next, indent + width, depth + 1);
      out.push(`${pad}-${' '.repeat(width - 1)}${inner[0]!.slice(indent + width)}`, ...inner.slice(1));
    }
  }
  return out;
}

const HEADERS = ['|', '|', '>', '>-', '|-', '|+', '>2', '| # c', '|#c', '>-  ', '| x'];
const BLOCK_LINES = ['text', 'more text', '', '', '   ', '# not a comment', 'key: value', '- item', '  more-indented', 'trailing  ', '"quoted"', 'é'];

/** A block scalar header and its content lines. */
function blockScalarLines(next: Rng, indent: number): string[] {
  const pad = ' '.repeat(indent + pick(next, [1, 2, 2, 4, 0]));
  const n = 1 + Math.floor(next() * 4);
  const lines = Array.from({ length: n }, () => pick(next, BLOCK_LINES)).map((l) => (l.trim() === '' ? l : pad + l));
  return [pick(next, HEADERS), ...lines];
}

const RAW_LINES = ['', '# comment', '  # indented comment', '#x', '---', '...', '? x', ': x', 'a: b: c', 'key:value', '- - x', '-x', '&a x', 'k: |', '%YAML 1.2', '   '];

/** Now and then: a line re-indented, a tab, a stray line, a duplicated line. */
function perturb(next: Rng, lines: string[]): string[] {
  const out = [...lines];
  const at = () => Math.floor(next() * (out.length + 1));
  if (next() < 0.15) {
    const i = Math.min(at(), out.length - 1);
    out[i] = next() < 0.5 ? ` ${out[i]}` : out[i]!.replace(/^ /, '');
  }
  if (next() < 0.05) {
    const i = Math.min(at(), out.length - 1);
    out[i] = out[i]!.replace(' ', '\t');
  }
  if (next() < 0.25) out.splice(at(), 0, `${' '.repeat(Math.floor(next() * 4))}${pick(next, RAW_LINES)}`);
  if (next() < 0.05) {
    const i = Math.min(at(), out.length - 1);
    out.splice(i, 0, out[i]!);
  }
  return out;
}
