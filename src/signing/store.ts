// File writes of the signing layer: atomic replace, exclusive create (never overwrite a signature),
// and the signer's private key store under $QUALIFY_HOME (outside any repository).
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/** The writes below go through here; a unit test swaps `writeSync` to play a full disk. */
export const fileOps = { writeSync };

function tmpName(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
}

function writeFsync(path: string, data: string | Uint8Array, mode: number, flag: string): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const fd = openSync(path, flag, mode);
  try {
    // writeSync may write less than asked (a full disk): only all of it, flushed, is a written file.
    for (let off = 0; off < bytes.length; ) {
      const n = fileOps.writeSync(fd, bytes, off, bytes.length - off);
      if (n <= 0) throw Object.assign(new Error(`ENOSPC: no space left on device, write ${path}`), { code: 'ENOSPC' });
      off += n;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes a folder's entries (a rename into it) to disk, where the platform allows it. */
export function fsyncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch { /* not supported here: the rename is still atomic */ } finally {
    if (fd !== null) closeSync(fd);
  }
}

/** A file written and flushed beside its target, put in place by `commit` (or removed by `abort`). */
export interface StagedFile {
  path: string;
  commit(): void;
  abort(): void;
}

/** Writes `data` to a temporary file beside `path` and flushes it; nothing is visible at `path` yet. */
export function stageFile(path: string, data: string | Uint8Array, mode = 0o644): StagedFile {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpName(path);
  try {
    writeFsync(tmp, data, mode, 'wx');
  } catch (err) {
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw err;
  }
  return {
    path,
    commit() {
      try {
        renameSync(tmp, path);
      } catch (err) {
        try { unlinkSync(tmp); } catch { /* already gone */ }
        throw err;
      }
      fsyncDir(dirname(path));
    },
    abort() {
      try { unlinkSync(tmp); } catch { /* already gone */ }
    },
  };
}

/** Writes `path` atomically (temp file + fsync + rename): readers see the old or the new bytes, never half. */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): void {
  stageFile(path, data, mode).commit();
}

/** The real path of `path`, following symbolic links of the part that exists (the rest may not yet). */
export function realPath(path: string): string {
  const abs = resolve(path);
  let head = abs;
  const rest: string[] = [];
  for (;;) {
    if (existsSync(head)) {
      try {
        return join(realpathSync(head), ...rest);
      } catch { /* unreadable: fall through */ }
    }
    const up = dirname(head);
    if (up === head) return abs;
    rest.unshift(basename(head));
    head = up;
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
    fsyncDir(dirname(path));
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
