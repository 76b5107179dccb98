// `qualify init [dir]`: scaffolds a QMS repository (folders, qualify.yaml, example SOPs and the master
// protocol as drafts) from the package's templates/init/. Never overwrites a file unless --force.
import { randomBytes } from 'node:crypto';
import { stat, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from '../command.js';
import { QualifyError, UsageError } from '../../model/errors.js';

/** The scaffold shipped with the package: from dist/cli/commands/ (or src/cli/commands/) up to the package root. */
export const INIT_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/init/', import.meta.url));

/** Template files stored under another name, because npm drops dot-files such as .gitignore from packages. */
const RENAMED: Record<string, string> = { gitignore: '.gitignore' };

/** Folders of a QMS repository; empty ones get a .gitkeep so that git keeps them. */
const FOLDERS = ['sops', 'protocols', 'requirements', 'templates', 'reports'];

/** One file the scaffold writes: its path relative to the target folder and its bytes. */
export interface ScaffoldFile {
  path: string;
  content: Buffer;
}

export interface ScaffoldResult {
  /** Absolute target folder. */
  root: string;
  /** Relative paths written (created or overwritten), sorted. */
  written: string[];
  /** Relative paths that existed and were replaced (only with force). */
  overwritten: string[];
  /** Relative paths left alone because an equivalent already existed (.gitkeep in a non-empty folder). */
  kept: string[];
}

/** Reads the scaffold from `templatesDir`: every file, sorted, with dot-file names restored. */
export async function readScaffold(templatesDir: string = INIT_TEMPLATES_DIR): Promise<ScaffoldFile[]> {
  const files: ScaffoldFile[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new QualifyError('internal', 'INIT_TEMPLATES_MISSING', `the scaffold templates of this installation are missing: expected a folder at ${dir}; reinstall qualify`, { cause: err });
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile()) {
        const rel = relative(templatesDir, full).split(sep).join('/');
        const parts = rel.split('/');
        const base = parts.pop()!;
        files.push({ path: [...parts, RENAMED[base] ?? base].join('/'), content: await readFile(full) });
      }
    }
  };
  await walk(templatesDir);
  return files;
}

async function kindOf(path: string): Promise<'file' | 'dir' | 'other' | null> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? 'dir' : st.isFile() ? 'file' : 'other';
  } catch (err) {
    // ENOTDIR: a parent is a file; the caller reports that parent.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

/** Writes `content` to `path` through a temporary file and a rename, so a crash never leaves half a file. */
async function writeAtomic(path: string, content: Buffer): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content, { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Scaffolds a QMS repository in `root`. Checks every target first and writes nothing when one exists
 * (UsageError INIT_WOULD_OVERWRITE), unless `force`. Folders that already exist are reused.
 */
export async function scaffold(root: string, options: { force?: boolean; templatesDir?: string } = {}): Promise<ScaffoldResult> {
  const files = await readScaffold(options.templatesDir);
  const rootKind = await kindOf(root);
  if (rootKind !== null && rootKind !== 'dir') {
    throw new UsageError('INIT_TARGET_NOT_A_FOLDER', `cannot scaffold into ${root}: it exists and is not a folder`);
  }

  // .gitkeep only where the folder would otherwise be empty.
  const kept: string[] = [];
  const planned: ScaffoldFile[] = [...files];
  for (const folder of FOLDERS) {
    const keep = `${folder}/.gitkeep`;
    if (files.some((f) => f.path.startsWith(`${folder}/`))) continue;
    const dir = join(root, folder);
    const kind = await kindOf(dir);
    if (kind === 'dir' && (await readdir(dir)).length > 0) kept.push(keep);
    else planned.push({ path: keep, content: Buffer.alloc(0) });
  }
  planned.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

  const existing: string[] = [];
  const blocked = new Map<string, string>();
  for (const file of planned) {
    const kind = await kindOf(join(root, file.path));
    if (kind === 'file') existing.push(file.path);
    else if (kind !== null) blocked.set(file.path, `${file.path} (a ${kind === 'dir' ? 'folder' : 'special file'} where a file is needed)`);
    for (let d = dirname(file.path); d !== '.'; d = dirname(d)) {
      const k = await kindOf(join(root, d));
      if (k !== null && k !== 'dir') blocked.set(d, `${d} (a file where a folder is needed)`);
    }
  }
  if (blocked.size > 0) {
    const list = [...blocked.keys()].sort().map((k) => blocked.get(k)!).join(', ');
    throw new UsageError('INIT_PATH_BLOCKED', `cannot scaffold into ${root}: ${list}; nothing was written. Move ${blocked.size === 1 ? 'it' : 'them'} away first (--force replaces files, never folders)`);
  }
  if (existing.length > 0 && !options.force) {
    throw new UsageError('INIT_WOULD_OVERWRITE', `${root} already has ${existing.join(', ')}; nothing was written. Move ${existing.length === 1 ? 'it' : 'them'} away, or run again with --force to overwrite ${existing.length === 1 ? 'it' : 'them'} with the examples`);
  }

  for (const folder of FOLDERS) await mkdir(join(root, folder), { recursive: true });
  for (const file of planned) await writeAtomic(join(root, file.path), file.content);
  return { root, written: planned.map((f) => f.path), overwritten: existing, kept };
}

/** Shows a path relative to where the user stands, or absolute when that is shorter to read. */
function display(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === '') return '.';
  return rel.startsWith('..') && rel.split(sep).filter((p) => p === '..').length > 2 ? path : rel.split(sep).join('/');
}

function nextSteps(cwd: string, root: string): string {
  const where = display(cwd, root);
  const protocol = 'protocols/QP-0001-deployment-qualification.md';
  return [
    '',
    'Next steps:',
    '  1. Put the repository under version control (controlled documents live in git):',
    ...(where === '.' ? [] : [`       cd ${where.includes(' ') ? JSON.stringify(where) : where}`]),
    '       git init && git add -A && git commit -m "QMS scaffold"',
    '  2. Adapt the example documents to your company. They are drafts: replace the example',
    '     signer ids (avery, riley, quinn) with your people, then check them:',
    '       qualify lint',
    '       qualify docs',
    '       qualify trace            (requirements of URS-0001 against the cases of QP-0001)',
    '  3. Enrol each signer (each chooses their own passphrase):',
    '       qualify keys create --as ID --name "Printed Name" --email E --role approver',
    '  4. When a document is ready, set its status, approval_date and effective_date, then have it',
    '     reviewed and approved by signature (SOP-0103); the signature covers the file, so sign last:',
    `       qualify sign ${protocol} --as ID --meaning approved`,
    '  5. Try the protocol on a deployment before it is approved (outputs marked NOT A GxP RECORD):',
    `       qualify run ${protocol} --dry-run \\`,
    '         --param service=NAME --param release=1.0.0 --param image=REPO@sha256:DIGEST --param repo=PATH',
    '',
    'Run "qualify checks" for the check types a protocol can use.',
    '',
  ].join('\n');
}

export const command: Command = {
  usage: 'init [dir] [--force]',
  description: [
    'Scaffolds a QMS repository in DIR (default: the current folder): qualify.yaml, the folders sops/,',
    'protocols/, requirements/, templates/ and reports/, three example SOPs, the user requirements URS-0001',
    'and the master deployment qualification protocol QP-0001 that tests them (all as drafts to adapt and',
    'approve), and a .gitignore.',
    'Existing files are never overwritten: init stops, writing nothing, unless --force is given.',
  ].join('\n'),
  flags: {
    force: { kind: 'boolean', description: 'overwrite files of the scaffold that already exist' },
  },
  async run(args, ctx) {
    if (args.positionals.length > 1) {
      throw new UsageError('ARGS_TOO_MANY', `qualify init takes at most one folder; found ${args.positionals.length}: ${args.positionals.join(' ')}`);
    }
    const root = resolve(ctx.cwd, args.positionals[0] ?? '.');
    const result = await scaffold(root, { force: args.flags.force === true });
    const where = display(ctx.cwd, root);
    const out: string[] = [`Scaffolded a QMS repository in ${where === '.' ? 'the current folder' : where}:`];
    for (const path of result.written) out.push(`  ${result.overwritten.includes(path) ? 'overwrote' : 'created  '} ${path}`);
    ctx.stdout.write(`${out.join('\n')}\n${nextSteps(ctx.cwd, root)}`);
    return 0;
  },
};
