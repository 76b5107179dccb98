// The git probe: state of an application repository (HEAD, branch, tags at HEAD, changes) and the
// commit a release tag names, through simple-git. Also the two writes the signing layer makes
// (commit the signed files, read a committed file), so that simple-git stays inside probes/.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { EnvironmentError } from '../model/errors.js';
import type { CallOptions, GitProbe, GitState } from './types.js';

/**
 * Variables git never gets from the caller: those simple-git refuses (editors, pagers, askpass, ssh
 * commands, config injection), and those that would point git at another repository than the one asked.
 */
const WITHHELD = /^(EDITOR|VISUAL|PAGER|PREFIX|SSH_ASKPASS|GIT_(EDITOR|SEQUENCE_EDITOR|PAGER|ASKPASS|SSH|SSH_COMMAND|PROXY_COMMAND|EXTERNAL_DIFF|EXEC_PATH|TEMPLATE_DIR|CONFIG|CONFIG_GLOBAL|CONFIG_SYSTEM|CONFIG_COUNT|CONFIG_KEY_\d+|CONFIG_VALUE_\d+|CONFIG_PARAMETERS|DIR|WORK_TREE|INDEX_FILE|OBJECT_DIRECTORY|ALTERNATE_OBJECT_DIRECTORIES|COMMON_DIR|NAMESPACE))$/i;

/**
 * The environment git runs with: the caller's (identity, HOME, gpg agent for signed commits) without
 * WITHHELD, in the C locale (messages we match are English), without optional locks (`status` never
 * takes the index lock) and never prompting.
 */
function gitEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !WITHHELD.test(k) && !/^LC_|^LANG/.test(k)) out[k] = v;
  return { ...out, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' };
}

export interface GitOptions {
  timeoutMs: number;
  env?: Record<string, string | undefined>;
}

/** simple-git for `dir`, aborted by the call's signal or its deadline. Throws GIT_REPO_INVALID for a folder that does not exist. */
function gitAt(dir: string, options: GitOptions, call?: CallOptions): SimpleGit {
  if (!existsSync(dir)) throw new EnvironmentError('GIT_REPO_INVALID', `${dir} is not a git repository: no such folder`, { final: true });
  const deadline = AbortSignal.timeout(call?.timeoutMs ?? options.timeoutMs);
  const abort = call?.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  return simpleGit({ baseDir: dir, abort, maxConcurrentProcesses: 4 }).env(gitEnvironment(options.env ?? {}));
}

/** Maps a simple-git failure to GIT_TIMEOUT, GIT_REPO_INVALID or GIT_FAILED. */
function failure(err: unknown, repo: string, what: string, call?: CallOptions): unknown {
  if (call?.signal?.aborted) return call.signal.reason ?? err;
  const message = String((err as Error)?.message ?? err).trim();
  if ((err as { plugin?: string })?.plugin === 'abort' || /abort/i.test(message)) return new EnvironmentError('GIT_TIMEOUT', `git ${what} in ${repo} was aborted or timed out`, { cause: err });
  if (/ENOENT|spawn git/i.test(message)) return new EnvironmentError('GIT_REPO_INVALID', `${repo}: git is not installed (no "git" on the PATH)`, { cause: err, final: true });
  if (/not a git repository/i.test(message)) return new EnvironmentError('GIT_REPO_INVALID', `${repo} is not a git repository: ${message}`, { cause: err, final: true });
  return new EnvironmentError('GIT_FAILED', `git ${what} in ${repo} failed: ${message}`, { cause: err });
}

/** HEAD's commit; null in a repository without commits. */
async function headCommit(git: SimpleGit): Promise<string | null> {
  try {
    return (await git.revparse(['-q', '--verify', 'HEAD^{commit}'])).trim() || null;
  } catch (err) {
    // `rev-parse -q --verify` fails quietly (exit 1, no output) when HEAD names no commit yet.
    if (String((err as Error).message ?? '').trim() === '') return null;
    throw err;
  }
}

export function createGitProbe(options: GitOptions): GitProbe {
  const states = new Map<string, Promise<GitState>>();
  const statuses = new Map<string, Promise<Omit<GitState, 'tagsAtHead'>>>();
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
    const git = gitAt(repo, options, call);
    try {
      const [status, head] = await Promise.all([git.status(['--untracked-files=all']), headCommit(git)]);
      const dirty = new Set<string>();
      for (const f of status.files) dirty.add(f.path);
      for (const r of status.renamed) dirty.add(r.to);
      const dirtyFiles = [...dirty].sort();
      // Detached: simple-git names the branch "HEAD". A repository without commits still has its branch.
      return { head, branch: status.detached || status.current === 'HEAD' ? null : status.current, clean: dirtyFiles.length === 0, dirtyFiles };
    } catch (err) {
      throw failure(err, repo, 'status', call);
    }
  };

  const readState = async (repo: string, call?: CallOptions): Promise<GitState> => {
    const status = await memo(statuses, repo, (key) => readStatus(key, call));
    if (!status.head) return { ...status, tagsAtHead: [] };
    let tags: string;
    try {
      tags = await gitAt(repo, options, call).tag(['--points-at', 'HEAD']);
    } catch (err) {
      throw failure(err, repo, 'tag --points-at HEAD', call);
    }
    const tagsAtHead = tags.split('\n').map((t) => t.trim()).filter(Boolean).sort();
    return { head: status.head, branch: status.branch, clean: status.clean, tagsAtHead, dirtyFiles: status.dirtyFiles };
  };

  return {
    state: (repo, call) => memo(states, repo, (key) => readState(key, call)),
    status: (repo, call) => memo(statuses, repo, (key) => readStatus(key, call)),

    async tagCommit(repo, tag, call) {
      const key = resolve(repo);
      await this.status(key, call); // validates the repository once
      try {
        // refs/tags/ so a branch of the same name never answers; ^{commit} peels annotated tags.
        return (await gitAt(key, options, call).revparse(['-q', '--verify', `refs/tags/${tag}^{commit}`])).trim() || null;
      } catch (err) {
        if (String((err as Error).message ?? '').trim() === '') return null; // no such tag
        throw failure(err, key, 'rev-parse', call);
      }
    },
  };
}

/** True when `dir` is inside a git work tree. */
export async function isGitWorkTree(dir: string, options: GitOptions): Promise<boolean> {
  try {
    return (await gitAt(dir, options).revparse(['--is-inside-work-tree'])).trim() === 'true';
  } catch {
    return false;
  }
}

/** Commits exactly `paths` (relative to `root`) with `message`; returns the new commit id. */
export async function commitPaths(root: string, paths: string[], message: string, author: { name: string; email: string } | undefined, options: GitOptions): Promise<string | null> {
  const git = gitAt(root, options);
  const unique = [...new Set(paths)].sort();
  try {
    await git.add(unique);
    await git.commit(message, unique, author ? { '--author': `${author.name} <${author.email}>` } : {});
    return await headCommit(git);
  } catch (err) {
    throw failure(err, root, 'commit', undefined);
  }
}

/** A file's content at a revision (`git show REV:PATH`); null when it is not there. */
export async function showCommittedFile(root: string, rev: string, path: string, options: GitOptions): Promise<string | null> {
  try {
    return await gitAt(root, options).show([`${rev}:${path}`]);
  } catch {
    return null;
  }
}

/** The short id of the newest commit (on any branch) that touched `path`; null when none did or `root` is not a repository. */
export async function lastCommitTouching(root: string, path: string, options: GitOptions): Promise<string | null> {
  if (!(await isGitWorkTree(root, options))) return null;
  try {
    const out = await gitAt(root, options).raw(['log', '--all', '-1', '--format=%h', '--', path]);
    return out.trim() || null;
  } catch {
    return null;
  }
}

/** The commits of HEAD's history that touched `path`, oldest first; [] when none did or `root` is not a repository. */
export async function commitsTouching(root: string, path: string, options: GitOptions): Promise<string[]> {
  if (!(await isGitWorkTree(root, options))) return [];
  try {
    const out = await gitAt(root, options).raw(['log', '--reverse', '--format=%H', '--', path]);
    return out.split('\n').map((l) => l.trim()).filter(Boolean);
  } catch {
    return [];
  }
}

/**
 * When `path` (relative to `root`) was last committed (committer date, ISO 8601), if the file in the work
 * tree is that committed version; null when it is not committed, has changes, or `root` is no repository.
 */
export async function committedDate(root: string, path: string, options: GitOptions): Promise<string | null> {
  try {
    const git = gitAt(root, options);
    if ((await git.raw(['status', '--porcelain', '--', path])).trim() !== '') return null;
    return (await git.raw(['log', '-1', '--format=%cI', '--', path])).trim() || null;
  } catch {
    return null;
  }
}
