// Lock-out after failed passphrases (ES-09). The state is the audit trail itself, not a file a signer
// could delete: every failed passphrase is an `auth.failed` entry of the signer; when the failures since
// the last reset reach the policy's limit, a `keys.lock` entry locks the signer's keys until an admin's
// `keys.unlock` entry. A success after failures appends `auth.ok`, which resets the count. Removing
// entries breaks the trail's chain (`qualify audit --verify`, `verify`).
import { hostname } from 'node:os';
import { RefusedError } from '../model/errors.js';
import { appendAuditEntries, readAuditTrail, type AuditEntry, type AuditEntryInput } from './audit.js';
import { signaturePolicy } from './policy.js';
import type { SignerRecord } from './signers.js';

export interface LockState {
  locked: boolean;
  /** The `keys.lock` entry in force, when locked. */
  lock: AuditEntry | null;
  /** Failed passphrases since the last reset (success, unlock or lock). */
  failures: number;
}

const aboutSigner = (e: AuditEntry, id: string) => e.object?.type === 'signer' && e.object.id === id;

/** The lock-out state of signer `id`, read from the audit trail entries. */
export function lockStateOf(entries: readonly AuditEntry[], id: string): LockState {
  let lock: AuditEntry | null = null;
  let failures = 0;
  for (const e of entries) {
    if (!aboutSigner(e, id)) continue;
    if (e.action === 'keys.lock') { lock = e; failures = 0; }
    else if (e.action === 'keys.unlock') { lock = null; failures = 0; }
    else if (e.action === 'auth.ok') failures = 0;
    else if (e.action === 'auth.failed') failures += 1;
  }
  return { locked: lock !== null, lock, failures };
}

/** The lock-out state of `signer` in the repository at `root`. */
export function lockState(root: string, id: string): LockState {
  return lockStateOf(readAuditTrail(root).entries, id);
}

/** Refuses (exit 5) when the signer's keys are locked; nothing is asked. */
export function requireNotLocked(root: string, signer: SignerRecord): void {
  const state = lockState(root, signer.id);
  if (state.locked) {
    throw new RefusedError('KEY_LOCKED', `the keys of "${signer.id}" are locked since ${state.lock!.at} after failed passphrases (audit trail seq ${state.lock!.seq}); nothing was signed. An admin unlocks them: qualify keys unlock --as <admin> --signer ${signer.id}`);
  }
}

function entry(signer: SignerRecord, at: string, host: string | undefined, action: string, why: string, extra: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return { at, who: { id: signer.id, name: signer.name }, action, object: { type: 'signer', id: signer.id }, host: host ?? hostname(), why, ...extra };
}

/**
 * Records a failed passphrase of `signer`; locks the signer's keys when the failures reach the limit of
 * the repository's policy. Returns whether the keys are now locked and how many attempts are left.
 */
export async function recordFailedPassphrase(root: string, signer: SignerRecord, at: string, host?: string): Promise<{ locked: boolean; left: number; limit: number }> {
  const limit = signaturePolicy(root).maxFailedPassphrases;
  const state = lockState(root, signer.id);
  const failures = state.failures + 1;
  const inputs = [entry(signer, at, host, 'auth.failed', `failed passphrase ${failures} of ${limit} for "${signer.id}"`, { field: 'failures', old: state.failures, new: failures })];
  const locked = failures >= limit;
  if (locked) inputs.push(entry(signer, at, host, 'keys.lock', `keys of "${signer.id}" locked after ${failures} failed passphrases in a row (limit ${limit}); an admin unlocks them with qualify keys unlock`, { field: 'locked', old: false, new: true }));
  await appendAuditEntries(root, inputs);
  return { locked, left: Math.max(0, limit - failures), limit };
}

/** After a successful passphrase: resets the failure count when there were failures (one `auth.ok` entry). */
export async function recordPassphraseSuccess(root: string, signer: SignerRecord, at: string, host?: string): Promise<void> {
  const state = lockState(root, signer.id);
  if (state.failures === 0) return;
  await appendAuditEntries(root, [entry(signer, at, host, 'auth.ok', `passphrase of "${signer.id}" accepted after ${state.failures} failed attempt(s); count reset`, { field: 'failures', old: state.failures, new: 0 })]);
}

/** Records an admin's unlock of `signer` (the admin is authenticated by the caller). */
export async function recordUnlock(root: string, signer: SignerRecord, admin: SignerRecord, at: string, reason: string, host?: string): Promise<AuditEntry> {
  const state = lockState(root, signer.id);
  if (!state.locked && state.failures === 0) throw new RefusedError('KEY_NOT_LOCKED', `the keys of "${signer.id}" are not locked and have no failed passphrases to reset`);
  const [e] = await appendAuditEntries(root, [{
    at, who: { id: admin.id, name: admin.name }, action: 'keys.unlock', object: { type: 'signer', id: signer.id }, host: host ?? hostname(),
    field: 'locked', old: state.locked, new: false, why: reason.trim() || `unlocked by ${admin.name} (${admin.id})`,
  }]);
  return e!;
}
