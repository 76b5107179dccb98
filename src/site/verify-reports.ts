// `qualify verify` of many report folders and documents of one repository, for the site: the same
// verifyReport and verifyDocument the command runs. Many are split over worker threads (one session each:
// signer registry, audit trail, protocol approvals), so a site of hundreds of reports verifies on every
// core while the main thread writes pages.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AuditTrail } from '../signing/audit.js';
import { verifyDocument } from '../signing/documents.js';
import { createVerifySession, verifyReport } from '../signing/verify-report.js';
import { repoRelative } from '../signing/repo.js';
import type { VerifyResult } from '../signing/verdict.js';
import { workerUrl } from '../worker-url.js';

/** Below this many folders, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 40;
const WORKER = new URL('./verify-worker.js', import.meta.url);

export interface VerifyFoldersOptions {
  /** Worker threads to use (default: one per core, at most 4, when there are many folders; 0: in this thread). */
  workers?: number;
  /** The repository's audit trail as this build read and checked it (default: read again by each session). */
  trail?: AuditTrail;
}

/** Verifies each folder (absolute paths) as `qualify verify` does; results in the same order. */
export async function verifyReportFolders(root: string, dirs: string[], now: Date, options: VerifyFoldersOptions = {}): Promise<VerifyResult[]> {
  return verifyMany('reports', root, dirs, now, options);
}

/** Verifies each document file (absolute paths) as `qualify verify <document>` does; results in order. */
export async function verifyDocumentFiles(root: string, files: string[], now: Date, options: VerifyFoldersOptions = {}): Promise<VerifyResult[]> {
  return verifyMany('documents', root, files, now, options);
}

export type Kind = 'reports' | 'documents';

async function verifyMany(kind: Kind, root: string, paths: string[], now: Date, options: VerifyFoldersOptions): Promise<VerifyResult[]> {
  if (paths.length === 0) return [];
  // From TypeScript sources (tests) there is no compiled worker module: verify in this thread.
  const compiled = WORKER.pathname.endsWith('.js') && !import.meta.url.endsWith('.ts');
  const workers = options.workers ?? (compiled && paths.length >= WORKER_THRESHOLD ? Math.min(4, availableParallelism()) : 0);
  if (workers <= 1) return verifyHere(kind, root, paths, now, options.trail);
  // Contiguous slices: folders of one protocol sit together and share protocol approvals in a session.
  const size = Math.ceil(paths.length / workers);
  const slices = Array.from({ length: workers }, (_, i) => paths.slice(i * size, (i + 1) * size)).filter((s) => s.length);
  const parts = await Promise.all(slices.map((slice) => runWorker(kind, root, slice, now, options.trail)));
  return parts.flat();
}

/** Verifies in this thread, with one session (signer registry, audit trail, protocol approvals) for all. */
export async function verifyHere(kind: Kind, root: string, paths: string[], now: Date, trail?: AuditTrail): Promise<VerifyResult[]> {
  const out: VerifyResult[] = [];
  const session = createVerifySession(root, now, { trail });
  if (kind === 'documents') {
    for (const file of paths) out.push(await verifyDocument(root, file, { now, session, target: repoRelative(root, file) }));
    return out;
  }
  for (const dir of paths) out.push(await verifyReport(dir, { now, session, target: repoRelative(root, dir) }));
  return out;
}

function runWorker(kind: Kind, root: string, paths: string[], now: Date, trail?: AuditTrail): Promise<VerifyResult[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerUrl(WORKER), { workerData: { kind, root, paths, now: now.toISOString(), trail } });
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
