// Lock files that survive their owner's death: a lock names its owner (pid, host, time) and is created
// whole (written to a temporary file, then hard-linked into place), so it is never seen half written.
// A lock whose owner is known to be gone is taken over at once, with a note: the owner is a process of
// this host that no longer exists, or the lock is empty or unreadable (written by a process that died or
// ran out of disk space while creating it). A lock of another host is taken over when it is older than
// `staleMs`; so is a lock of a live process of this host older than `staleMs` (its pid was reused).
import { hostname } from 'node:os';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

export interface LockOwner {
  pid: number;
  host: string;
  /** When the lock was taken (ISO 8601). */
  at: string;
}

export interface LockOptions {
  /** How long to wait for a live owner before giving up. */
  timeoutMs: number;
  /** Age after which a lock of another host (or of a reused pid) counts as abandoned. */
  staleMs?: number;
  /** Told why an abandoned lock was taken over. */
  onTakeover?: (note: string) => void;
  /** The error to throw when the lock stays held by a live owner. */
  busy: (owner: LockOwner | null, path: string) => Error;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether process `pid` of this host still runs (EPERM: it runs as another user). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

/** Creates `path` holding this process as owner; false when it exists. */
function create(path: string): boolean {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const owner: LockOwner = { pid: process.pid, host: hostname(), at: new Date().toISOString() };
  try {
    const fd = openSync(tmp, 'wx', 0o644);
    try {
      writeAll(fd, Buffer.from(`${JSON.stringify(owner)}\n`));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    try { unlinkSync(tmp); } catch { /* never created */ }
  }
}

/** The owner written in a lock file; null when it is empty or unreadable. */
export function readLockOwner(path: string): LockOwner | null {
  try {
    return parseLockOwner(readFileSync(path, 'utf8'), Date.now() - statSync(path).mtimeMs);
  } catch {
    return null; // gone
  }
}

/** The owner in a lock file's text (`ageMs`: its age, for the format of earlier versions); null when there is none. */
function parseLockOwner(text: string, ageMs: number): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.at === 'string') return o as LockOwner;
  } catch { /* empty, partial or another format */ }
  // The format of earlier versions: "<pid> <host>".
  const m = /^(\d+) (\S+)\s*$/.exec(text);
  if (m) return { pid: Number(m[1]), host: m[2]!, at: new Date(Date.now() - ageMs).toISOString() };
  return null;
}

/** Why the lock at `path` is abandoned, or null when its owner may still hold it or it was released. */
function abandoned(path: string, staleMs: number): { why: string; ino: number } | null {
  let age: number;
  let ino: number;
  let text: string;
  try {
    const st = statSync(path);
    age = Date.now() - st.mtimeMs;
    ino = st.ino;
    text = readFileSync(path, 'utf8');
    // Released (and maybe taken again) between the stat and the read: judge nothing.
    if (statSync(path).ino !== ino) return null;
  } catch {
    return null; // released meanwhile
  }
  const owner = parseLockOwner(text, age);
  if (!owner) return { ino, why: `the lock ${path} was empty or unreadable (its creator died or ran out of disk space while writing it)` };
  if (owner.host === hostname()) {
    if (!alive(owner.pid)) return { ino, why: `the lock ${path} belonged to process ${owner.pid} on ${owner.host} (since ${owner.at}), which no longer runs` };
    if (age > staleMs) return { ino, why: `the lock ${path} of process ${owner.pid} was ${Math.round(age / 1000)} s old (the process id was reused)` };
    return null;
  }
  return age > staleMs ? { ino, why: `the lock ${path} of process ${owner.pid} on ${owner.host} was ${Math.round(age / 1000)} s old` } : null;
}

/**
 * Removes the abandoned lock at `path` unless another process did already (a take-over guard makes two
 * processes that both found it abandoned remove it once, never a fresh lock taken meanwhile).
 */
function takeOver(path: string, staleMs: number): string | null {
  const guard = `${path}.takeover`;
  if (!create(guard)) {
    // A guard is held for microseconds; one left by a dead process is removed for the next attempt.
    const stale = abandoned(guard, staleMs);
    if (stale) try { unlinkSync(guard); } catch { /* gone */ }
    return null;
  }
  try {
    const found = abandoned(path, staleMs);
    if (!found) return null;
    // Only the very file judged abandoned is removed (a lock created meanwhile has another inode).
    try {
      if (statSync(path).ino !== found.ino) return null;
      unlinkSync(path);
    } catch {
      return null; // removed meanwhile
    }
    return found.why;
  } finally {
    try { unlinkSync(guard); } catch { /* gone */ }
  }
}

/** Runs `fn` holding the lock file `path`. */
export async function withLock<T>(path: string, o: LockOptions, fn: () => T | Promise<T>): Promise<T> {
  const staleMs = o.staleMs ?? 60_000;
  const deadline = Date.now() + o.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    if (create(path)) break;
    const note = takeOver(path, staleMs);
    if (note) {
      o.onTakeover?.(note);
      continue;
    }
    if (Date.now() > deadline) throw o.busy(readLockOwner(path), path);
    await sleep(Math.min(50, 2 + attempt * 3) + Math.random() * 5);
  }
  try {
    return await fn();
  } finally {
    try { unlinkSync(path); } catch { /* already removed */ }
  }
}
