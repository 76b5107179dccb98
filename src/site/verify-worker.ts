// A worker thread of verifyReportFolders: verifies the folders it is given with one session of its own.
import { parentPort, workerData } from 'node:worker_threads';
import { createVerifySession, verifyReport } from '../signing/verify-report.js';
import { repoRelative } from '../signing/repo.js';

const { root, dirs, now } = workerData as { root: string; dirs: string[]; now: string };
const at = new Date(now);
const session = createVerifySession(root, at);
const results = [];
for (const dir of dirs) results.push(await verifyReport(dir, { now: at, session, target: repoRelative(root, dir) }));
parentPort!.postMessage(results);
