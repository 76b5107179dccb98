// The oracle of the fast YAML reader (src/documents/yaml-fast.ts): `yaml` itself, with the options of
// parseYamlWithPositions. A source passes when the fast reader declines it (null) or returns exactly
// yaml's value (types, -0 and NaN included) and top-level key and value positions, yaml finding no error
// or warning.
import { LineCounter, isMap, isScalar, parseDocument, type Pair } from 'yaml';
import { unified } from 'unified';
import remarkParse from 'remark-parse';
import { parseYamlFast, type LinePos } from '../../src/documents/yaml-fast.js';

export interface Diff {
  /** Whether the fast reader answered (non-null). */
  fast: boolean;
  /** What differs from yaml; null when nothing does. */
  problem: string | null;
}

interface Reference {
  clean: boolean;
  value: unknown;
  keyPositions: Record<string, LinePos>;
  valuePositions: Record<string, LinePos>;
}

/** yaml's reading of `source`, positions taken as parseYamlWithPositions takes them. */
function reference(source: string): Reference {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const keyPositions: Record<string, LinePos> = {};
  const valuePositions: Record<string, LinePos> = {};
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items as Pair[]) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const keyRange = (pair.key as { range?: [number, number, number] }).range;
      if (keyRange) keyPositions[key] = lineCounter.linePos(keyRange[0]);
      const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
      valuePositions[key] = valueRange ? lineCounter.linePos(valueRange[0]) : keyPositions[key]!;
    }
  }
  const clean = doc.errors.length === 0 && doc.warnings.length === 0;
  let value: unknown;
  try {
    value = clean ? doc.toJS({ maxAliasCount: 50 }) : undefined;
  } catch {
    return { clean: false, value: undefined, keyPositions, valuePositions };
  }
  return { clean, value, keyPositions, valuePositions };
}

/** Compares the fast reader with yaml on `source`. */
export function diffWithYaml(source: string): Diff {
  const fast = parseYamlFast(source);
  if (!fast) return { fast: false, problem: null };
  const ref = reference(source);
  if (!ref.clean) return { fast: true, problem: 'yaml reports an error or a warning; the fast reader answered' };
  const problem =
    differs(fast.value, ref.value, 'value') ??
    differs(fast.keyPositions, ref.keyPositions, 'keyPositions') ??
    differs(fast.valuePositions, ref.valuePositions, 'valuePositions');
  return { fast: true, problem };
}

/** The first difference between `a` (fast) and `b` (yaml), by Object.is on leaves, key order included. */
export function differs(a: unknown, b: unknown, path: string): string | null {
  if (Object.is(a, b)) return null;
  const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Object.is(v, -0) ? '-0' : String(v));
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return `${path}: fast ${show(a)} (${typeof a}), yaml ${show(b)} (${typeof b})`;
  if (Array.isArray(a) !== Array.isArray(b) || Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return `${path}: fast and yaml differ in kind`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.join('\u0000') !== kb.join('\u0000')) return `${path}: keys fast [${ka.join(', ')}], yaml [${kb.join(', ')}]`;
  for (const k of ka) {
    const d = differs((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

export interface YamlSource {
  where: string;
  source: string;
}

// As parseFrontMatter slices it: from the end of the opening line (its newline included) to "\n---".
const FRONT_MATTER = /^---[^\n]*(\n[\s\S]*?)\n---/;
const processor = unified().use(remarkParse);

interface MdNode {
  type: string;
  lang?: string | null;
  value?: string;
  children?: MdNode[];
  position?: { start: { line: number } };
}

/** The YAML of a Markdown file: its front matter and its check, case and yaml fenced blocks. */
export function yamlOfMarkdown(text: string, file: string): YamlSource[] {
  const out: YamlSource[] = [];
  const fm = FRONT_MATTER.exec(text);
  if (fm) out.push({ where: `${file} front matter`, source: fm[1]! });
  const walk = (node: MdNode) => {
    if (node.type === 'code' && ['check', 'case', 'yaml', 'yml'].includes(node.lang ?? '')) out.push({ where: `${file}:${node.position?.start.line} ${node.lang} block`, source: node.value ?? '' });
    node.children?.forEach(walk);
  };
  walk(processor.parse(fm ? text.slice(fm[0].length) : text) as MdNode);
  return out;
}
