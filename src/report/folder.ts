// Atomic report folders: every file of a report is written into a hidden temporary folder beside
// `reports/<protocol>/`, flushed, then the folder is renamed into place in one step. A crash or kill
// at any moment leaves either no report or a whole one (plus, at worst, a hidden `.qualify-tmp-*`
// folder, removed by the next run once its process is gone). An existing report is never replaced:
// the rename fails and the caller picks another id.

import { link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ReportFile } from '../evidence/store.js';
import { mapLimit } from '../map-limit.js';

export const TEMP_PREFIX = '.qualify-tmp-';
const WRITE_CONCURRENCY = 16;

/** Thrown when the target report folder already exists (another run took the id). */
export class ReportExistsError extends Error {
  readonly code = 'REPORT_EXISTS';
  constructor(readonly path: string) {
    super(`report folder ${path} already exists`);
  }
}

async function fsyncPath(path: string, flags: 'r' | 'r+' = 'r'): Promise<void> {
  let handle;
  try {
    handle = await open(path, flags);
    await handle.sync();
  } catch {
    // Directories cannot be fsynced on every platform; the rename stays atomic regardless.
  } finally {
    await handle?.close();
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temporary folders left by runs of this host whose process no longer exists. */
export async function removeStaleTemps(parent: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const m = /-p(\d+)-[0-9a-f]+$/.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await rm(join(parent, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Writes `files` as the folder `<parent>/<name>` atomically and returns its path.
 * Throws ReportExistsError when that folder exists already.
 */
export async function writeFolderAtomic(parent: string, name: string, files: ReportFile[], hooks: { beforeRename?: () => Promise<void> } = {}): Promise<string> {
  await mkdir(parent, { recursive: true });
  const finalPath = join(parent, name);
  if (await exists(finalPath)) throw new ReportExistsError(finalPath);
  const temp = join(parent, `${TEMP_PREFIX}${name}-p${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  try {
    const seen = new Set<string>();
    for (const file of files) {
      if (file.path.startsWith('/') || file.path.split('/').includes('..') || seen.has(file.path)) {
        throw new Error(`refusing to write "${file.path}" in a report folder (absolute, outside or duplicate)`);
      }
      seen.add(file.path);
    }
    for (const d of [...new Set(files.map((f) => dirname(join(temp, f.path))))].sort()) await mkdir(d, { recursive: true });
    // Files with the very same bytes (one inspect JSON behind several steps) are written once; the
    // others are hard links to it (no data written or flushed again), or copies where links fail.
    const firstOf = new Map<Uint8Array, string>();
    const unique: ReportFile[] = [];
    const linked: Array<{ file: ReportFile; to: string }> = [];
    for (const file of files) {
      const first = firstOf.get(file.bytes);
      if (first === undefined) {
        firstOf.set(file.bytes, file.path);
        unique.push(file);
      } else linked.push({ file, to: first });
    }
    // Written and flushed a few at a time: fsync latency overlaps instead of adding up.
    await mapLimit(unique, WRITE_CONCURRENCY, (file) => writeFlushed(join(temp, file.path), file.bytes));
    await mapLimit(linked, WRITE_CONCURRENCY, async ({ file, to }) => {
      const target = join(temp, file.path);
      try {
        await link(join(temp, to), target);
      } catch {
        await writeFlushed(target, file.bytes);
      }
    });
    for (const d of [...new Set(files.map((f) => dirname(join(temp, f.path))))].sort().reverse()) if (d !== temp) await fsyncPath(d);
    await fsyncPath(temp);
    await hooks.beforeRename?.();
    try {
      await rename(temp, finalPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EISDIR') throw new ReportExistsError(finalPath);
      throw err;
    }
    await fsyncPath(parent);
    return finalPath;
  } catch (err) {
    await rm(temp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Writes one file atomically: a temporary file beside it, flushed, renamed over `path`, the folder
 * flushed. Readers (a CI job picking up junit.xml) see the old bytes or the new, never half. Missing
 * folders on the way are created.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${TEMP_PREFIX}${basename(path)}-p${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFlushed(temp, bytes);
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  await fsyncPath(dir);
}

/** Creates `path` (never replacing a file), writes `bytes` and flushes them to disk. */
async function writeFlushed(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'wx');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}


async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
