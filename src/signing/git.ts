// Version control of signed files and the audit trail (optional `--commit`), and the append-only check
// of the trail against the last committed version. Never rewrites history: only adds commits.
import { runGit } from '../probes/git-exec.js';
import { AUDIT_TRAIL } from './repo.js';

const TIMEOUT_MS = 60_000;
const git = (root: string, args: string[]) => runGit(root, args, { timeoutMs: TIMEOUT_MS });

async function isRepo(root: string): Promise<boolean> {
  const r = await git(root, ['rev-parse', '--is-inside-work-tree']);
  return r.ok && r.stdout.trim() === 'true';
}

/** Commits exactly `paths` (relative to `root`) with `message`; returns the new commit id, or null when not a git repository. */
export async function commitPaths(root: string, paths: string[], message: string, author?: { name: string; email: string }): Promise<string | null> {
  if (!(await isRepo(root))) return null;
  const unique = [...new Set(paths)].sort();
  const add = await git(root, ['add', '--', ...unique]);
  if (!add.ok) throw new Error(`git add failed: ${add.stderr}`);
  const commit = await git(root, ['commit', '-m', message, ...(author ? [`--author=${author.name} <${author.email}>`] : []), '--', ...unique]);
  if (!commit.ok) throw new Error(`git commit failed: ${commit.stderr}`);
  const head = await git(root, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']);
  return head.ok ? head.stdout.trim() || null : null;
}

/**
 * Checks that the committed audit trail (HEAD) is a prefix of the working one: entries are only ever added.
 * Returns a problem sentence, or null when it holds or the trail is not tracked.
 */
export async function auditTrailAppendOnly(root: string, current: string): Promise<string | null> {
  if (!(await isRepo(root))) return null;
  const shown = await git(root, ['show', `HEAD:${AUDIT_TRAIL}`]);
  if (!shown.ok) return null; // not committed yet
  const committed = shown.stdout;
  if (!current.startsWith(committed)) {
    const lines = committed.split('\n').length - 1;
    return `the audit trail differs from its committed version (HEAD has ${lines} entries): committed entries were changed or removed`;
  }
  return null;
}
