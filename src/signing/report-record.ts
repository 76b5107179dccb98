// One report folder as the signing layer reads it: the record (report.json) and its canonical hash,
// evidence files, signatures/, dispositions/ and report.pdf. Dispositions live in signed side files
// because a record is never rewritten; `recordView` shows the record with them applied.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_SCHEMA, type Report } from '../model/report.js';
import type { DispositionPayload } from './payload.js';
import { canonicalHash, sha256Hex } from './hash.js';
import { parseJsonBytes, serializationProblem } from './json-file.js';
import { readSignedFiles, type SignedFile } from './signature-folder.js';
import type { Finding } from './verdict.js';

export const RECORD_FILE = 'report.json';
export const SIGNATURES_DIR = 'signatures';
export const DISPOSITIONS_DIR = 'dispositions';
export const PDF_FILE = 'report.pdf';
export const ATTESTATION_FILE = 'attestation.intoto.dsse.json';
export const EVIDENCE_DIR = 'evidence';
export const EVIDENCE_MANIFEST = 'evidence/manifest.json';

export interface LoadedRecord {
  /** Absolute folder. */
  dir: string;
  record: Report | null;
  /** Canonical sha256 of report.json, null when unreadable. */
  recordHash: string | null;
  /** sha256 of the bytes of report.json (what the run's audit entry recorded), null when missing. */
  fileSha256: string | null;
  findings: Finding[];
}

/** Reads and checks report.json: readable, a qualify record, in the tool's serialization. */
export function loadRecord(dir: string): LoadedRecord {
  const out: LoadedRecord = { dir, record: null, recordHash: null, fileSha256: null, findings: [] };
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(dir, RECORD_FILE));
  } catch {
    out.findings.push({ code: 'RECORD_MISSING', file: RECORD_FILE, message: `${RECORD_FILE} is missing: this is not a report folder, or the record was removed` });
    return out;
  }
  out.fileSha256 = sha256Hex(bytes);
  const read = parseJsonBytes(bytes);
  if (!read.ok) {
    out.findings.push({ code: 'RECORD_UNREADABLE', file: RECORD_FILE, message: `${RECORD_FILE} is ${read.problem}: the record was damaged or altered` });
    return out;
  }
  const r = read.value as Report;
  if (!r || typeof r !== 'object' || r.schema !== REPORT_SCHEMA || typeof r.reportId !== 'string') {
    out.findings.push({ code: 'RECORD_INVALID', file: RECORD_FILE, message: `${RECORD_FILE} is not a ${REPORT_SCHEMA} record (schema ${JSON.stringify((r as { schema?: unknown })?.schema ?? null)})` });
    return out;
  }
  // A record missing what verification reads was altered: say where, and judge nothing else of it.
  const shape = recordShapeProblem(r as unknown as Record<string, unknown>);
  if (shape) {
    out.findings.push({ code: 'RECORD_INVALID', file: RECORD_FILE, message: `${RECORD_FILE}: ${shape}: the record was altered or is not a record` });
    return out;
  }
  out.record = r;
  out.recordHash = canonicalHash(r);
  const form = serializationProblem(read.text, read.value);
  if (form) out.findings.push({ code: 'RECORD_EDITED', file: RECORD_FILE, message: `${RECORD_FILE}: ${form}` });
  return out;
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The structure verification relies on (the full JSON Schema is src/report/schema.ts; checking it here
 * would cost its compile time on every `verify`). Returns "path: expected ..." or null.
 */
export function recordShapeProblem(r: Record<string, unknown>): string | null {
  const p = r.protocol;
  if (typeof r.dryRun !== 'boolean' || typeof r.incomplete !== 'boolean') return '/dryRun and /incomplete must be booleans';
  if (!isObj(p) || !isStr(p.documentId) || !isStr(p.revision) || !isStr(p.sha256) || !isStr(p.path) || !isStr(p.approval)) return '/protocol must hold documentId, revision, path, sha256 and approval';
  if (!isObj(r.executor) || !isStr(r.executor.id)) return '/executor/id must be text';
  if (!isStr(r.started) || !isStr(r.ended) || !isStr(r.conclusion)) return '/started, /ended and /conclusion must be text';
  if (!Array.isArray(r.cases)) return '/cases must be a list';
  for (const [i, c] of (r.cases as unknown[]).entries()) {
    if (!isObj(c) || !isStr(c.id) || !isStr(c.status) || !Array.isArray(c.steps)) return `/cases/${i} must hold id, status and steps`;
    for (const [j, st] of (c.steps as unknown[]).entries()) {
      if (!isObj(st) || !isStr(st.id) || !Array.isArray(st.evidence)) return `/cases/${i}/steps/${j} must hold id and evidence`;
      for (const [k, e] of (st.evidence as unknown[]).entries()) {
        if (!isObj(e) || !isStr(e.path) || !isStr(e.sha256) || typeof e.bytes !== 'number' || !isStr(e.mediaType) || !isStr(e.description)) return `/cases/${i}/steps/${j}/evidence/${k} must hold path, sha256, bytes, mediaType and description`;
      }
    }
  }
  if (!Array.isArray(r.deviations) || !(r.deviations as unknown[]).every((d) => isObj(d) && isStr(d.id) && isStr(d.caseId) && isStr(d.stepId))) return '/deviations must list { id, caseId, stepId }';
  const subject = r.subject;
  if (!isObj(subject) || !Array.isArray(subject.images) || !(subject.images as unknown[]).every((im) => isObj(im) && (im.digest === null || isStr(im.digest)))) return '/subject/images must list images with a digest (or null)';
  return null;
}

function isSafeRelative(p: string): boolean {
  return typeof p === 'string' && p.length > 0 && !p.startsWith('/') && !p.split(/[\\/]/).includes('..') && !/^[A-Za-z]:/.test(p);
}

function listFiles(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const n of names) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) out.push(...listFiles(p, `${prefix}${n}/`));
    else out.push(`${prefix}${n}`);
  }
  return out;
}

/**
 * Recomputes every evidence file's sha256 and size against the record; checks the evidence manifest
 * against the record; flags files the record does not vouch for. Returns findings and the count checked.
 */
export function checkEvidence(dir: string, record: Report): { findings: Finding[]; checked: number } {
  const findings: Finding[] = [];
  const refs = new Map<string, { sha256: string; bytes: number; step: string; mediaType: string; description: string }>();
  for (const c of record.cases ?? []) {
    for (const s of c.steps ?? []) {
      for (const e of s.evidence ?? []) refs.set(e.path, { sha256: e.sha256, bytes: e.bytes, step: s.id, mediaType: e.mediaType, description: e.description });
    }
  }
  let checked = 0;
  for (const [path, ref] of refs) {
    if (!isSafeRelative(path)) {
      findings.push({ code: 'EVIDENCE_PATH', file: RECORD_FILE, message: `evidence path ${JSON.stringify(path)} leaves the report folder` });
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(dir, path));
    } catch {
      findings.push({ code: 'EVIDENCE_MISSING', file: path, message: `${path} (step ${ref.step}) is missing` });
      continue;
    }
    checked++;
    const actual = sha256Hex(bytes);
    if (actual !== ref.sha256) findings.push({ code: 'EVIDENCE_ALTERED', file: path, message: `${path} (step ${ref.step}) has sha256 ${actual.slice(0, 16)}…, the record says ${String(ref.sha256).slice(0, 16)}…: the evidence was altered` });
    else if (bytes.length !== ref.bytes) findings.push({ code: 'EVIDENCE_ALTERED', file: path, message: `${path} has ${bytes.length} bytes, the record says ${ref.bytes}` });
  }
  const onDisk = listFiles(join(dir, EVIDENCE_DIR), `${EVIDENCE_DIR}/`);
  for (const f of onDisk) {
    if (refs.has(f) || f === EVIDENCE_MANIFEST) continue;
    findings.push({ code: 'EVIDENCE_UNREFERENCED', file: f, message: `${f} is in the evidence folder but not in the record: evidence was added after the run` });
  }
  if (!onDisk.includes(EVIDENCE_MANIFEST)) {
    findings.push({ code: 'EVIDENCE_MANIFEST_MISSING', file: EVIDENCE_MANIFEST, message: `${EVIDENCE_MANIFEST} is missing: every run writes it (the list of its evidence with their sha256)` });
  } else {
    const bytes = readFileSync(join(dir, EVIDENCE_MANIFEST));
    const read = parseJsonBytes(bytes);
    const expected = {
      files: [...refs.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, r]) => ({ path, step: r.step, sha256: r.sha256, bytes: r.bytes, mediaType: r.mediaType, description: r.description })),
    };
    if (!read.ok) findings.push({ code: 'EVIDENCE_MANIFEST_ALTERED', file: EVIDENCE_MANIFEST, message: `${EVIDENCE_MANIFEST} is ${read.problem}` });
    else if (canonicalHash(read.value) !== canonicalHash(expected)) findings.push({ code: 'EVIDENCE_MANIFEST_ALTERED', file: EVIDENCE_MANIFEST, message: `${EVIDENCE_MANIFEST} does not list the evidence the record lists: it was altered` });
    else {
      const form = serializationProblem(read.text, read.value);
      if (form) findings.push({ code: 'EVIDENCE_MANIFEST_ALTERED', file: EVIDENCE_MANIFEST, message: `${EVIDENCE_MANIFEST}: ${form}` });
    }
  }
  return { findings, checked };
}

/** The signature and disposition envelopes of a report folder, in name order. */
export function readReportEnvelopes(dir: string): { signatures: SignedFile[]; dispositions: SignedFile[] } {
  return {
    signatures: readSignedFiles(join(dir, SIGNATURES_DIR), SIGNATURES_DIR),
    dispositions: readSignedFiles(join(dir, DISPOSITIONS_DIR), DISPOSITIONS_DIR),
  };
}

/** The record as readers see it: deviations with their signed dispositions applied (the record itself is unchanged). */
export function recordView(record: Report, dispositions: Array<{ file: string; payload: DispositionPayload }>): Report {
  if (dispositions.length === 0) return record;
  const byId = new Map(dispositions.map((d) => [d.payload.deviation.id, d]));
  return {
    ...record,
    deviations: record.deviations.map((d) => {
      const disp = byId.get(d.id);
      if (!disp) return d;
      return {
        ...d,
        status: 'closed' as const,
        disposition: { text: disp.payload.disposition, by: disp.payload.signer.id, at: disp.payload.time, signature: disp.file },
      };
    }),
  };
}
