// The prose under an identified heading (a test case's objective and acceptance criteria, a
// requirement's statement), taken from the document's own tree: the nodes under the heading, each
// printed as written in the file (no re-typing, no re-formatting). And one rule on that prose:
// acceptance criteria must be objective (PC-04), so vague wording such as "works as expected" is flagged.
import type { Nodes, RootContent, Text } from 'mdast';
import { visit } from 'unist-util-visit';
import type { ControlledDocument, Issue, Position, TestCase } from '../model/index.js';

/** A point of the file as the tree gives it (1-based line and column). */
interface Point {
  line: number;
  column: number;
}

/** The document's body text, addressed by file positions (the tree's). */
export interface DocumentSource {
  /** The text between two file positions, as written. */
  slice(start: Point, end: Point): string;
}

/** The body of `doc` addressed by the file positions its tree carries. */
export function sourceOf(doc: Pick<ControlledDocument, 'body' | 'bodyStartLine'>): DocumentSource {
  const lines = doc.body.split(/\r\n|\r|\n/);
  const at = (line: number): string => lines[line - doc.bodyStartLine] ?? '';
  return {
    slice(start, end) {
      if (start.line === end.line) return at(start.line).slice(start.column - 1, end.column - 1);
      const out = [at(start.line).slice(start.column - 1)];
      for (let l = start.line + 1; l < end.line; l++) out.push(at(l));
      out.push(at(end.line).slice(0, end.column - 1));
      return out.join('\n');
    },
  };
}

/** The Markdown of prose nodes as written in the file, one blank line between blocks, trimmed. */
export function proseMarkdown(nodes: RootContent[], source: DocumentSource): string {
  return nodes
    .filter((n) => n.position)
    .map((n) => source.slice(n.position!.start, n.position!.end).replace(/\s+$/, ''))
    .filter((t) => t.trim() !== '')
    .join('\n\n')
    .trim();
}

/**
 * Wording that states no observable outcome: "works as expected", "as intended", "no issues", "OK",
 * "fine", "looks good". "200 OK" (an HTTP status line) is a value, not a judgement, and is not flagged.
 */
const VAGUE = /\b(works?\s+as\s+(?:expected|intended)|as\s+(?:expected|intended)|no\s+(?:issues|problems)|(?:works|working|runs|running|looks|behaves)\s+(?:fine|ok|okay|good|well|correctly|properly|normally)|(?:is|are)\s+(?:fine|ok|okay|good)|fine|ok(?:ay)?)\b/gi;

interface VagueHit {
  phrase: string;
  index: number;
}

/** Vague phrases in `text`, longest first at each place. */
export function vaguePhrases(text: string): VagueHit[] {
  const hits: VagueHit[] = [];
  for (const m of text.matchAll(VAGUE)) {
    const phrase = m[1]!;
    const index = m.index!;
    const before = text.slice(Math.max(0, index - 4), index);
    const after = text.charAt(index + phrase.length);
    if (/^ok(ay)?$/i.test(phrase) && /\d\s$/.test(before)) continue; // "200 OK"
    if (/^(fine|ok(ay)?)$/i.test(phrase) && (after === '-' || /-$/.test(before))) continue; // "fine-grained"
    hits.push({ phrase: phrase.replace(/\s+/g, ' '), index });
  }
  return hits;
}

/** The file position of character `index` of `text`, which starts at `start`. */
function positionIn(text: string, index: number, start: Point): Position {
  const before = text.slice(0, index);
  const nl = before.lastIndexOf('\n');
  if (nl < 0) return { line: start.line, column: start.column + index };
  return { line: start.line + (before.match(/\n/g)?.length ?? 0), column: index - nl };
}

const message = (phrase: string, where: string): string =>
  `vague acceptance criterion "${phrase}" ${where}: state what is observed and the value or limit it must meet (PC-04), e.g. "status 200 and json.version equals the release"`;

/**
 * Vague wording in a test case's prose and in the expected observation of its manual steps, each
 * located at the phrase (warnings: the author rewrites them, lint does not decide what is objective).
 */
export function vagueCriteria(tc: TestCase, prose: RootContent[], source: DocumentSource, file: string): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const add = (pos: Position, phrase: string, where: string): void => {
    const key = `${pos.line}:${pos.column}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ file, line: pos.line, column: pos.column, code: 'ACCEPTANCE_VAGUE', severity: 'warning', message: message(phrase, where) });
  };
  for (const node of prose) {
    visit(node as Nodes, 'text', (text: Text) => {
      if (!text.position) return;
      // Located in the file's text when the phrase is written there as it reads (no markup inside it).
      const raw = source.slice(text.position.start, text.position.end);
      const inRaw = vaguePhrases(raw);
      const hits = inRaw.length ? inRaw : vaguePhrases(text.value).map((h) => ({ ...h, index: -1 }));
      for (const h of hits) {
        const pos = h.index >= 0 ? positionIn(raw, h.index, text.position.start) : { line: text.position.start.line, column: text.position.start.column };
        add(pos, h.phrase, `in test case ${tc.id}`);
      }
    });
  }
  for (const step of tc.checks) {
    if (step.type !== 'manual' || !step.expect) continue;
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(step.expect);
    for (const s of strings) {
      const hit = vaguePhrases(s)[0];
      if (hit) add(step.keyPositions.expect ?? step.position, hit.phrase, `in the expected observation of manual step ${step.id}`);
    }
  }
  return issues;
}
