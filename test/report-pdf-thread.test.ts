// report.pdf of a run is typeset in a worker thread (src/report/pdf-thread.ts) that warmed the engine up on
// a sample first: its bytes are the very bytes renderReportPdf writes in-process for the same record.
// Runs the built modules (dist/, `npm run build`): the worker thread exists only there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('report.pdf in a worker thread', () => {
  it.skipIf(!existsSync(`${root}dist/bundle/workers/pdf-worker.cjs`))('writes the same bytes as in-process rendering, for the ES modules and for the bundled worker', () => {
    const script = `
      import { readFileSync } from 'node:fs';
      import { createHash } from 'node:crypto';
      const { renderReportPdf } = await import('./dist/report/pdf.js');
      const { renderReportMarkdown } = await import('./dist/report/markdown.js');
      const { startReportPdfThread } = await import('./dist/report/pdf-thread.js');
      const report = JSON.parse(readFileSync('test/fixtures/render/record/report.json', 'utf8'));
      const markdown = renderReportMarkdown(report);
      const options = { pageSize: 'A4', attachments: [{ name: 'evidence/IQ-01.1-inspect.json', mediaType: 'application/json', bytes: readFileSync('test/fixtures/render/record/evidence/IQ-01.1-inspect.json') }] };
      const sha = (b) => createHash('sha256').update(b).digest('hex');
      const thread = await startReportPdfThread();
      const fromWorker = await thread.render(report, markdown, options);
      const here = await renderReportPdf(report, markdown, options);
      // The bundled worker the CLI starts (dist/bundle/workers), spoken to as pdf-thread.ts does.
      const { Worker } = await import('node:worker_threads');
      const bundled = await new Promise((resolve, reject) => {
        const w = new Worker('./dist/bundle/workers/pdf-worker.cjs');
        w.once('message', (m) => (m.bytes ? resolve(m.bytes) : reject(new Error(m.error))));
        w.once('error', reject);
        w.postMessage({ report, markdown, options });
      });
      console.log(JSON.stringify({ worker: sha(fromWorker), bundled: sha(bundled), here: sha(here), bytes: here.length }));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { worker: string; bundled: string; here: string; bytes: number };
    expect(out.bytes).toBeGreaterThan(10_000);
    expect(out.worker).toBe(out.here);
    expect(out.bundled).toBe(out.here);
  });
});
