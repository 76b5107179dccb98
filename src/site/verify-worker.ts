// A worker thread of the site's verification: `qualify verify` of the report folders or document files it
// is given, with one session of its own (the audit trail the build read and checked, when given).
import { parentPort, workerData } from 'node:worker_threads';
import type { AuditTrail } from '../signing/audit.js';
import { verifyHere, type Kind } from './verify-reports.js';

const { kind, root, paths, now, trail } = workerData as { kind: Kind; root: string; paths: string[]; now: string; trail?: AuditTrail };
// No top-level await: the worker also runs as a CommonJS bundle (scripts/bundle.mjs).
void verifyHere(kind, root, paths, new Date(now), trail).then((results) => parentPort!.postMessage(results));
