// Atomic report folders: every file of a report is written into a hidden temporary folder beside
// `reports/<protocol>/`, flushed, then the folder is renamed into place in one step. A crash or kill
// at any moment leaves either no report or a whole one (plus, at worst, a hidden `.qualify-tmp-*`
// folder, handled by the next run once its process is gone). An existing report is never replaced:
// the id is reserved first (a hidden `.qualify-id-<id>` file) and the caller picks another id when
// it is taken.
//
// The record and its audit-trail entry never diverge: the caller's `commit` (appending the run to the
// trail) runs once the folder is complete and its id reserved, before the rename. A failure there
// leaves no report; a crash after it leaves a complete temporary folder that the trail names, which
// the next run renames into place (`recoverStaleTemps`).

import { createHash } from 'node:crypto';
import { link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ReportFile } from '../evidence/store.js';
import { mapLimit } from '../map-limit.js';
import { alive } from '../signing/lock.js';

export const TEMP_PREFIX = '.qualify-tmp-';
export const RESERVATION_PREFIX = '.qualify-id-';
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

/** Removes temporary folders left by runs of this host whose process no longer exists. */
export async function removeStaleTemps(parent: string): Promise<string[]> {
  return (await recoverStaleTemps(parent)).removed;
}

/** Whether the audit trail recorded a run of `reportId` whose report.json had `sha256`. */
export type RunRecorded = (reportId: string, sha256: string) => boolean | Promise<boolean>;

/**
 * Handles what runs of this host that no longer exist left behind: a temporary folder whose run the audit
 * trail recorded (killed between the trail entry and the rename) is renamed into place; any other is
 * removed, and so are their id reservations. Returns the folders completed and removed.
 */
export async function recoverStaleTemps(parent: string, recorded?: RunRecorded): Promise<{ completed: string[]; removed: string[] }> {
  const out = { completed: [] as string[], removed: [] as string[] };
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return out;
  }
  for (const name of names) {
    if (name.startsWith(RESERVATION_PREFIX)) {
      const owner = await readFile(join(parent, name), 'utf8').catch(() => '');
      const m = /^(\d+) (\S+)/.exec(owner);
      if (!m || (m[2] === hostname() && !alive(Number(m[1])))) await unlink(join(parent, name)).catch(() => undefined);
      continue;
    }
    if (!name.startsWith(TEMP_PREFIX)) continue;
    const m = /^\.qualify-tmp-(.+)-p(\d+)-[0-9a-f]+$/.exec(name);
    if (!m || alive(Number(m[2]))) continue;
    const reportId = m[1]!;
    const temp = join(parent, name);
    const final = join(parent, reportId);
    if (recorded && !(await exists(final))) {
      const bytes = await readFile(join(temp, 'report.json')).catch(() => null);
      if (bytes && (await recorded(reportId, createHash('sha256').update(bytes).digest('hex')))) {
        await rename(temp, final);
        await fsyncPath(parent);
        out.completed.push(reportId);
        continue;
      }
    }
    await rm(temp, { recursive: true, force: true });
    out.removed.push(name);
  }
  return out;
}

/** Thrown when the record is complete and recorded in the audit trail but could not be renamed into place. */
export class ReportNotPlacedError extends Error {
  readonly code = 'REPORT_NOT_PLACED';
  constructor(readonly temp: string, readonly path: string, cause: unknown) {
    super(`the record ${path} is complete and in the audit trail, but renaming ${temp} into place failed (${(cause as Error).message}); the next "qualify run" of this protocol puts it in place`, { cause });
  }
}

/** Reserves the id `name` in `parent`; false when another run holds it. */
async function reserve(parent: string, name: string): Promise<string | null> {
  const path = join(parent, `${RESERVATION_PREFIX}${name}`);
  try {
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(`${process.pid} ${hostname()}\n`);
    } finally {
      await handle.close();
    }
    return path;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return null;
    await unlink(path).catch(() => undefined);
    throw err;
  }
}

/**
 * Writes `files` as the folder `<parent>/<name>` atomically and returns its path.
 * Throws ReportExistsError when that folder exists already. `commit(finalPath)` runs when the folder is
 * complete and the id reserved, just before the rename: when it throws, nothing is left behind.
 */
export async function writeFolderAtomic(parent: string, name: string, files: ReportFile[], hooks: { beforeRename?: () => Promise<void>; commit?: (finalPath: string) => Promise<void> } = {}): Promise<string> {
  await mkdir(parent, { recursive: true });
  const finalPath = join(parent, name);
  if (await exists(finalPath)) throw new ReportExistsError(finalPath);
  const temp = join(parent, `${TEMP_PREFIX}${name}-p${process.pid}-${randomBytes(4).toString('hex')}`);
  await mkdir(temp);
  let reservation: string | null = null;
  let committed = false;
  try {
    const seen = new Set<string>();
    for (const file of files) {
      if (file.path.startsWith('/') || file.path.split('/').includes('..') || seen.has(file.path)) {
        throw new Error(`refusing to write "${file.path}" in a report folder (absolute, outside or duplicate)`);
      }
      seen.add(file.path);
    }
    // The folders of the files (a few), from their relative paths: a fleet's record has hundreds of files.
    const folders = [...new Set(files.map((f) => dirname(f.path)))].filter((d) => d !== '.').map((d) => join(temp, d)).sort();
    for (const d of folders) await mkdir(d, { recursive: true });
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
    for (const d of [...folders].reverse()) await fsyncPath(d);
    await fsyncPath(temp);
    await hooks.beforeRename?.();
    reservation = await reserve(parent, name);
    if (!reservation || (await exists(finalPath))) throw new ReportExistsError(finalPath);
    await hooks.commit?.(finalPath);
    committed = true;
    try {
      await rename(temp, finalPath);
    } catch (err) {
      throw new ReportNotPlacedError(temp, finalPath, err);
    }
    await fsyncPath(parent);
    return finalPath;
  } catch (err) {
    // Once the trail holds the run, the complete folder stays for the next run to put in place.
    if (!committed) await rm(temp, { recursive: true, force: true });
    throw err;
  } finally {
    if (reservation && !(committed && (await exists(temp)))) await unlink(reservation).catch(() => undefined);
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
