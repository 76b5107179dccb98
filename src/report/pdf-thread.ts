// report.pdf of a run rendered in a worker thread (pdf-worker.ts) started when the run starts: the engine
// loads and warms up on the other core while the checks run, and the main thread never loads it. The PDF is
// the one renderReportPdf writes in-process (same function, same inputs, same bytes); where there is no
// built worker (tests from the sources) or the worker fails, it is rendered in this thread.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { Report } from '../model/report.js';
import { workerUrl } from '../worker-url.js';
import type { PdfRequest } from './pdf-worker.js';

const WORKER = new URL('./pdf-worker.js', import.meta.url);

export interface ReportPdfThread {
  /** Renders report.pdf (once per thread). */
  render(report: Report, markdown: string, options: PdfRequest['options']): Promise<Uint8Array>;
  /** Stops the worker (a run that ends without a PDF). */
  close(): void;
}

async function renderHere(report: Report, markdown: string, options: PdfRequest['options']): Promise<Uint8Array> {
  const { renderReportPdf } = await import('./pdf.js');
  return renderReportPdf(report, markdown, options);
}

/** Starts the worker now; `render` hands it the report when the record is ready. */
export async function startReportPdfThread(): Promise<ReportPdfThread> {
  const path = fileURLToPath(workerUrl(WORKER));
  if (import.meta.url.endsWith('.ts') || !existsSync(path)) return { render: renderHere, close: () => undefined };
  const { Worker } = await import('node:worker_threads');
  let worker: Worker | null = new Worker(path);
  // Warming up alone never keeps the process alive (a run refused before its checks exits at once).
  worker.unref();
  worker.on('error', () => undefined);
  const close = () => {
    void worker?.terminate();
    worker = null;
  };
  return {
    close,
    render(report, markdown, options) {
      const w = worker;
      if (!w) return renderHere(report, markdown, options);
      worker = null;
      w.ref();
      return new Promise<Uint8Array>((resolve, reject) => {
        let settled = false;
        w.once('message', (m: { bytes?: Uint8Array; error?: string }) => {
          settled = true;
          if (m.bytes) resolve(m.bytes);
          else reject(new Error(m.error ?? 'the PDF worker failed'));
        });
        // A worker that dies without an answer (not a rendering error): the PDF is rendered here instead.
        w.once('exit', () => {
          if (!settled) renderHere(report, markdown, options).then(resolve, reject);
        });
        w.postMessage({ report, markdown, options } satisfies PdfRequest);
      });
    },
  };
}
