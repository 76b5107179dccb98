// Roles over time (ES-07, AT-07): who held which role when. The roles a signer is enrolled with are
// recorded in the audit trail by enrolment (`roles.enrol`); every later grant or revocation is a change
// signed by an admin (a DSSE envelope under roles/, chained to the one before, carrying the audit trail
// head) and recorded in the trail. signers.yaml repeats today's roles for readers; the signed history is
// authoritative: verify judges each signature by the roles in force when it was made, so removing a role
// today leaves yesterday's approvals valid, and a role written into signers.yaml by hand counts for nothing.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkEnvelope } from './envelope-check.js';
import { isSha256Hex, sha256Hex } from './hash.js';
import { isTrailHead, type AuditEntry, type AuditEntryInput, type AuditTrail, type TrailHead } from './audit.js';
import { isUtcTime, type KeyClaim, type SignerClaim } from './payload.js';
import { ROLES, short, type RoleTimeline, type SignerRegistry } from './signers.js';
import type { Finding } from './verdict.js';

export const ROLES_DIR = 'roles';
export const ROLE_CHANGE_PAYLOAD_TYPE = 'application/vnd.qualify.role-change+json';
export const ROLE_CHANGE_SCHEMA = 'qualify.role-change/v1';
/** The role that may grant and revoke roles. */
export const ADMIN_ROLE = 'admin';
/** File names of role changes: NNNN-grant|revoke-<signer>-<role>.dsse.json. */
export const ROLE_CHANGE_FILE = /^(\d{4,})-(grant|revoke)-([a-z][a-z0-9._-]*)-([a-z]+)\.dsse\.json$/;

export interface RoleChangePayload {
  schema: typeof ROLE_CHANGE_SCHEMA;
  action: 'grant' | 'revoke';
  /** The signer whose role changes, and the role. */
  subject: { signer: string; role: string };
  reason: string;
  /** The admin who signs the change. */
  signer: SignerClaim;
  time: string;
  key: KeyClaim;
  /** Canonical sha256 of the previous role-change envelope, null for the first. */
  previous: string | null;
  /** The audit trail head when the change was signed. */
  trail: TrailHead | null;
  tool: { name: string; version: string };
}

/** A role change file as judged against the registry and the history before it. */
export interface RoleChange {
  file: string;
  envelopeHash: string | null;
  payload: RoleChangePayload | null;
  valid: boolean;
  reasons: string[];
}

export interface RoleHistory extends RoleTimeline {
  /** Roles each signer was enrolled with (from the trail), with when and where it was recorded. */
  enrolments: Map<string, { at: string; roles: string[]; seq: number }>;
  changes: RoleChange[];
  /** Problems of the history itself (an invalid, unrecorded or removed role change). */
  findings: Finding[];
}

/** The trail entry that records the roles a signer is enrolled with (appended with `keys.create`). */
export function enrolmentRolesEntry(base: { at: string; who: { id: string; name: string | null }; host?: string }, signerId: string, roles: string[], registryFile: string): AuditEntryInput {
  return { ...base, action: 'roles.enrol', object: { type: 'signer', id: signerId, path: registryFile }, field: 'roles', old: null, new: [...roles].sort(), why: `roles at enrolment of ${signerId}: ${[...roles].sort().join(', ')}` };
}

/** Roles at enrolment from the trail: `roles.enrol` entries, else (older trails) the `keys.create` entry that enrolled the signer. */
function enrolmentsOf(trail: AuditTrail): Map<string, { at: string; roles: string[]; seq: number }> {
  const out = new Map<string, { at: string; roles: string[]; seq: number }>();
  for (const e of trail.entries) {
    if (e.object?.type !== 'signer' || out.has(e.object.id)) continue;
    if (e.action === 'roles.enrol' && Array.isArray(e.new)) out.set(e.object.id, { at: e.at, roles: (e.new as unknown[]).filter((r): r is string => typeof r === 'string'), seq: e.seq });
  }
  for (const e of trail.entries) {
    if (e.object?.type !== 'signer' || out.has(e.object.id) || (e.action !== 'keys.create' && e.action !== 'keys.issue') || e.old !== null) continue;
    // Trails written before `roles.enrol`: the enrolment entry says "enrolled NAME (id) with roles a, b: ..."
    // (only known role names count: the sentence may go on after the list).
    const m = / with roles ([a-z, ]+)/.exec(e.why);
    if (m) out.set(e.object.id, { at: e.at, roles: m[1]!.split(',').map((r) => r.trim().split(' ')[0]!).filter((r) => (ROLES as readonly string[]).includes(r)), seq: e.seq });
  }
  return out;
}

function readRolePayload(value: unknown): { payload: RoleChangePayload } | { problem: string } {
  const v = value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object' || v.schema !== ROLE_CHANGE_SCHEMA) return { problem: `payload schema is not ${ROLE_CHANGE_SCHEMA}` };
  if (v.action !== 'grant' && v.action !== 'revoke') return { problem: 'action must be grant or revoke' };
  const subject = v.subject as Record<string, unknown> | null;
  if (!subject || typeof subject.signer !== 'string' || typeof subject.role !== 'string') return { problem: 'subject { signer, role } missing' };
  if (typeof v.reason !== 'string' || !v.reason.trim()) return { problem: 'reason missing' };
  const signer = v.signer as Record<string, unknown> | null;
  if (!signer || typeof signer.id !== 'string' || typeof signer.name !== 'string') return { problem: 'signer (id, name) missing' };
  if (!isUtcTime(v.time)) return { problem: `time ${JSON.stringify(v.time)} is not a UTC ISO 8601 time with Z` };
  if (v.previous !== null && !isSha256Hex(v.previous)) return { problem: 'previous must be a sha256 or null' };
  if (v.trail !== null && !isTrailHead(v.trail)) return { problem: 'trail must be { seq, hash } or null' };
  return { payload: v as unknown as RoleChangePayload };
}

/** Applies enrolment roles and the valid changes up to `time` for `id`. */
function rolesFrom(enrolled: string[] | undefined, changes: RoleChange[], id: string, time: string): string[] | null {
  const mine = changes.filter((c) => c.valid && c.payload!.subject.signer === id);
  if (!enrolled && mine.length === 0) return null;
  const roles = new Set(enrolled ?? []);
  const t = Date.parse(time);
  for (const c of mine) {
    if (Date.parse(c.payload!.time) > t) break;
    if (c.payload!.action === 'grant') roles.add(c.payload!.subject.role);
    else roles.delete(c.payload!.subject.role);
  }
  return [...roles].sort();
}

/** The role-change files of the repository, in name order. */
export function readRoleChangeFiles(root: string): Array<{ file: string; bytes: Buffer }> {
  let names: string[];
  try {
    names = readdirSync(join(root, ROLES_DIR)).filter((n) => n.endsWith('.dsse.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => ({ file: `${ROLES_DIR}/${n}`, bytes: readFileSync(join(root, ROLES_DIR, n)) }));
}

/**
 * Builds the role history of a repository from its trail and roles/ folder, judging each role change: an
 * envelope by an enrolled key, signed by a signer who held `admin` at that time (not for themselves),
 * chained to the change before, in time order, and recorded in the trail. Invalid changes do not count.
 */
export function buildRoleHistory(trail: AuditTrail, registry: SignerRegistry, files: Array<{ file: string; bytes: Uint8Array }>): RoleHistory {
  const enrolments = enrolmentsOf(trail);
  const changes: RoleChange[] = [];
  const findings: Finding[] = [];
  const recorded = new Map<string, AuditEntry>();
  for (const e of trail.entries) if ((e.action === 'roles.grant' || e.action === 'roles.revoke') && e.ref) recorded.set(e.ref.path, e);
  let previous: string | null = null;
  let previousTime = '';
  files.forEach((f, i) => {
    const checked = checkEnvelope(f.file, f.bytes, registry, ROLE_CHANGE_PAYLOAD_TYPE);
    const reasons = [...checked.problems];
    let payload: RoleChangePayload | null = null;
    if (checked.payload !== null) {
      const read = readRolePayload(checked.payload);
      if ('problem' in read) reasons.push(`payload: ${read.problem}`);
      else payload = read.payload;
    }
    const base = f.file.slice(f.file.lastIndexOf('/') + 1);
    const m = ROLE_CHANGE_FILE.exec(base);
    if (!m) reasons.push('file name is not NNNN-grant|revoke-<signer>-<role>.dsse.json');
    else if (Number(m[1]) !== i + 1) reasons.push(`numbered ${m[1]} but is role change ${i + 1}: a change before it is missing`);
    if (payload) {
      if (m && (m[2] !== payload.action || m[3] !== payload.subject.signer || m[4] !== payload.subject.role)) reasons.push(`file name says ${m[2]} ${m[4]} for "${m[3]}" but the signed payload says ${payload.action} ${payload.subject.role} for "${payload.subject.signer}"`);
      if (payload.previous !== previous) reasons.push(previous === null ? 'it chains to an earlier role change that is not in roles/: one was removed' : 'it does not chain to the role change before it: one was removed, replaced or re-ordered');
      if (previousTime && payload.time < previousTime) reasons.push(`signed at ${payload.time}, before the role change before it (${previousTime})`);
      if (!(ROLES as readonly string[]).includes(payload.subject.role)) reasons.push(`unknown role "${payload.subject.role}"`);
      if (!registry.signer(payload.subject.signer)) reasons.push(`"${payload.subject.signer}" is not an enrolled signer`);
      if (payload.signer.id === payload.subject.signer && payload.action === 'grant') reasons.push(`"${payload.signer.id}" granted a role to themselves: a second person grants roles`);
      const adminRoles = rolesFrom(enrolments.get(payload.signer.id)?.roles, changes, payload.signer.id, payload.time) ?? registry.signer(payload.signer.id)?.roles ?? [];
      if (!adminRoles.includes(ADMIN_ROLE)) reasons.push(`"${payload.signer.id}" did not hold the ${ADMIN_ROLE} role at ${payload.time} (held: ${adminRoles.join(', ') || 'none'}): only an admin changes roles`);
      const held = rolesFrom(enrolments.get(payload.subject.signer)?.roles, changes, payload.subject.signer, payload.time) ?? [];
      if (payload.action === 'grant' && held.includes(payload.subject.role)) reasons.push(`"${payload.subject.signer}" already held ${payload.subject.role} at ${payload.time}`);
      if (payload.action === 'revoke' && !held.includes(payload.subject.role)) reasons.push(`"${payload.subject.signer}" did not hold ${payload.subject.role} at ${payload.time}`);
      previousTime = payload.time;
    }
    const entry = recorded.get(f.file);
    if (!entry) reasons.push(`it is not recorded in the audit trail: it was not made by "qualify roles"`);
    else if (entry.ref!.sha256 !== sha256Hex(f.bytes)) reasons.push(`it differs from the file the audit trail recorded (seq ${entry.seq}): it was replaced or altered`);
    const valid = reasons.length === 0;
    changes.push({ file: f.file, envelopeHash: checked.envelopeHash, payload, valid, reasons });
    if (!valid) findings.push({ code: 'ROLE_CHANGE_INVALID', file: f.file, message: `${f.file}: ${reasons.join('; ')}` });
    previous = checked.envelopeHash;
  });
  const onDisk = new Set(files.map((f) => f.file));
  for (const [path, e] of recorded) {
    if (!onDisk.has(path)) findings.push({ code: 'ROLE_CHANGE_REMOVED', file: path, message: `${path} was recorded in the audit trail (seq ${e.seq}, ${e.action} by ${e.who.id} at ${e.at}) but is missing: a role change was removed` });
  }
  return {
    enrolments,
    changes,
    findings,
    rolesAt: (id, time) => rolesFrom(enrolments.get(id)?.roles, changes, id, time),
  };
}

/**
 * AT-07: signers.yaml is only written by qualify (every write is a trail entry with the file's sha256), and
 * the roles it lists are those the signed history says are in force now.
 */
export function registryFindings(registry: SignerRegistry, registryText: string, trail: AuditTrail, history: RoleHistory): Finding[] {
  const findings: Finding[] = [];
  const file = registry.file;
  const writes = trail.entries.filter((e) => e.ref?.path === file && (e.object?.path === file || e.object?.id === file));
  const last = writes.at(-1);
  const sha = sha256Hex(registryText);
  if (trail.present && writes.length === 0) {
    findings.push({ code: 'SIGNERS_NOT_AUDITED', file, message: `${file} has no write recorded in the audit trail: signers were added outside qualify` });
  } else if (last && last.ref!.sha256 !== sha) {
    findings.push({ code: 'SIGNERS_EDITED', file, message: `${file} has sha256 ${short(sha)}, qualify last wrote ${short(last.ref!.sha256)} (audit trail seq ${last.seq}, ${last.action} at ${last.at}): it was edited outside qualify; roles change with "qualify roles grant|revoke", keys with "qualify keys"` });
  }
  // signers.yaml shows the roles after every signed change (a change dated later than this clock included).
  for (const s of registry.signers) {
    const signed = history.rolesAt(s.id, LATEST);
    if (!signed) continue;
    const listed = [...s.roles].sort();
    if (listed.join(',') !== signed.join(',')) {
      findings.push({ code: 'SIGNERS_ROLES_UNSIGNED', file, message: `${file} gives "${s.id}" the role(s) ${listed.join(', ') || 'none'}, but the signed role history says ${signed.join(', ') || 'none'}: roles change only through "qualify roles grant|revoke" by an admin` });
    }
  }
  return findings;
}

/** A time after every change: the roles signers.yaml must show. */
const LATEST = '9999-12-31T23:59:59Z';

/** Cache of histories by registry, trail and roles/ state (a history checks every role-change signature). */
const cache = new Map<string, RoleHistory>();

/** A stat-based fingerprint of the inputs of a history, so a changed trail or roles/ folder is read again. */
function stateKey(root: string, registryKey: string, trailFile: string): string {
  const parts = [root, registryKey];
  for (const p of [join(root, trailFile), join(root, ROLES_DIR)]) {
    try {
      const st = statSync(p);
      parts.push(`${st.size}:${st.mtimeMs}`);
    } catch {
      parts.push('-');
    }
  }
  if (existsSync(join(root, ROLES_DIR))) parts.push(readdirSync(join(root, ROLES_DIR)).sort().join(','));
  return parts.join('\0');
}

/** The role history of the repository at `root`, cached while its trail, roles/ and registry are unchanged. */
export function loadRoleHistory(root: string, registry: SignerRegistry, registryKey: string, trailFile: string, readTrail: () => AuditTrail): RoleHistory {
  const key = stateKey(root, registryKey, trailFile);
  const hit = cache.get(key);
  if (hit) return hit;
  const history = buildRoleHistory(readTrail(), registry, readRoleChangeFiles(root));
  if (cache.size > 16) cache.clear();
  cache.set(key, history);
  return history;
}
