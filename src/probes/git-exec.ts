// Runs the git executable directly (execFile, no shell): stdout, or a typed failure. simple-git's module
// graph cost ~5 ms of every run's start-up and it spawned one process per question; two suffice here.
import { execFile } from 'node:child_process';

export type GitResult = { ok: true; stdout: string } | { ok: false; code: number | null; stderr: string; timedOut: boolean; missing: boolean };

/** Runs `git args` in `cwd`; never throws: exit status, stderr and whether it timed out or git is missing. */
export function runGit(cwd: string, args: string[], options: { timeoutMs: number; signal?: AbortSignal }): Promise<GitResult> {
  return new Promise((resolvePromise) => {
    const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
    const signal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    // LC_ALL=C: messages we match are in English; GIT_OPTIONAL_LOCKS=0: `status` never takes the index lock.
    const env = { ...process.env, LC_ALL: 'C', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' };
    execFile('git', args, { cwd, signal, env, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8', windowsHide: true }, (err, stdout, stderr) => {
      if (!err) return resolvePromise({ ok: true, stdout });
      const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
      resolvePromise({
        ok: false,
        code: typeof e.code === 'number' ? e.code : null,
        stderr: String(stderr || e.message).trim(),
        timedOut: e.name === 'AbortError' || e.code === 'ABORT_ERR',
        missing: e.code === 'ENOENT',
      });
    });
  });
}
