// Where `qualify run` may write: the reports folder (`--out`, else qualify.yaml defaults.reportsDir)
// must be a folder inside the repository, or one qualify.yaml allows (`reports: { allow_outside: [...] }`);
// the CI copies (`--junit FILE`, `--json FILE`) must be files. Checked before any step runs (exit 2).
// Paths are compared after resolving symbolic links, so a link inside the repository that points
// elsewhere counts as elsewhere.

import { realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../model/errors.js';

type Kind = 'folder' | 'file' | 'other' | 'missing';

function kindOf(path: string): Kind {
  try {
    const s = statSync(path);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A path through a file (`report.json/x`) is not "missing": it can never be created.
    return code === 'ENOTDIR' ? 'other' : 'missing';
  }
}

/** The real path of `path`: its nearest existing ancestor resolved, the rest appended. */
function realPathOf(path: string): string {
  let existing = path;
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

/** The nearest ancestor of `path` that exists, with its kind. */
function nearestExisting(path: string): { path: string; kind: Kind } {
  for (let p = path; ; p = dirname(p)) {
    const kind = kindOf(p);
    if (kind !== 'missing' || dirname(p) === p) return { path: p, kind };
  }
}

function within(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function describeKind(kind: Kind): string {
  return kind === 'file' ? 'a file' : kind === 'other' ? 'not a folder (a device, socket or a path through a file)' : 'missing';
}

export interface ReportsDirOptions {
  /** `--out` as given, or undefined. */
  out: string | undefined;
  cwd: string;
  /** Repository root. */
  root: string;
  /** qualify.yaml defaults.reportsDir (relative to the root, or absolute). */
  defaultDir: string;
  /** qualify.yaml reports.allow_outside (relative to the root, or absolute). */
  allowOutside: string[];
}

/**
 * The absolute reports folder of a run. Refuses (UsageError, exit 2) a path that is a file or a device
 * or runs through one, and a folder outside the repository that qualify.yaml does not name.
 */
export function resolveReportsDir(o: ReportsDirOptions): string {
  const given = o.out !== undefined;
  const dir = given ? resolve(o.cwd, o.out!) : resolve(o.root, o.defaultDir);
  const flag = given ? `--out ${o.out}` : `defaults.reportsDir "${o.defaultDir}" of qualify.yaml`;
  const kind = kindOf(dir);
  if (kind !== 'folder' && kind !== 'missing') {
    throw new UsageError('OUT_NOT_A_FOLDER', `${flag}: ${dir} is ${describeKind(kind)}; expected a folder for the report (e.g. --out reports)`);
  }
  const ancestor = nearestExisting(dir);
  if (ancestor.kind !== 'folder') {
    throw new UsageError('OUT_NOT_A_FOLDER', `${flag}: ${ancestor.path} is ${describeKind(ancestor.kind)}, so ${dir} cannot be a folder; expected a folder for the report (e.g. --out reports)`);
  }
  const real = realPathOf(dir);
  const root = realPathOf(resolve(o.root));
  if (within(real, root)) return dir;
  // A folder qualify.yaml names is allowed: its defaults.reportsDir, or one of reports.allow_outside.
  const allowed = [...o.allowOutside, ...(given ? [] : [o.defaultDir])].map((a) => realPathOf(resolve(o.root, a)));
  if (allowed.some((a) => within(real, a))) return dir;
  throw new UsageError(
    'OUT_OUTSIDE_REPOSITORY',
    `${flag} resolves to ${real}, outside the repository ${root}; records are written inside the repository unless qualify.yaml allows the folder:\n  reports:\n    allow_outside: [${JSON.stringify(real)}]`,
  );
}

/**
 * The absolute path of a CI copy (`--junit FILE`, `--json FILE`): a file, or a path that can become one.
 * Missing folders on the way are created when the copy is written.
 */
export function resolveCopyTarget(flag: string, value: string, cwd: string): string {
  const path = resolve(cwd, value);
  const kind = kindOf(path);
  if (kind === 'folder' || kind === 'other') {
    throw new UsageError('OUTPUT_NOT_A_FILE', `--${flag} ${value}: ${path} is ${kind === 'folder' ? 'a folder' : describeKind(kind)}; expected a file name such as ${flag === 'junit' ? 'junit.xml' : 'report.json'}`);
  }
  const ancestor = nearestExisting(dirname(path));
  if (ancestor.kind !== 'folder') {
    throw new UsageError('OUTPUT_NOT_A_FILE', `--${flag} ${value}: ${ancestor.path} is ${describeKind(ancestor.kind)}, so ${path} cannot be written`);
  }
  return path;
}
