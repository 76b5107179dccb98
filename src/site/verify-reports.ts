// `qualify verify` of many report folders and documents of one repository, for the site: the same
// verifyReport and verifyDocument the command runs. A build opens one pool: with many folders it starts
// worker threads (one session each: signer registry, audit trail, protocol approvals) that verify the
// documents and then the reports of the build, so a site of hundreds of reports verifies on every core
// while the main thread writes pages; with few, everything is verified in this thread with one session.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AuditTrail } from '../signing/audit.js';
import { verifyDocument } from '../signing/documents.js';
import { createVerifySession, verifyReport, type VerifySession } from '../signing/verify-report.js';
import { repoRelative } from '../signing/repo.js';
import type { VerifyResult } from '../signing/verdict.js';
import type { DocumentPdfJob, PdfHelpers } from './build.js';
import type { ReportEntry, ReportPageModel } from './model.js';
import { writeReportPage } from './report-pages.js';
import { SiteWriter, type Written } from './site-writer.js';
import { workerUrl } from '../worker-url.js';

/** Below this many folders and documents, starting workers costs more than it saves. */
const WORKER_THRESHOLD = 40;
const WORKER = new URL('./verify-worker.js', import.meta.url);

export type Kind = 'reports' | 'documents';

export interface VerifyFoldersOptions {
  /** Worker threads to use (default: one per core but one, at least 1, at most 4, when there are many folders; 0: in this thread). */
  workers?: number;
  /** The repository's audit trail as this build read and checked it (default: read again by each session). */
  trail?: AuditTrail;
}

export interface VerifyPoolOptions extends VerifyFoldersOptions {
  /** How many folders and documents the pool will be given in all (decides whether workers are worth it). */
  expected: number;
}

/** Verification for one build: `verify` in the order of the calls, `close` once every call was made. */
export interface VerifyPool {
  /** Verifies each path (absolute) as `qualify verify` does; results in the same order. */
  verify(kind: Kind, paths: string[]): Promise<VerifyResult[]>;
  /**
   * Writes the pages of reports into the site folder `out`: each by the worker that verifies it, as soon
   * as it is verified there (it holds the verdict); any other here once `verified` resolves (the entries
   * then carry their verdicts). Resolves with what was written.
   */
  writeReportPages(out: string, model: ReportPageModel, reports: ReportEntry[], verified: Promise<void>): Promise<Written>;
  /**
   * Lets each worker, once its earlier tasks are done, render document PDFs from `take` until it gives
   * null (this thread renders from the same queue). Resolves at once for a pool without workers.
   */
  renderPdfs: PdfHelpers;
  /** Lets the workers end when their work is done (a pool without workers has nothing to close). */
  close(): void;
}

/** Verifies each folder (absolute paths) as `qualify verify` does; results in the same order. */
export async function verifyReportFolders(root: string, dirs: string[], now: Date, options: VerifyFoldersOptions = {}): Promise<VerifyResult[]> {
  return verifyOnce('reports', root, dirs, now, options);
}

async function verifyOnce(kind: Kind, root: string, paths: string[], now: Date, options: VerifyFoldersOptions): Promise<VerifyResult[]> {
  const pool = createVerifyPool(root, now, { ...options, expected: paths.length });
  try {
    return await pool.verify(kind, paths);
  } finally {
    pool.close();
  }
}

export function createVerifyPool(root: string, now: Date, options: VerifyPoolOptions): VerifyPool {
  // From TypeScript sources (tests) there is no compiled worker module: verify in this thread.
  const compiled = WORKER.pathname.endsWith('.js') && !import.meta.url.endsWith('.ts');
  // One core is left to the main thread, which has work of its own (documents, their PDFs, lists): on 2
  // cores one worker built the bench site in less time and 20 % less CPU than two (bench/site.mjs).
  const count = options.workers ?? (compiled && options.expected >= WORKER_THRESHOLD ? Math.min(4, Math.max(1, availableParallelism() - 1)) : 0);
  if (count < 1) {
    let session: VerifySession | null = null;
    return {
      verify: async (kind, paths) => verifyWith((session ??= createVerifySession(root, now, { trail: options.trail })), kind, paths),
      writeReportPages: async (out, model, reports, verified) => {
        await verified;
        return writePagesHere(out, model, reports);
      },
      renderPdfs: async () => {},
      close: () => {},
    };
  }
  let workers: PoolWorker[] | null = null;
  const start = () => (workers ??= Array.from({ length: count }, () => new PoolWorker(root, now, options.trail)));
  /** Which worker verified each report folder (it keeps the verdict for the report's page). */
  const verifiedBy = new Map<string, number>();
  return {
    async verify(kind, paths) {
      if (paths.length === 0) return [];
      const ws = start();
      // Contiguous slices: folders of one protocol sit together and share protocol approvals in a session.
      const size = Math.ceil(paths.length / ws.length);
      const slices = ws.map((_, i) => paths.slice(i * size, (i + 1) * size));
      if (kind === 'reports') slices.forEach((slice, i) => slice.forEach((p) => verifiedBy.set(p, i)));
      const parts = await Promise.all(slices.map((slice, i) => (slice.length ? ws[i]!.request<VerifyResult[]>({ kind, paths: slice }) : Promise.resolve([]))));
      return parts.flat();
    },
    async writeReportPages(out, model, reports, verified) {
      const ws = workers ?? [];
      const byWorker = ws.map(() => [] as PageTask['entries']);
      const here: ReportEntry[] = [];
      for (const r of reports) {
        const i = verifiedBy.get(r.dir);
        if (i === undefined) here.push(r);
        else byWorker[i]!.push({ dir: r.dir, path: r.path, base: r.base, files: r.files });
      }
      // Queued behind each worker's verification: a worker writes its pages as soon as its reports are verified.
      const parts = await Promise.all(byWorker.map((entries, i) => (entries.length ? ws[i]!.request<Written>({ kind: 'pages', out, model, entries }) : Promise.resolve(null))));
      await verified;
      const total = writePagesHere(out, model, here);
      for (const p of parts) if (p) sum(total, p);
      return total;
    },
    async renderPdfs(take, done) {
      await Promise.all((workers ?? []).map(async (w) => {
        await w.request<null>({ kind: 'ping' });
        for (let t = await take(); t; t = await take()) done(t.sitePath, await w.request<Uint8Array>({ kind: 'pdf', job: t.job }));
      }));
    },
    close() {
      for (const w of workers ?? []) w.close();
    },
  };
}

/** Writes report pages in this thread with the verdicts the entries carry. */
export function writePagesHere(out: string, model: ReportPageModel, reports: ReportEntry[]): Written {
  const w = new SiteWriter(out);
  for (const r of reports) writeReportPage(model, r, w);
  return w.written;
}

function sum(into: Written, add: Written): void {
  into.pages += add.pages;
  into.files += add.files;
  into.bytes += add.bytes;
}

/** Verifies in this thread with `session` (signer registry, audit trail, protocol approvals shared by all). */
export async function verifyWith(session: VerifySession, kind: Kind, paths: string[]): Promise<VerifyResult[]> {
  const out: VerifyResult[] = [];
  const { root, now } = session;
  if (kind === 'documents') {
    for (const file of paths) out.push(await verifyDocument(root, file, { now, session, target: repoRelative(root, file) }));
    return out;
  }
  for (const dir of paths) out.push(await verifyReport(dir, { now, session, target: repoRelative(root, dir) }));
  return out;
}

export interface VerifyTask {
  id: number;
  kind: Kind;
  paths: string[];
}

/** Writing the pages of reports this worker verified (their records are read again from the folder). */
export interface PageTask {
  id: number;
  kind: 'pages';
  out: string;
  model: ReportPageModel;
  entries: Array<Pick<ReportEntry, 'dir' | 'path' | 'base' | 'files'>>;
}

/** Answered once the tasks given before it are done. */
export interface PingTask {
  id: number;
  kind: 'ping';
}

/** A document's PDF, rendered as `qualify render` renders it (src/cli/site-source.ts). */
export interface PdfTask {
  id: number;
  kind: 'pdf';
  job: DocumentPdfJob;
}

export type PoolTask = VerifyTask | PageTask | PingTask | PdfTask;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** One worker thread of a pool: tasks are answered in the order they were given. */
class PoolWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(r: unknown): void; reject(e: unknown): void }>();
  private next = 0;
  private failure: Error | null = null;

  constructor(root: string, now: Date, trail?: AuditTrail) {
    this.worker = new Worker(workerUrl(WORKER), { workerData: { root, now: now.toISOString(), trail } });
    this.worker.on('message', (m: { id: number; value: unknown }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      // An idle worker does not keep the process alive (a caller that never closes the pool cannot hang it).
      if (this.pending.size === 0) this.worker.unref();
      p?.resolve(m.value);
    });
    this.worker.once('error', (err) => this.fail(err));
    this.worker.once('exit', (code) => this.fail(new Error(`a verification worker stopped (exit ${code}) before it reported`)));
  }

  request<T>(task: DistributiveOmit<PoolTask, 'id'>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.worker.ref();
      this.worker.postMessage({ ...task, id } as PoolTask);
    });
  }

  close(): void {
    if (!this.failure) this.worker.postMessage(null);
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
