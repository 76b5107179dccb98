// Warms the engine up before a document arrives (while the document is parsed on another thread, or while
// `qualify run` executes its checks): reads the body faces, measures a sample, and parses and typesets a
// small sample document through the one Markdown pipeline, so that the fonts are parsed and the hot paths
// of the parser, the layout and the writer are compiled. The output is thrown away; what the engine keeps
// between documents (parsed faces, shaped runs) does not change the bytes of later documents
// (test/render-warm-up.test.ts).
import { parseMarkdown } from '../markdown/parse.js';
import { face } from './fonts.js';
import { renderMarkdownToPdf } from './render.js';
import { hyphenationPoints } from './text/hyphenate.js';
import { measure } from './text/shape.js';

const SAMPLE_LINE = 'The quick brown fox jumps over the lazy dog: 0123456789 (ABCDEFGHIJKLMNOPQRSTUVWXYZ) [a-z] {}/\\|.,;:!?@#$%&*+=<>"\'`~^_-';

/** What controlled documents and reports are made of: headings, paragraphs, lists, GFM tables with code spans, code, quotes. */
const SAMPLE_DOCUMENT = [
  '# Purpose',
  '',
  'This procedure describes how a **release** is qualified, see [SOP-0001](https://example.invalid/sop) and `qualify verify`; *deviations* go to Quality Assurance under EU GMP Annex 11.',
  '',
  '## Summary',
  '',
  '| Step | Type | Item | Expected | Actual | Result |',
  '|---|---|---|---|---|---|',
  ...Array.from({ length: 12 }, (_, i) => `| IQ-01.${i + 1} | container.running | State.Status | \`running\` | \`running\` | PASS |`),
  '',
  '### Responsibilities',
  '',
  '- **Objective.** The release runs as approved.',
  '- 2026-01-01T00:00:00Z → 2026-01-01T00:00:01Z, *by* eve',
  '  - a nested item with `code`',
  '',
  '1. The operator records the result in the log book.',
  '2. The reviewer checks the container digest against the approved release.',
  '',
  '> Note: an escalation is recorded within one working day.',
  '',
  '```bash',
  'qualify run protocols/QP-0001.md --env production --param release=1.4.2',
  '```',
  '',
  '---',
  '',
  '```json',
  '{ "version": "1.0.0" }',
  '```',
].join('\n');

/** Parses the body faces, measures a sample in every style, and loads the English hyphenation patterns (the default language). */
function prepareEngine(): void {
  for (const id of ['sans', 'sansBold', 'mono'] as const) void face(id).font;
  for (const style of ['regular', 'bold', 'mono', 'italic', 'monoBold'] as const) measure(SAMPLE_LINE, style, 10);
  hyphenationPoints('qualification', 'en');
}

/** One turn of the event loop: a worker's message that came meanwhile is delivered before `waiting` is asked. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * prepareEngine, then the sample document parsed and typeset. `waiting` is asked between the steps (after a
 * turn of the event loop): once it says false (what the caller waited for has come), the rest is skipped.
 */
export async function warmUpEngine(waiting: () => boolean = () => true): Promise<void> {
  prepareEngine();
  await turn();
  if (!waiting()) return;
  const tree = parseMarkdown(SAMPLE_DOCUMENT);
  await turn();
  if (!waiting()) return;
  await renderMarkdownToPdf(tree, { documentId: 'warm-up', title: 'warm-up', revision: '00', status: 'draft', kind: 'document', created: '2026-01-01' });
}
