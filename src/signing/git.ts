// Version control of signed files and the audit trail (optional `--commit`), and the append-only check
// of the trail against the last committed version. Never rewrites history: only adds commits.
// git itself is reached through the git probe (simple-git).
import { commitPaths as commitWithGit, commitsTouching, isGitWorkTree, showCommittedFile, type GitOptions } from '../probes/git.js';
import { AUDIT_TRAIL } from './repo.js';

const TIMEOUT_MS = 60_000;

/** Commits exactly `paths` (relative to `root`) with `message`; returns the new commit id, or null when not a git repository. */
export async function commitPaths(root: string, paths: string[], message: string, options: { env?: Record<string, string | undefined>; author?: { name: string; email: string } } = {}): Promise<string | null> {
  const git: GitOptions = { timeoutMs: TIMEOUT_MS, env: options.env };
  if (!(await isGitWorkTree(root, git))) return null;
  return commitWithGit(root, paths, message, options.author, git);
}

/**
 * Checks that the committed audit trail (HEAD) is a prefix of the working one: entries are only ever added.
 * Returns a problem sentence, or null when it holds or the trail is not tracked.
 */
export async function auditTrailAppendOnly(root: string, current: string, options: { env?: Record<string, string | undefined> } = {}): Promise<string | null> {
  const git: GitOptions = { timeoutMs: TIMEOUT_MS, env: options.env };
  if (!(await isGitWorkTree(root, git))) return null;
  const committed = await showCommittedFile(root, 'HEAD', AUDIT_TRAIL, git);
  if (committed === null) return null; // not committed yet
  if (!current.startsWith(committed)) {
    const lines = committed.split('\n').length - 1;
    return `the audit trail differs from its committed version (HEAD has ${lines} entries): committed entries were changed or removed`;
  }
  return null;
}

/**
 * Checks every committed version of the audit trail in HEAD's history: each must be a prefix of the next,
 * so a commit that trims or rewrites the trail (then committed as if nothing happened) is found, as long as
 * the history itself was not rewritten. Returns a problem sentence, or null.
 */
export async function auditTrailHistoryAppendOnly(root: string, options: { env?: Record<string, string | undefined> } = {}): Promise<string | null> {
  const git: GitOptions = { timeoutMs: TIMEOUT_MS, env: options.env };
  const commits = await commitsTouching(root, AUDIT_TRAIL, git);
  let previous: { commit: string; text: string } | null = null;
  for (const commit of commits) {
    const text = await showCommittedFile(root, commit, AUDIT_TRAIL, git);
    if (text === null) return `commit ${commit.slice(0, 12)} removed the audit trail${previous ? ` committed in ${previous.commit.slice(0, 12)}` : ''}`;
    if (previous && !text.startsWith(previous.text)) {
      const lines = previous.text.split('\n').length - 1;
      return `commit ${commit.slice(0, 12)} changed or removed entries of the audit trail committed in ${previous.commit.slice(0, 12)} (${lines} entries): the committed trail was rewritten`;
    }
    previous = { commit, text };
  }
  return null;
}
