// The audit trail: an append-only, hash-chained JSON-lines log in the repository (audit/trail.jsonl).
// Each line is the RFC 8785 canonical JSON of one entry; `hash` is the sha256 of the entry without
// `hash`, and `prev` is the previous entry's hash, so editing, removing or re-ordering a line breaks
// the chain. Appends take a stale-safe lock file (lock.ts) and write their lines with O_APPEND in one
// write, so concurrent processes (run, sign, render in parallel) never interleave or fork the chain.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readSync, readFileSync, writeFileSync, writeSync, existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { IntegrityError } from '../model/errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { canonicalJson, sha256Hex } from './hash.js';
import { isUtcTime } from './payload.js';
import { withLock } from './lock.js';
import { AUDIT_TRAIL } from './repo.js';
import type { SignedFile } from './signature-folder.js';
import type { Finding } from './verdict.js';

export const GENESIS = '0'.repeat(64);

/** What a caller records: who did what to which object, when, and why (AT-01). */
export interface AuditEntryInput {
  /** UTC, ISO 8601 with Z, from the injected clock. */
  at: string;
  who: { id: string; name: string | null };
  /** `run`, `render`, `sign`, `sign.refused`, `deviation.close`, `keys.create`, `keys.revoke`, `attest`... */
  action: string;
  object: { type: string; id: string; path?: string | null };
  /** The field that changed, e.g. `status` or `deviations.DEV-001.status`. */
  field?: string | null;
  old?: unknown;
  new?: unknown;
  /** Reason; mandatory for modifications. */
  why: string;
  /** A file the action wrote, with its sha256 (signature envelope, PDF...), path relative to `object.path`. */
  ref?: { path: string; sha256: string } | null;
  /** Defaults to this machine's host name. */
  host?: string;
  /** Defaults to this tool. */
  tool?: { name: string; version: string };
}

export interface AuditEntry {
  seq: number;
  prev: string;
  at: string;
  who: { id: string; name: string | null };
  action: string;
  object: { type: string; id: string; path: string | null };
  field: string | null;
  old: unknown;
  new: unknown;
  why: string;
  ref: { path: string; sha256: string } | null;
  host: string;
  tool: { name: string; version: string };
  hash: string;
}

export interface AuditProblem {
  line: number;
  code: string;
  message: string;
}

export interface AuditTrail {
  /** Path relative to the repository root. */
  file: string;
  present: boolean;
  entries: AuditEntry[];
  /** Chain problems, located by line; empty when the chain holds. */
  problems: AuditProblem[];
}

function entryHash(entry: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(entry));
}

function normalise(input: AuditEntryInput, seq: number, prev: string): AuditEntry {
  if (!isUtcTime(input.at)) throw new TypeError(`audit entry time must be UTC ISO 8601 with Z, found ${JSON.stringify(input.at)}`);
  if (!input.who?.id) throw new TypeError('audit entry needs who.id');
  if (!input.action || !input.object?.id) throw new TypeError('audit entry needs an action and an object id');
  if (!input.why || !input.why.trim()) throw new TypeError('audit entry needs a reason (why)');
  const body: Omit<AuditEntry, 'hash'> = {
    seq,
    prev,
    at: input.at,
    who: { id: input.who.id, name: input.who.name ?? null },
    action: input.action,
    object: { type: input.object.type, id: input.object.id, path: input.object.path ?? null },
    field: input.field ?? null,
    old: input.old === undefined ? null : input.old,
    new: input.new === undefined ? null : input.new,
    why: input.why,
    ref: input.ref ?? null,
    host: input.host ?? hostname(),
    tool: input.tool ?? { name: TOOL_NAME, version: TOOL_VERSION },
  };
  return { ...body, hash: entryHash(body) };
}

/** Reads the last line of the file open as `fd` (size `size`), without the newline; null when empty. */
function lastLine(fd: number, size: number): string | null {
  if (size === 0) return null;
  let chunk = 4096;
  for (;;) {
    const len = Math.min(size, chunk);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, size - len);
    const text = buf.toString('utf8');
    if (!text.endsWith('\n')) return text.slice(text.lastIndexOf('\n') + 1) || text; // damaged tail, checked by caller
    const body = text.slice(0, -1);
    const nl = body.lastIndexOf('\n');
    if (nl >= 0 || len === size) return body.slice(nl + 1);
    chunk *= 4;
  }
}

/** Writes all of `data` at the end of `fd` (a short write on a full disk is not success). */
function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/**
 * Appends entries to the repository's audit trail as one write under its lock and returns them (with seq,
 * prev and hash): all of them are in the trail or none is (a failed write, e.g. a full disk, is cut off
 * again). Safe under concurrent appends from several processes; a lock left by a process that died is
 * taken over and the take-over is itself an entry. Refuses to extend a trail whose last line is damaged.
 */
export async function appendAuditEntries(repoRoot: string, inputs: AuditEntryInput[], options: { lockTimeoutMs?: number } = {}): Promise<AuditEntry[]> {
  if (inputs.length === 0) return [];
  const path = join(repoRoot, AUDIT_TRAIL);
  mkdirSync(dirname(path), { recursive: true });
  const ignore = join(dirname(path), '.gitignore');
  if (!existsSync(ignore)) writeFileSync(ignore, '# lock taken while one entry is appended\n*.lock\n*.lock.*\n');
  const notes: string[] = [];
  return withLock(`${path}.lock`, {
    timeoutMs: options.lockTimeoutMs ?? 10_000,
    onTakeover: (note) => notes.push(note),
    busy: (owner, lock) => new IntegrityError('AUDIT_LOCKED', `the audit trail is locked (${lock}) by ${owner ? `process ${owner.pid} on ${owner.host} since ${owner.at}` : 'another process'} for more than ${options.lockTimeoutMs ?? 10_000} ms; that process still runs: wait for it`),
  }, () => {
    const fd = openSync(path, 'a+', 0o644);
    try {
      const size = fstatSync(fd).size;
      const last = lastLine(fd, size);
      let seq = 1;
      let prev = GENESIS;
      if (last !== null) {
        const head = checkedHead(last);
        seq = head.seq + 1;
        prev = head.hash;
      }
      const all: AuditEntryInput[] = [
        ...notes.map((note) => ({ at: inputs[0]!.at, who: inputs[0]!.who, action: 'audit.lock-taken-over', object: { type: 'audit', id: AUDIT_TRAIL, path: AUDIT_TRAIL }, why: note, host: inputs[0]!.host })),
        ...inputs,
      ];
      const entries: AuditEntry[] = [];
      for (const input of all) {
        const entry = normalise(input, seq++, prev);
        prev = entry.hash;
        entries.push(entry);
      }
      try {
        writeAll(fd, Buffer.from(entries.map((e) => `${canonicalJson(e)}\n`).join(''), 'utf8'));
        fsyncSync(fd);
      } catch (err) {
        // A partial line would damage the trail for every later append: cut the file back.
        try {
          ftruncateSync(fd, size);
          fsyncSync(fd);
        } catch { /* the next append reports AUDIT_DAMAGED */ }
        throw err;
      }
      return entries.slice(notes.length);
    } finally {
      closeSync(fd);
    }
  });
}

/** Appends one entry to the repository's audit trail (see appendAuditEntries). */
export async function appendAuditEntry(repoRoot: string, input: AuditEntryInput, options: { lockTimeoutMs?: number } = {}): Promise<AuditEntry> {
  return (await appendAuditEntries(repoRoot, [input], options))[0]!;
}

/** Checks the chain of trail text line by line; pure. */
export function checkAuditChain(text: string, file = AUDIT_TRAIL): AuditTrail {
  const entries: AuditEntry[] = [];
  const problems: AuditProblem[] = [];
  if (text.length > 0 && !text.endsWith('\n')) problems.push({ line: text.split('\n').length, code: 'AUDIT_LINE_DAMAGED', message: 'the last line is incomplete (no newline)' });
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let prev = GENESIS;
  let expectSeq = 1;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const n = i + 1;
    let e: AuditEntry;
    try {
      e = JSON.parse(line) as AuditEntry;
    } catch {
      problems.push({ line: n, code: 'AUDIT_LINE_DAMAGED', message: `line ${n} is not JSON` });
      prev = '';
      continue;
    }
    const { hash, ...rest } = e;
    if (line !== canonicalJson(e)) problems.push({ line: n, code: 'AUDIT_LINE_EDITED', message: `line ${n} is not in canonical form: it was edited` });
    if (entryHash(rest) !== hash) {
      problems.push({ line: n, code: 'AUDIT_ENTRY_ALTERED', message: `line ${n} (seq ${String(e.seq)}, ${String(e.action)}) does not match its hash: the entry was altered` });
    }
    if (e.seq !== expectSeq) {
      problems.push({ line: n, code: 'AUDIT_SEQUENCE', message: `line ${n} has seq ${String(e.seq)}, expected ${expectSeq}: entries were removed, inserted or re-ordered` });
    } else if (prev && e.prev !== prev) {
      problems.push({ line: n, code: 'AUDIT_CHAIN_BROKEN', message: `line ${n} (seq ${e.seq}) does not chain to the entry before it: an earlier entry was altered or removed` });
    }
    expectSeq = (Number.isInteger(e.seq) ? e.seq : expectSeq) + 1;
    prev = typeof hash === 'string' ? hash : '';
    entries.push(e);
  }
  return { file, present: true, entries, problems };
}

/** Reads and checks the repository's audit trail. */
export function readAuditTrail(repoRoot: string): AuditTrail {
  let text: string;
  try {
    text = readFileSync(join(repoRoot, AUDIT_TRAIL), 'utf8');
  } catch {
    return { file: AUDIT_TRAIL, present: false, entries: [], problems: [] };
  }
  return checkAuditChain(text);
}

/**
 * Checks the audit trail's chain and that it recorded exactly the signed files of one object (a report
 * by id, or a document by id): a signature removed, replaced, or made outside the tool is found here.
 */
export function auditFindings(trail: AuditTrail, object: { type: 'report' | 'document'; id: string }, files: SignedFile[], under = ''): { findings: Finding[]; passed: string[] } {
  const hasSignedFiles = files.length > 0;
  const findings: Finding[] = [];
  const passed: string[] = [];
  if (!trail.present) {
    if (hasSignedFiles) findings.push({ code: 'AUDIT_TRAIL_MISSING', file: trail.file, message: `${trail.file} is missing, but the report carries signatures it must have recorded` });
    return { findings, passed };
  }
  for (const p of trail.problems) findings.push({ code: p.code, file: trail.file, message: `${trail.file}: ${p.message}` });
  const recorded = trail.entries.filter((e) => e.object?.type === object.type && e.object.id === object.id && e.ref && e.ref.path.startsWith(under) && ['sign', 'deviation.close', 'attest', 'sign.resume'].includes(e.action));
  const onDisk = new Map(files.map((f) => [f.file, f]));
  for (const e of recorded) {
    const f = onDisk.get(e.ref!.path);
    if (!f) findings.push({ code: 'SIGNATURE_REMOVED', file: e.ref!.path, message: `${e.ref!.path} was recorded in ${trail.file} (seq ${e.seq}, ${e.action} by ${e.who.id} at ${e.at}) but is missing from the report folder: a signature was removed` });
    else if (sha256Hex(f.bytes) !== e.ref!.sha256) findings.push({ code: 'SIGNATURE_REPLACED', file: f.file, message: `${f.file} differs from the file recorded in ${trail.file} (seq ${e.seq}): it was replaced or altered` });
  }
  const recordedPaths = new Set(recorded.map((e) => e.ref!.path));
  for (const f of files) if (!recordedPaths.has(f.file)) findings.push({ code: 'SIGNATURE_NOT_AUDITED', file: f.file, message: `${f.file} is not recorded in ${trail.file}: it was not made by this repository's signing process` });
  if (!trail.problems.length) passed.push(`audit trail: ${trail.entries.length} entries, chain intact${recorded.length ? `, ${recorded.length} signed file(s) of this ${object.type} recorded and present` : ''}`);
  return { findings, passed };
}


/** The head of a trail: the sequence number and hash of its last entry, what signed artifacts commit to. */
export interface TrailHead {
  seq: number;
  hash: string;
}

/** The trail's last line, parsed and checked against its own hash: the head the next entry chains to. */
function checkedHead(line: string): TrailHead {
  let parsed: AuditEntry;
  try {
    parsed = JSON.parse(line) as AuditEntry;
  } catch {
    throw new IntegrityError('AUDIT_DAMAGED', `the last line of ${AUDIT_TRAIL} is damaged; run "qualify audit --verify" and restore the trail from version control`);
  }
  const { hash, ...rest } = parsed;
  if (typeof hash !== 'string' || entryHash(rest) !== hash || !Number.isInteger(parsed.seq)) {
    throw new IntegrityError('AUDIT_DAMAGED', `the last entry of ${AUDIT_TRAIL} (seq ${String(parsed.seq)}) does not match its hash; run "qualify audit --verify"`);
  }
  return { seq: parsed.seq, hash };
}

/**
 * The current head of the repository's trail (its last entry), or null for an empty trail. Read without the
 * lock: a head is any entry the trail had when an artifact was made; appends never change it.
 */
export function trailHead(repoRoot: string): TrailHead | null {
  const path = join(repoRoot, AUDIT_TRAIL);
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const line = lastLine(fd, fstatSync(fd).size);
    if (line === null) return null;
    return checkedHead(line);
  } finally {
    closeSync(fd);
  }
}

/** True for a `{ seq, hash }` value (the trail head a signed artifact carries). */
export function isTrailHead(v: unknown): v is TrailHead {
  const o = v as Record<string, unknown> | null;
  return typeof o === 'object' && o !== null && Number.isInteger(o.seq) && (o.seq as number) >= 1 && typeof o.hash === 'string' && /^[0-9a-f]{64}$/.test(o.hash);
}
