// Opening a signer's private key for one signing: id (from --as) plus passphrase, every time (ES-04).
// Nothing is cached; a wrong passphrase is refused (and audited by the caller).
import { readFileSync, statSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import { RefusedError, UsageError } from '../model/errors.js';
import { isInside } from './repo.js';
import { decryptPrivateKey, keyFingerprint, publicKeyOf, WrongPassphraseError } from './keys.js';
import { activeKeys, short, type SignerKey, type SignerRecord, type SignerRegistry } from './signers.js';
import { privateKeyPath, qualifyHome, realPath } from './store.js';
import { recordFailedPassphrase, recordPassphraseSuccess, requireNotLocked } from './lockout.js';
import { signaturePolicy } from './policy.js';

export interface UnlockedKey {
  signer: SignerRecord;
  key: SignerKey;
  privateKey: KeyObject;
}

/** Supplies the passphrase when it is needed (prompt or stdin), so rule checks can refuse before asking. */
export type PassphraseSource = () => Promise<string>;

/** The signer of `id` in the registry, or a refusal (exit 5) naming the known ids. */
export function requireSigner(registry: SignerRegistry, id: string): SignerRecord {
  const signer = registry.signer(id);
  if (!signer) {
    throw new RefusedError('SIGNER_UNKNOWN', `"${id}" is not an enrolled signer in ${registry.file}; enrolled: ${registry.signers.map((s) => s.id).join(', ') || 'none'}`);
  }
  return signer;
}

/**
 * The key store of `env`, refused when it lies inside the repository at `root` (real paths: a symbolic
 * link into the repository is inside it).
 */
export function keyStore(env: Record<string, string | undefined>, root?: string): string {
  const home = qualifyHome(env);
  if (root && isInside(realPath(root), realPath(home))) {
    throw new UsageError('KEY_STORE_IN_REPOSITORY', `the key store ${home} lies inside the repository ${root}${realPath(home) !== home ? ` (it resolves to ${realPath(home)})` : ''}; private keys never go into the repository: set QUALIFY_HOME elsewhere`);
  }
  return home;
}

/**
 * Refuses a private key file that others than its owner can read or write (like ssh): an encrypted key
 * that others can copy can be attacked offline, its passphrase guessed at leisure.
 */
export function requirePrivateFile(path: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new RefusedError('KEY_PERMISSIONS', `the private key file ${path} has mode ${mode.toString(8).padStart(4, '0')}: it is readable or writable by others than its owner; nothing was signed. Run: chmod 600 ${path}`);
  }
}

/** The keys of `signer` usable at `time` whose private key is in this key store; refuses with why not. */
export function usableKeys(signer: SignerRecord, time: string, env: Record<string, string | undefined>, root?: string): Array<{ key: SignerKey; path: string }> {
  const active = activeKeys(signer, time);
  if (active.length === 0) {
    const revoked = signer.keys.filter((k) => k.revoked);
    if (revoked.length === signer.keys.length && revoked.length > 0) {
      throw new RefusedError('KEY_REVOKED', `every key of "${signer.id}" is revoked (last: ${short(revoked.at(-1)!.fingerprint)} at ${revoked.at(-1)!.revoked!.at}); create a new key with "qualify keys create --as ${signer.id}"`);
    }
    throw new RefusedError('KEY_NOT_VALID', `"${signer.id}" has no key valid at ${time} (keys are revoked, expired or not yet valid)`);
  }
  const home = keyStore(env, root);
  const usable: Array<{ key: SignerKey; path: string }> = [];
  for (const key of active) {
    const path = privateKeyPath(home, signer.id, key.fingerprint);
    try {
      readFileSync(path, { flag: 'r' });
      usable.push({ key, path });
    } catch { /* not on this machine */ }
  }
  if (usable.length === 0) {
    throw new RefusedError('KEY_NOT_FOUND', `no private key of "${signer.id}" is in the key store ${home} (expected keys/${signer.id}/<fingerprint>.key.pem for ${active.map((k) => short(k.fingerprint)).join(', ')}); private keys stay with their signer`);
  }
  return usable;
}

/**
 * Opens the newest usable key of `signer` with the passphrase (or the key `fingerprint`, valid at `time`).
 * `root` is the repository: a key store inside it is refused, a service identity never signs, and the
 * lock-out applies (ES-09): a locked signer is refused before anything is asked, every failed passphrase
 * is recorded in the audit trail and the Nth in a row locks the keys. `audit.at` dates those entries
 * (default `time`).
 */
export async function unlockKey(signer: SignerRecord, time: string, env: Record<string, string | undefined>, passphrase: PassphraseSource, root?: string, fingerprint?: string, audit: { at?: string; host?: string } = {}): Promise<UnlockedKey> {
  if (root && signaturePolicy(root).serviceIdentities.includes(signer.id)) {
    throw new RefusedError('SERVICE_IDENTITY_CANNOT_SIGN', `"${signer.id}" is a service identity (qualify.yaml signatures.service_identities): it may execute runs for a named person, never apply an electronic signature`);
  }
  const usable = usableKeys(signer, time, env, root).filter((u) => !fingerprint || u.key.fingerprint === fingerprint);
  if (usable.length === 0) throw new RefusedError('KEY_NOT_FOUND', `the key ${short(fingerprint ?? '')} of "${signer.id}" is not in this key store or was not valid at ${time}`);
  const { key, path } = usable[usable.length - 1]!;
  requirePrivateFile(path);
  if (root) requireNotLocked(root, signer);
  const secret = await passphrase();
  let privateKey: KeyObject;
  try {
    privateKey = decryptPrivateKey(readFileSync(path, 'utf8'), secret);
  } catch (err) {
    if (err instanceof WrongPassphraseError) {
      if (root) {
        const r = await recordFailedPassphrase(root, signer, audit.at ?? time, audit.host);
        if (r.locked) throw new RefusedError('KEY_LOCKED', `the passphrase does not open the key ${short(key.fingerprint)} of "${signer.id}"; that was ${r.limit} failed passphrases in a row: the keys of "${signer.id}" are now locked (recorded in the audit trail). An admin unlocks them: qualify keys unlock --as <admin> --signer ${signer.id}`);
        throw new RefusedError('AUTH_FAILED', `the passphrase does not open the key ${short(key.fingerprint)} of "${signer.id}"; nothing was signed (${r.left} attempt${r.left === 1 ? '' : 's'} left before the keys are locked)`);
      }
      throw new RefusedError('AUTH_FAILED', `the passphrase does not open the key ${short(key.fingerprint)} of "${signer.id}"; nothing was signed`);
    }
    throw err;
  }
  if (keyFingerprint(publicKeyOf(privateKey)) !== key.fingerprint) {
    throw new RefusedError('KEY_MISMATCH', `the private key file ${path} does not hold the enrolled key ${short(key.fingerprint)}`);
  }
  if (root) await recordPassphraseSuccess(root, signer, audit.at ?? time, audit.host);
  return { signer, key, privateKey };
}
