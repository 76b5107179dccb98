// What a qualify signature says, inside the signed bytes (ES-01, ES-02): the subject's hash, who
// (id and printed name from the registry), the meaning, the UTC time, the comment and the key.
import type { SignatureMeaning } from '../model/signature.js';
import { isSha256Hex } from './hash.js';
import type { Meaning } from './signers.js';
import type { TrailHead } from './audit.js';

export const SIGNATURE_PAYLOAD_TYPE = 'application/vnd.qualify.signature+json';
export const DISPOSITION_PAYLOAD_TYPE = 'application/vnd.qualify.disposition+json';
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export const SIGNATURE_SCHEMA = 'qualify.signature/v1';
export const DISPOSITION_SCHEMA = 'qualify.disposition/v1';

export const REPORT_MEANINGS: readonly SignatureMeaning[] = ['executed', 'reviewed', 'approved'];
export const DOCUMENT_MEANINGS: readonly SignatureMeaning[] = ['authored', 'reviewed', 'approved', 'trained', 'obsoleted'];
export const MEANINGS: readonly SignatureMeaning[] = ['authored', 'executed', 'reviewed', 'approved', 'trained', 'obsoleted'];

/** The executed record a signature is about: its canonical sha256 binds evidence, subject and protocol hashes. */
export interface ReportSubject {
  kind: 'report';
  reportId: string;
  protocol: { documentId: string; revision: string; sha256: string };
  /** sha256 of the RFC 8785 canonical JSON of report.json. */
  sha256: string;
}

/** A controlled document revision: the sha256 of the file's bytes. */
export interface DocumentSubject {
  kind: 'document';
  documentId: string;
  revision: string | null;
  /** Path relative to the repository root when signed (informative; the hash is what counts). */
  path: string;
  sha256: string;
}

export interface SignerClaim {
  id: string;
  /** Printed name, copied from the signer registry, never typed. */
  name: string;
  email: string;
  roles: string[];
}

export interface KeyClaim {
  fingerprint: string;
  algorithm: string;
}

export interface SignaturePayload {
  schema: typeof SIGNATURE_SCHEMA;
  subject: ReportSubject | DocumentSubject;
  signer: SignerClaim;
  meaning: SignatureMeaning;
  /** UTC, ISO 8601 with Z, from the tool's clock. */
  time: string;
  comment: string | null;
  key: KeyClaim;
  /** Canonical sha256 of the previous signature envelope of the same subject folder, null for the first. */
  previous: string | null;
  /** Report approvals: the deviation dispositions the approval relied on (deviation id → envelope sha256). */
  dispositions: Array<{ deviation: string; sha256: string }>;
  /**
   * The audit trail's head (last entry's seq and hash) when the signature was made: the trail can no longer
   * lose or change any entry up to it unnoticed. Absent in signatures made before trail anchoring.
   */
  trail?: TrailHead | null;
  tool: { name: string; version: string };
}

export interface DispositionPayload {
  schema: typeof DISPOSITION_SCHEMA;
  subject: ReportSubject;
  deviation: { id: string; caseId: string; stepId: string };
  disposition: string;
  signer: SignerClaim;
  meaning: 'dispositioned';
  time: string;
  key: KeyClaim;
  /** The audit trail's head when the disposition was signed (see SignaturePayload.trail). */
  trail?: TrailHead | null;
  tool: { name: string; version: string };
}

const ISO_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** True for a UTC ISO 8601 time with Z that is a real instant. */
export function isUtcTime(v: unknown): v is string {
  return typeof v === 'string' && ISO_Z.test(v) && !Number.isNaN(Date.parse(v));
}

/** A time as the tool writes it: UTC, second resolution, Z. */
export function utcSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';

function subjectProblem(s: unknown): string | null {
  if (!isObj(s)) return 'subject missing';
  if (!isSha256Hex(s.sha256)) return 'subject.sha256 is not a sha256';
  if (s.kind === 'report') {
    if (!isStr(s.reportId) || !isObj(s.protocol)) return 'report subject lacks reportId or protocol';
    return null;
  }
  if (s.kind === 'document') {
    if (!isStr(s.documentId) || !isStr(s.path)) return 'document subject lacks documentId or path';
    return null;
  }
  return `subject.kind "${String(s.kind)}" is neither report nor document`;
}

function trailProblem(p: Obj): string | null {
  if (p.trail === undefined || p.trail === null) return null;
  const t = p.trail as Obj;
  if (!isObj(t) || !Number.isInteger(t.seq) || (t.seq as number) < 1 || !isSha256Hex(t.hash)) return 'trail must be { seq, hash } (the audit trail head) or null';
  return null;
}

function claimsProblem(p: Obj): string | null {
  const signer = p.signer;
  if (!isObj(signer) || !isStr(signer.id) || !isStr(signer.name) || !Array.isArray(signer.roles)) return 'signer (id, name, roles) missing';
  if (!isUtcTime(p.time)) return `time ${JSON.stringify(p.time)} is not a UTC ISO 8601 time with Z`;
  if (!isObj(p.key) || !isStr(p.key.fingerprint)) return 'key fingerprint missing';
  return null;
}

/** Checks a decoded signature payload; returns it typed, or a sentence saying what is wrong. */
export function readSignaturePayload(value: unknown): { payload: SignaturePayload } | { problem: string } {
  if (!isObj(value) || value.schema !== SIGNATURE_SCHEMA) return { problem: `payload schema is not ${SIGNATURE_SCHEMA}` };
  const sp = subjectProblem(value.subject) ?? claimsProblem(value);
  if (sp) return { problem: sp };
  if (!MEANINGS.includes(value.meaning as SignatureMeaning)) return { problem: `meaning ${JSON.stringify(value.meaning)} is not one of ${MEANINGS.join(', ')}` };
  if (value.comment !== null && !isStr(value.comment)) return { problem: 'comment must be text or null' };
  if (value.previous !== null && !isSha256Hex(value.previous)) return { problem: 'previous must be a sha256 or null' };
  if (!Array.isArray(value.dispositions) || !value.dispositions.every((d) => isObj(d) && isStr(d.deviation) && isSha256Hex(d.sha256))) return { problem: 'dispositions must list { deviation, sha256 }' };
  const tp = trailProblem(value);
  if (tp) return { problem: tp };
  return { payload: value as unknown as SignaturePayload };
}

/** Checks a decoded disposition payload. */
export function readDispositionPayload(value: unknown): { payload: DispositionPayload } | { problem: string } {
  if (!isObj(value) || value.schema !== DISPOSITION_SCHEMA) return { problem: `payload schema is not ${DISPOSITION_SCHEMA}` };
  const sp = subjectProblem(value.subject) ?? claimsProblem(value);
  if (sp) return { problem: sp };
  if ((value.subject as Obj).kind !== 'report') return { problem: 'a disposition is about a report' };
  if (!isObj(value.deviation) || !isStr(value.deviation.id)) return { problem: 'deviation id missing' };
  if (!isStr(value.disposition) || !value.disposition.trim()) return { problem: 'disposition text missing' };
  if (value.meaning !== 'dispositioned') return { problem: 'meaning must be "dispositioned"' };
  const tp = trailProblem(value);
  if (tp) return { problem: tp };
  return { payload: value as unknown as DispositionPayload };
}

/** The meaning a signature file name announces: NN-<meaning>-<signer>.dsse.json. */
export const SIGNATURE_FILE = /^(\d{2,})-(authored|executed|reviewed|approved|trained|obsoleted)-([a-z][a-z0-9._-]*)\.dsse\.json$/;

/** File name of the n-th signature (1-based). */
export function signatureFileName(n: number, meaning: Meaning, signerId: string): string {
  return `${String(n).padStart(2, '0')}-${meaning}-${signerId}.dsse.json`;
}
