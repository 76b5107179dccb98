// The one YAML reader: the `yaml` package (YAML 1.2, core schema, no custom tags, nothing executed).
// Front matter, `case`/`check` blocks, qualify.yaml, signers.yaml and the --params/--answers files
// are all read here, with positions, so that every problem names file:line:col.
import * as YAML from 'yaml';
import type { Issue, Position } from '../model/index.js';

/** The `yaml` package itself, for the few places that edit a YAML document (signers.yaml). */
export function yamlLib(): typeof YAML {
  return YAML;
}

/** What `yaml.parse(text)` returns (YAML 1.2, core schema); throws `yaml`'s own error on bad YAML. */
export function parseYamlValue(text: string): unknown {
  return YAML.parse(text);
}

export interface YamlParse {
  ok: boolean;
  value: unknown;
  /** Top-level key → file position of the key. */
  keyPositions: Record<string, Position>;
  /** Top-level key → file position of the value (the key's when the value is empty). */
  valuePositions: Record<string, Position>;
  issues: Issue[];
  /** The parsed document (ranges are offsets into the source given). */
  document: YAML.Document.Parsed;
}

export interface YamlReadOptions {
  /**
   * Read literally: anchors, aliases and merge keys (`<<`) are refused with a located error. An
   * approved document must say what it means where it says it; a reviewer who reads `<<: *base`
   * has to resolve it by hand, and what was approved is then not what was read.
   */
  literal?: boolean;
}

/**
 * Parses YAML `source` whose first line sits on file line `lineOffset + 1` and is indented by
 * `columnOffset`. Problems become located issues with `code`; nothing is thrown for bad content.
 */
export function parseYamlWithPositions(
  source: string,
  file: string,
  lineOffset: number,
  columnOffset: number,
  code = 'FRONT_MATTER_INVALID',
  options: YamlReadOptions = {},
): YamlParse {
  const lineCounter = new YAML.LineCounter();
  const document = YAML.parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true, strict: true });
  const at = (offset: number): Position => {
    const p = lineCounter.linePos(offset);
    return { line: p.line + lineOffset, column: p.col + columnOffset };
  };
  const issues: Issue[] = [];
  for (const err of document.errors) {
    const first = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    issues.push({ file, ...at(err.pos[0]), code, severity: 'error', message: `invalid YAML: ${first}` });
  }
  // Anchors (&), aliases (*) and merge keys (<<) cannot hide in a text that has none of these characters.
  if (options.literal && /[&*]|<</.test(source)) issues.push(...literalProblems(document, source, file, at, code));

  const keyPositions: Record<string, Position> = {};
  const valuePositions: Record<string, Position> = {};
  if (YAML.isMap(document.contents)) {
    for (const pair of document.contents.items) {
      if (!YAML.isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const keyRange = pair.key.range;
      if (keyRange) keyPositions[key] = at(keyRange[0]);
      const valueRange = YAML.isNode(pair.value) ? pair.value.range : undefined;
      valuePositions[key] = valueRange ? at(valueRange[0]) : keyPositions[key]!;
    }
  }
  const failed = (): YamlParse => ({ ok: false, value: undefined, keyPositions, valuePositions, issues, document });
  if (issues.some((i) => i.severity === 'error')) return failed();
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 50 });
  } catch (err) {
    issues.push({ file, line: lineOffset + 1, column: columnOffset + 1, code, severity: 'error', message: `invalid YAML: ${(err as Error).message}` });
    return failed();
  }
  for (const w of document.warnings) {
    issues.push({ file, ...at(w.pos[0]), code: 'YAML_WARNING', severity: 'warning', message: w.message.split('\n')[0]! });
  }
  return { ok: true, value, keyPositions, valuePositions, issues, document };
}

/** Anchors, aliases and merge keys of a document read literally, each a located error. */
function literalProblems(document: YAML.Document.Parsed, source: string, file: string, at: (offset: number) => Position, code: string): Issue[] {
  const issues: Issue[] = [];
  const problem = (node: YAML.Node | null | undefined, message: string, anchor?: string) => {
    let offset = node?.range?.[0] ?? 0;
    // A node's range starts after its anchor (`&name value`): point at the anchor the reader sees.
    if (anchor !== undefined) offset = Math.max(0, source.lastIndexOf(`&${anchor}`, offset));
    issues.push({ file, ...at(offset), code, severity: 'error', message });
  };
  YAML.visit(document, {
    Alias(_, node) {
      problem(node, `YAML alias "*${node.source}" is not allowed in a controlled document; write the value out where it is used (an approved document must read literally)`);
    },
    Pair(_, pair) {
      if (YAML.isScalar(pair.key) && pair.key.value === '<<') {
        problem(pair.key, 'YAML merge key "<<" is not allowed in a controlled document; write the keys out (an approved document must read literally)');
      }
    },
    Node(_, node) {
      if (node.anchor) {
        problem(node, `YAML anchor "&${node.anchor}" is not allowed in a controlled document; write the value out where it is used (an approved document must read literally)`, node.anchor);
      }
    },
  });
  return issues;
}

/** Names a value's kind for messages: "a list", "the number 5", "text \"x\"". */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (v instanceof Date) return 'a date object';
  switch (typeof v) {
    // JSON quoting shows control characters (a stray "\r") instead of printing them.
    case 'string': return `text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)}`;
    case 'number': return `the number ${v}`;
    case 'boolean': return `the boolean ${v}`;
    case 'object': return 'a mapping';
    default: return typeof v;
  }
}
