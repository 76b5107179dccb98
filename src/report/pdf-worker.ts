// Worker thread of `qualify run`: report.pdf is typeset here while the main thread executes the checks.
// The worker starts with the run, loads the typesetting engine and its fonts, and warms the one Markdown
// pipeline and the layout on a small sample (so their code is compiled when the report arrives); then it
// renders the report it is sent, with the same renderReportPdf as in-process, and posts the bytes back.
import { parentPort } from 'node:worker_threads';
import { parseMarkdown } from '../markdown/parse.js';
import { prepareEngine, renderMarkdownToPdf } from '../pdf/index.js';
import type { Report } from '../model/report.js';
import { renderReportPdf, type ReportPdfOptions } from './pdf.js';

/** What a report's Markdown is made of: headings, GFM tables with code spans, lists, emphasis, a link. */
const SAMPLE = [
  '# Test Report QP-0000-20260101T000000Z-0000',
  '',
  '## Summary',
  '',
  '| Step | Type | Item | Expected | Actual | Result |',
  '|---|---|---|---|---|---|',
  ...Array.from({ length: 12 }, (_, i) => `| IQ-01.${i + 1} | container.running | State.Status | \`running\` | \`running\` | PASS |`),
  '',
  '- **Objective.** The release runs as approved, see https://example.invalid/sop and `qualify verify`.',
  '- 2026-01-01T00:00:00Z → 2026-01-01T00:00:01Z, *by* eve',
  '',
  '```json',
  '{ "version": "1.0.0" }',
  '```',
].join('\n');

/** Loads the fonts and compiles the parser's and the layout's hot paths; the output is thrown away. */
async function warmUp(): Promise<void> {
  prepareEngine();
  const tree = parseMarkdown(SAMPLE);
  await renderMarkdownToPdf(tree, { documentId: 'warm-up', title: 'warm-up', revision: '00', status: 'draft', kind: 'document', created: '2026-01-01' });
}

export interface PdfRequest {
  report: Report;
  markdown: string;
  /** Cloneable options only (no `images` callback). */
  options: Omit<ReportPdfOptions, 'images'>;
}

const ready = warmUp().catch(() => undefined);
parentPort!.once('message', (request: PdfRequest) => {
  void ready
    .then(() => renderReportPdf(request.report, request.markdown, request.options))
    .then(
      (bytes) => parentPort!.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]),
      (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    )
    .finally(() => parentPort!.close());
});
