// The git probe: state of an application repository and the commit a release tag names, by running git.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { EnvironmentError } from '../model/errors.js';
import type { CallOptions, GitProbe, GitState } from './types.js';
import { runGit, type GitResult } from './git-exec.js';

/**
 * Parses `git status --porcelain=v2 --branch -z`: the head commit and branch from the `# branch.*`
 * headers, and the changed, unmerged and untracked paths (a rename's new path; its original follows
 * after the next NUL and is skipped).
 */
export function parsePorcelainV2(out: string): { head: string | null; branch: string | null; dirtyFiles: string[] } {
  let head: string | null = null;
  let branch: string | null = null;
  const files: string[] = [];
  const parts = out.split('\0');
  const field = (entry: string, n: number): string => {
    // The path is what follows the n-th space (paths may contain spaces).
    let at = 0;
    for (let k = 0; k < n; k++) at = entry.indexOf(' ', at) + 1;
    return entry.slice(at);
  };
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.startsWith('# branch.oid ')) {
      const oid = entry.slice('# branch.oid '.length);
      head = oid === '(initial)' ? null : oid;
    } else if (entry.startsWith('# branch.head ')) {
      const name = entry.slice('# branch.head '.length);
      branch = name === '(detached)' ? null : name;
    } else if (entry.startsWith('1 ')) files.push(field(entry, 8));
    else if (entry.startsWith('2 ')) {
      files.push(field(entry, 9));
      i++; // the original path
    } else if (entry.startsWith('u ')) files.push(field(entry, 10));
    else if (entry.startsWith('? ')) files.push(entry.slice(2));
  }
  return { head, branch, dirtyFiles: [...new Set(files)].sort() };
}

function failure(r: Extract<GitResult, { ok: false }>, repo: string, what: string): EnvironmentError {
  if (r.timedOut) return new EnvironmentError('GIT_TIMEOUT', `git ${what} in ${repo} was aborted or timed out`);
  if (r.missing) {
    return new EnvironmentError('GIT_REPO_INVALID', existsSync(repo) ? `${repo}: git is not installed (no "git" on the PATH)` : `${repo} is not a git repository: no such folder`);
  }
  if (/not a git repository/i.test(r.stderr)) return new EnvironmentError('GIT_REPO_INVALID', `${repo} is not a git repository: ${r.stderr}`);
  return new EnvironmentError('GIT_FAILED', `git ${what} in ${repo} failed (exit ${r.code ?? '?'}): ${r.stderr}`);
}

export function createGitProbe(options: { timeoutMs: number }): GitProbe {
  const states = new Map<string, Promise<GitState>>();
  const statuses = new Map<string, Promise<Omit<GitState, 'tagsAtHead'>>>();
  const git = (repo: string, args: string[], call?: CallOptions) => runGit(repo, args, { timeoutMs: call?.timeoutMs ?? options.timeoutMs, signal: call?.signal });
  const memo = <T>(map: Map<string, Promise<T>>, repo: string, read: (key: string) => Promise<T>): Promise<T> => {
    const key = resolve(repo);
    let p = map.get(key);
    if (!p) {
      p = read(key);
      map.set(key, p);
      p.catch(() => map.delete(key));
    }
    return p;
  };

  const readStatus = async (repo: string, call?: CallOptions): Promise<Omit<GitState, 'tagsAtHead'>> => {
    const status = await git(repo, ['status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all'], call);
    if (!status.ok) throw failure(status, repo, 'status');
    const { head, branch, dirtyFiles } = parsePorcelainV2(status.stdout);
    // A repository without commits still has a symbolic HEAD naming its branch.
    return { head, branch, clean: dirtyFiles.length === 0, dirtyFiles };
  };

  const readState = async (repo: string, call?: CallOptions): Promise<GitState> => {
    // Two processes at once: status with the branch headers (head commit, branch, changes) and the tags at HEAD.
    const [status, tags] = await Promise.all([memo(statuses, repo, (key) => readStatus(key, call)), git(repo, ['tag', '--points-at', 'HEAD'], call)]);
    // Without commits, `tag --points-at HEAD` fails (no HEAD): there are no tags at HEAD.
    if (!tags.ok && status.head) throw failure(tags, repo, 'tag --points-at');
    const tagsAtHead = tags.ok && status.head ? tags.stdout.split('\n').map((t) => t.trim()).filter(Boolean).sort() : [];
    return { head: status.head, branch: status.branch, clean: status.clean, tagsAtHead, dirtyFiles: status.dirtyFiles };
  };

  return {
    state: (repo, call) => memo(states, repo, (key) => readState(key, call)),
    status: (repo, call) => memo(statuses, repo, (key) => readStatus(key, call)),

    async tagCommit(repo, tag, call) {
      const key = resolve(repo);
      await this.status(key, call); // validates the repository once
      // refs/tags/ so a branch of the same name never answers; ^{commit} peels annotated tags.
      const r = await git(key, ['rev-parse', '-q', '--verify', `refs/tags/${tag}^{commit}`], call);
      if (r.ok) return r.stdout.trim() || null;
      if (r.timedOut || r.missing) throw failure(r, key, 'rev-parse');
      return null; // no such tag
    },
  };
}
