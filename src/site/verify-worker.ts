// A worker thread of the site's verification: `qualify verify` of the report folders or document files it
// is given (reports with one session of its own).
import { parentPort, workerData } from 'node:worker_threads';
import { verifyDocument } from '../signing/documents.js';
import { createVerifySession, verifyReport } from '../signing/verify-report.js';
import { repoRelative } from '../signing/repo.js';

const { kind, root, paths, now } = workerData as { kind: 'reports' | 'documents'; root: string; paths: string[]; now: string };
const at = new Date(now);
const results = [];
if (kind === 'reports') {
  const session = createVerifySession(root, at);
  for (const dir of paths) results.push(await verifyReport(dir, { now: at, session, target: repoRelative(root, dir) }));
} else {
  for (const file of paths) results.push(await verifyDocument(root, file, { now: at, target: repoRelative(root, file) }));
}
parentPort!.postMessage(results);
