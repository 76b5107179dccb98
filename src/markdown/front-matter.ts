// Front matter through gray-matter, whose YAML engine is the `yaml` package (located errors). Every
// other engine gray-matter knows (`---js`, `---javascript`, `---coffee`, `---json`, ...) is refused
// before gray-matter is called and replaced by a refusing engine as well: nothing is ever evaluated.
import matter from 'gray-matter';
import type { Issue, Position } from '../model/index.js';
import { describeValue, parseYamlWithPositions, type YamlParse } from './yaml.js';

export interface FrontMatterResult {
  hasFrontMatter: boolean;
  data: Record<string, unknown>;
  /** Top-level key → file position of the key. */
  fieldPositions: Record<string, Position>;
  /** Top-level key → file position of the value. */
  valuePositions: Record<string, Position>;
  /** The Markdown after the front matter (the whole text when there is none). */
  body: string;
  /** File line (1-based) of the body's first line. */
  bodyStartLine: number;
  /** Offset of the body in `text`. */
  bodyOffset: number;
  /** The YAML between the delimiters as parsed (offsets relative to `yamlOffset`); null when none was parsed. */
  yaml: (YamlParse & { source: string; offset: number }) | null;
  issues: Issue[];
}

const YAML_LANGUAGES = new Set(['', 'yaml', 'yml']);

/** An engine gray-matter would call for a language we refuse; it is never reached (checked before). */
const refuse = (language: string) => ({
  parse: (): never => {
    throw new Error(`front matter language "${language}" is refused`);
  },
});

/**
 * Splits `text` (decoded, without a BOM) of `file` into front matter and body and parses the YAML
 * with positions; problems come back as issues, never thrown. `literal` refuses YAML anchors,
 * aliases and merge keys (controlled documents).
 */
export function parseFrontMatter(text: string, file: string, options: { literal?: boolean } = {}): FrontMatterResult {
  const issues: Issue[] = [];
  const none: FrontMatterResult = { hasFrontMatter: false, data: {}, fieldPositions: {}, valuePositions: {}, body: text, bodyStartLine: 1, bodyOffset: 0, yaml: null, issues };
  // gray-matter's own test: "---" at the start, not followed by a fourth "-".
  if (!text.startsWith('---') || text.charAt(3) === '-') return none;
  const unreadable = (): FrontMatterResult => ({ ...none, hasFrontMatter: true, body: '', bodyStartLine: countNewlines(text) + 2, bodyOffset: text.length });

  const language = matter.language(text).name;
  if (!YAML_LANGUAGES.has(language.toLowerCase())) {
    issues.push({ file, line: 1, column: 4, code: 'FRONT_MATTER_LANGUAGE', severity: 'error', message: `front matter language "${language}" is not allowed (it would be executed); expected YAML between "---" lines` });
    return unreadable();
  }

  let yaml: (YamlParse & { source: string; offset: number }) | null = null;
  const yamlEngine = {
    parse: (source: string): object => {
      // The block starts right after "---" and the language word: its line 1 is the file's line 1.
      // gray-matter ends the block before the "\n" of "\r\n---": a CRLF file's last field would keep
      // a lone "\r", which YAML reads as part of the value (`true\r` is text, not a boolean).
      const parsed = parseYamlWithPositions(source.endsWith('\r') ? source.slice(0, -1) : source, file, 0, 0, 'FRONT_MATTER_INVALID', options);
      yaml = { ...parsed, source, offset: 3 + matter.language(text).raw.length };
      return {};
    },
  };
  // Options are always given: without them gray-matter returns a cached result for the same text.
  const parsed = matter(text, {
    language: 'yaml',
    engines: { yaml: yamlEngine, javascript: refuse('javascript'), js: refuse('js'), coffee: refuse('coffee'), json: refuse('json') },
  });

  const bodyOffset = text.length - parsed.content.length;
  const prefix = text.slice(0, bodyOffset);
  if (!/\n---[ \t]*(\r?\n|$)/.test(prefix)) {
    issues.push({ file, line: 1, column: 1, code: 'FRONT_MATTER_UNTERMINATED', severity: 'error', message: 'front matter opened with "---" on line 1 is never closed; expected a line "---" after the YAML' });
    return unreadable();
  }
  const result: FrontMatterResult = { ...none, hasFrontMatter: true, body: parsed.content, bodyStartLine: countNewlines(prefix) + 1, bodyOffset, yaml };
  const read = yaml as (YamlParse & { source: string; offset: number }) | null;
  if (!read) return result; // an empty block (blank or only comments)
  issues.push(...read.issues);
  result.fieldPositions = read.keyPositions;
  result.valuePositions = read.valuePositions;
  if (read.ok && read.value !== null && read.value !== undefined) {
    if (typeof read.value === 'object' && !Array.isArray(read.value)) result.data = read.value as Record<string, unknown>;
    else issues.push({ file, line: 2, column: 1, code: 'FRONT_MATTER_NOT_MAPPING', severity: 'error', message: `front matter must be a mapping of fields (key: value); found ${describeValue(read.value)}` });
  }
  return result;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
