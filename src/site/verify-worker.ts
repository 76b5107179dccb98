// A worker thread of the site's verification pool: `qualify verify` of the report folders or document files
// of each task it is given, in order, with one session of its own (the audit trail the build read and
// checked, when given); then, when asked, the site pages of the reports it verified, with their verdicts,
// and document PDFs (the same engine, document and metadata as on the main thread: the same bytes).
// A null message ends it. An error that is not a verification finding ends the thread
// with that error, which fails the build as it would without workers.
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditTrail } from '../signing/audit.js';
import { createVerifySession, type VerifySession } from '../signing/verify-report.js';
import type { VerifyResult } from '../signing/verdict.js';
import { readRecord } from './report-files.js';
import { writePagesHere, verifyWith, type PoolTask } from './verify-reports.js';

const { root, now, trail } = workerData as { root: string; now: string; trail?: AuditTrail };
let session: VerifySession | null = null;
/** The verdicts of the report folders verified here, for their pages. */
const verdicts = new Map<string, VerifyResult>();
let queue: Promise<void> = Promise.resolve();

// No top-level await: the worker also runs as a CommonJS bundle (scripts/bundle.mjs).
parentPort!.on('message', (task: PoolTask | null) => {
  queue = queue.then(async () => {
    if (task === null) {
      parentPort!.close();
      return;
    }
    if (task.kind === 'ping') {
      parentPort!.postMessage({ id: task.id, value: null });
      return;
    }
    if (task.kind === 'pdf') {
      const { readDocument } = await import('../cli/commands/render-source.js');
      const { renderMarkdownToPdf } = await import('../pdf/index.js');
      const { file, root: at, meta, pageSize } = task.job;
      const doc = await readDocument(file, at);
      const pdf = await renderMarkdownToPdf(doc.tree, meta, { pageSize });
      parentPort!.postMessage({ id: task.id, value: pdf });
      return;
    }
    if (task.kind === 'pages') {
      const reports = task.entries.map((e) => ({ ...e, record: readRecord(e.dir), verification: verdicts.get(e.dir) ?? null }));
      parentPort!.postMessage({ id: task.id, value: writePagesHere(task.out, task.model, reports) });
      return;
    }
    session ??= createVerifySession(root, new Date(now), { trail });
    const results = await verifyWith(session, task.kind, task.paths);
    if (task.kind === 'reports') task.paths.forEach((p, i) => verdicts.set(p, results[i]!));
    parentPort!.postMessage({ id: task.id, value: results });
  }).catch((err: unknown) => {
    process.nextTick(() => {
      throw err;
    });
  });
});
