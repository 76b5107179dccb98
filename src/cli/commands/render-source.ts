// The documents `qualify render` typesets: a controlled document read and validated, and the mdast of its
// body from the one Markdown parse. Parsed in a worker thread when the build has one, so that the
// typesetting engine (pdf-lib, fontkit, the fonts) loads on the main thread at the same time.
import { existsSync, readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Root } from 'mdast';
import type { ControlledDocument } from '../../model/document.js';
import { DocumentError, QualifyError } from '../../model/errors.js';
import { formatIssue } from '../../model/issue.js';
import { workerUrl } from '../../worker-url.js';

export interface RenderSource {
  doc: ControlledDocument;
  tree: Root;
}

/** Reads and validates a controlled document; a document that cannot be rendered is a DocumentError listing its issues. */
export async function readDocument(abs: string, root: string): Promise<ControlledDocument> {
  const { parseDocument } = await import('../../documents/index.js');
  const rel = relative(root, abs).split(sep).join('/');
  const top = rel.split('/')[0];
  const parsed = parseDocument(readFileSync(abs), rel.startsWith('..') ? abs : rel, { folderType: top === 'sops' ? 'sop' : top === 'protocols' ? 'protocol' : undefined });
  if (!parsed.document) {
    throw new DocumentError('DOCUMENT_INVALID', `${rel} cannot be rendered:\n${parsed.issues.map((i) => formatIssue(i)).join('\n')}`);
  }
  return parsed.document;
}

/** The mdast of a document's body: the very tree the runner and lint read (parsed once, with file positions). */
export async function documentTree(doc: ControlledDocument): Promise<Root> {
  return doc.tree;
}

/** Reads and parses documents on this thread. */
export async function readSources(files: string[], root: string): Promise<RenderSource[]> {
  const out: RenderSource[] = [];
  for (const f of files) {
    const doc = await readDocument(f, root);
    out.push({ doc, tree: await documentTree(doc) });
  }
  return out;
}

const WORKER = new URL('./render-parse-worker.js', import.meta.url);

type WorkerMessage = { sources?: RenderSource[]; root?: string; error?: { family: string; code: string; message: string } };

/** A parse bin/qualify.js started before the CLI loaded (`qualify render <file.md>`), waiting to be adopted. */
interface Prefetch {
  file: string;
  worker: Worker;
  message: Promise<WorkerMessage>;
}

declare global {
  // eslint-disable-next-line no-var
  var __qualifyRenderPrefetch: Prefetch | undefined;
}

/**
 * Reads and parses documents in a worker thread (the built CLI), or on this thread where there is no
 * built worker (tests run the sources). Errors keep their family and code. A parse of the same file
 * against the same root that bin/qualify.js started early is used instead of a new one.
 */
export async function readSourcesInParallel(files: string[], root: string): Promise<RenderSource[]> {
  const early = globalThis.__qualifyRenderPrefetch;
  globalThis.__qualifyRenderPrefetch = undefined;
  if (early && files.length === 1 && early.file === files[0]) {
    const m = await early.message;
    if (m.root === root) return fromMessage(m);
  } else if (early) {
    void early.worker.terminate();
  }
  const path = fileURLToPath(workerUrl(WORKER));
  if (!existsSync(path)) return readSources(files, root);
  // Started before this function first waits: the worker loads while the caller goes on.
  const worker = new Worker(path, { workerData: { files, root } });
  return fromMessage(await workerMessage(worker));
}

/** The one message of a parse worker (an error or a premature exit as an error message). */
export function workerMessage(worker: Worker): Promise<WorkerMessage> {
  return new Promise((resolvePromise) => {
    worker.once('message', resolvePromise);
    worker.once('error', (err) => resolvePromise({ error: { family: 'internal', code: 'INTERNAL', message: err.message } }));
    worker.once('exit', (code) => resolvePromise({ error: { family: 'internal', code: 'INTERNAL', message: `the parse worker exited with code ${code}` } }));
  });
}

function fromMessage(m: WorkerMessage): RenderSource[] {
  if (m.sources) return m.sources;
  if (m.error?.family === 'document') throw new DocumentError(m.error.code, m.error.message);
  throw new Error(m.error?.message ?? 'the parse worker failed');
}

/** What the worker posts for an error: its family and code survive the thread boundary. */
export function errorMessage(err: unknown): { family: string; code: string; message: string } {
  if (err instanceof QualifyError) return { family: err.family, code: err.code, message: err.message };
  return { family: 'internal', code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
