// Version control of signed files and the audit trail (optional `--commit`), and the append-only check
// of the trail against the last committed version. Never rewrites history: only adds commits.
import { simpleGit } from 'simple-git';
import { AUDIT_TRAIL } from './repo.js';

/** Commits exactly `paths` (relative to `root`) with `message`; returns the new commit id, or null when not a git repository. */
export async function commitPaths(root: string, paths: string[], message: string, author?: { name: string; email: string }): Promise<string | null> {
  const git = simpleGit({ baseDir: root });
  if (!(await git.checkIsRepo())) return null;
  const unique = [...new Set(paths)].sort();
  await git.add(unique);
  const result = await git.commit(message, unique, author ? { '--author': `${author.name} <${author.email}>` } : {});
  return result.commit || null;
}

/**
 * Checks that the committed audit trail (HEAD) is a prefix of the working one: entries are only ever added.
 * Returns a problem sentence, or null when it holds or the trail is not tracked.
 */
export async function auditTrailAppendOnly(root: string, current: string): Promise<string | null> {
  const git = simpleGit({ baseDir: root });
  try {
    if (!(await git.checkIsRepo())) return null;
    const committed = await git.show([`HEAD:${AUDIT_TRAIL}`]);
    if (!current.startsWith(committed)) {
      const lines = committed.split('\n').length - 1;
      return `the audit trail differs from its committed version (HEAD has ${lines} entries): committed entries were changed or removed`;
    }
    return null;
  } catch {
    return null; // not committed yet
  }
}
