// Worker thread of `qualify run`: report.pdf is typeset here while the main thread executes the checks.
// The worker starts with the run, loads the typesetting engine and its fonts, and warms the one Markdown
// pipeline and the layout on a small sample (so their code is compiled when the report arrives); then it
// renders the report it is sent, with the same renderReportPdf as in-process, and posts the bytes back.
import { parentPort } from 'node:worker_threads';
import { warmUpEngine } from '../pdf/index.js';
import type { Report } from '../model/report.js';
import { renderReportPdf, type ReportPdfOptions } from './pdf.js';

export interface PdfRequest {
  report: Report;
  markdown: string;
  /** Cloneable options only (no `images` callback). */
  options: Omit<ReportPdfOptions, 'images'>;
}

const ready = warmUpEngine().catch(() => undefined);
parentPort!.once('message', (request: PdfRequest) => {
  void ready
    .then(() => renderReportPdf(request.report, request.markdown, request.options))
    .then(
      (bytes) => parentPort!.postMessage({ bytes }, [bytes.buffer as ArrayBuffer]),
      (err: unknown) => parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) }),
    )
    .finally(() => parentPort!.close());
});
