// The git probe: state of an application repository and the commit a release tag names, via simple-git.

import { resolve } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { EnvironmentError } from '../model/errors.js';
import type { CallOptions, GitProbe, GitState } from './types.js';

function gitFor(repo: string, options: CallOptions | undefined, defaultTimeoutMs: number): SimpleGit {
  const signals = [AbortSignal.timeout(options?.timeoutMs ?? defaultTimeoutMs)];
  if (options?.signal) signals.push(options.signal);
  return simpleGit({ baseDir: repo, abort: AbortSignal.any(signals), maxConcurrentProcesses: 4 });
}

/** Runs git, returning trimmed stdout, or null when git exits non-zero for a reason we expect (no such ref). */
async function tryRaw(git: SimpleGit, args: string[]): Promise<string | null> {
  try {
    return (await git.raw(args)).trim();
  } catch (err) {
    if ((err as { name?: string }).name === 'GitPluginError') throw err; // aborted or timed out
    return null;
  }
}

/** Parses `git status --porcelain=v1 -z`: renames carry a second path after the first NUL. */
export function parsePorcelainZ(out: string): string[] {
  const files: string[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const xy = entry.slice(0, 2);
    files.push(entry.slice(3));
    if (xy.includes('R') || xy.includes('C')) i++; // skip the original path
  }
  return [...new Set(files)].sort();
}

function wrap(err: unknown, repo: string, what: string): never {
  const e = err as { name?: string; message?: string };
  if (e?.name === 'GitPluginError') {
    throw new EnvironmentError('GIT_TIMEOUT', `git ${what} in ${repo} was aborted or timed out`, { cause: err });
  }
  throw new EnvironmentError('GIT_FAILED', `git ${what} in ${repo} failed: ${e?.message?.trim() ?? String(err)}`, { cause: err });
}

export function createGitProbe(options: { timeoutMs: number }): GitProbe {
  const states = new Map<string, Promise<GitState>>();

  const readState = async (repo: string, call?: CallOptions): Promise<GitState> => {
    const git = gitFor(repo, call, options.timeoutMs);
    let top: string;
    try {
      top = (await git.raw(['rev-parse', '--show-toplevel'])).trim();
    } catch (err) {
      if ((err as { name?: string }).name === 'GitPluginError') wrap(err, repo, 'rev-parse');
      throw new EnvironmentError('GIT_REPO_INVALID', `${repo} is not a git repository (or git is not installed): ${(err as Error).message.trim()}`, { cause: err });
    }
    void top;
    const [head, branch, status] = await Promise.all([
      tryRaw(git, ['rev-parse', '-q', '--verify', 'HEAD^{commit}']),
      tryRaw(git, ['symbolic-ref', '-q', '--short', 'HEAD']),
      git.raw(['status', '--porcelain=v1', '-z', '--untracked-files=all']).catch((err) => wrap(err, repo, 'status')),
    ]);
    const tags = head ? await git.raw(['tag', '--points-at', 'HEAD']).catch((err) => wrap(err, repo, 'tag --points-at')) : '';
    const dirtyFiles = parsePorcelainZ(status);
    return {
      head: head || null,
      // A repository without commits still has a symbolic HEAD naming its branch.
      branch: branch || null,
      clean: dirtyFiles.length === 0,
      tagsAtHead: tags.split('\n').map((t) => t.trim()).filter(Boolean).sort(),
      dirtyFiles,
    };
  };

  return {
    state(repo, call) {
      const key = resolve(repo);
      let p = states.get(key);
      if (!p) {
        p = readState(key, call);
        states.set(key, p);
        p.catch(() => states.delete(key));
      }
      return p;
    },

    async tagCommit(repo, tag, call) {
      const key = resolve(repo);
      await this.state(key, call); // validates the repository once
      const git = gitFor(key, call, options.timeoutMs);
      // refs/tags/ so a branch of the same name never answers; ^{commit} peels annotated tags.
      const commit = await tryRaw(git, ['rev-parse', '-q', '--verify', `refs/tags/${tag}^{commit}`]);
      return commit || null;
    },
  };
}
