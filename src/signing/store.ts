// File writes of the signing layer: atomic replace, exclusive create (never overwrite a signature),
// and the signer's private key store under $QUALIFY_HOME (outside any repository).
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';

function tmpName(path: string): string {
  return join(dirname(path), `.${randomBytes(6).toString('hex')}.tmp`);
}

function writeFsync(path: string, data: string | Uint8Array, mode: number, flag: string): void {
  const fd = openSync(path, flag, mode);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Writes `path` atomically (temp file + rename): readers see the old or the new bytes, never half. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    writeFsync(tmp, data, mode, 'wx');
    renameSync(tmp, path);
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
}

/**
 * Creates `path` with `data` only if it does not exist yet (whole file or nothing); returns false when
 * the name is taken, so two signers signing at once never overwrite each other.
 */
export function createFileExclusive(path: string, data: string | Uint8Array, mode = 0o644): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  writeFsync(tmp, data, mode, 'wx');
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** $QUALIFY_HOME, else $XDG_CONFIG_HOME/qualify, else ~/.config/qualify. */
export function qualifyHome(env: Record<string, string | undefined>): string {
  if (env.QUALIFY_HOME) return env.QUALIFY_HOME;
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'qualify');
  if (env.HOME) return join(env.HOME, '.config', 'qualify');
  throw new Error('cannot locate the key store: set QUALIFY_HOME (or HOME)');
}

/** Where the encrypted private key of `fingerprint` of signer `signerId` lives. */
export function privateKeyPath(home: string, signerId: string, fingerprint: string): string {
  return join(home, 'keys', signerId, `${fingerprint}.key.pem`);
}

/** Where the private key of a tool CA lives (by the CA certificate's sha256). */
export function caKeyPath(home: string, caFingerprint: string): string {
  return join(home, 'ca', `${caFingerprint}.key.pem`);
}

/** Writes a secret file readable by its owner only, in a folder only the owner can enter. */
export function writeSecretFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (!createFileExclusive(path, text, 0o600)) throw new Error(`refusing to overwrite ${path}`);
}
