// `qualify verify` of many report folders of one repository, for the site: the same verifyReport the
// command runs. Many folders are split over worker threads (one session each: signer registry, audit
// trail, protocol approvals), so a site of hundreds of reports verifies on every core.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { createVerifySession, verifyReport } from '../signing/verify-report.js';
import { repoRelative } from '../signing/repo.js';
import type { VerifyResult } from '../signing/verdict.js';

/** Below this many folders, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 40;
const WORKER = new URL('./verify-worker.js', import.meta.url);

export interface VerifyFoldersOptions {
  /** Worker threads to use (default: one per core, at most 4, when there are many folders; 0: in this thread). */
  workers?: number;
}

/** Verifies each folder (absolute paths) as `qualify verify` does; results in the same order. */
export async function verifyReportFolders(root: string, dirs: string[], now: Date, options: VerifyFoldersOptions = {}): Promise<VerifyResult[]> {
  if (dirs.length === 0) return [];
  // From TypeScript sources (tests) there is no compiled worker module: verify in this thread.
  const compiled = WORKER.pathname.endsWith('.js') && !import.meta.url.endsWith('.ts');
  const workers = options.workers ?? (compiled && dirs.length >= WORKER_THRESHOLD ? Math.min(4, availableParallelism()) : 0);
  if (workers <= 1) return verifyHere(root, dirs, now);
  // Contiguous slices: folders of one protocol sit together and share protocol approvals in a session.
  const size = Math.ceil(dirs.length / workers);
  const slices = Array.from({ length: workers }, (_, i) => dirs.slice(i * size, (i + 1) * size)).filter((s) => s.length);
  const parts = await Promise.all(slices.map((slice) => runWorker(root, slice, now)));
  return parts.flat();
}

async function verifyHere(root: string, dirs: string[], now: Date): Promise<VerifyResult[]> {
  const session = createVerifySession(root, now);
  const out: VerifyResult[] = [];
  for (const dir of dirs) out.push(await verifyReport(dir, { now, session, target: repoRelative(root, dir) }));
  return out;
}

function runWorker(root: string, dirs: string[], now: Date): Promise<VerifyResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER, { workerData: { root, dirs, now: now.toISOString() } });
    let done = false;
    worker.once('message', (results: VerifyResult[]) => {
      done = true;
      resolve(results);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`a verification worker stopped (exit ${code}) before it reported`));
    });
  });
}
