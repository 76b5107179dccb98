// The host command probe: runs a program on this machine, argv only (never a shell), with a deadline.

import { spawn } from 'node:child_process';
import { EnvironmentError, UsageError } from '../model/errors.js';
import type { ExecResult, HostProbe } from './types.js';

const OUTPUT_CAP = 4 * 1024 * 1024;

export function createHostProbe(options: { timeoutMs: number; env: Record<string, string | undefined> }): HostProbe {
  return {
    exec(argv, call = {}) {
      if (argv.length === 0) return Promise.reject(new UsageError('COMMAND_EMPTY', 'a command needs a program to run: argv is empty'));
      const ms = call.timeoutMs ?? options.timeoutMs;
      if (call.signal?.aborted) return Promise.reject(call.signal.reason);
      const own = call.signal ? AbortSignal.any([call.signal]) : undefined;
      return new Promise<ExecResult>((resolve, reject) => {
        const child = spawn(argv[0]!, argv.slice(1), {
          cwd: call.cwd,
          env: Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== undefined)) as Record<string, string>,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let size = 0;
        let truncated = false;
        let settled = false;
        const collect = (into: Buffer[]) => (chunk: Buffer) => {
          if (size + chunk.length > OUTPUT_CAP) {
            into.push(chunk.subarray(0, Math.max(0, OUTPUT_CAP - size)));
            size = OUTPUT_CAP;
            truncated = true;
            return;
          }
          into.push(chunk);
          size += chunk.length;
        };
        child.stdout.on('data', collect(out));
        child.stderr.on('data', collect(err));
        const finish = (error: unknown, result?: ExecResult): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          own?.removeEventListener('abort', onAbort);
          if (error) reject(error);
          else resolve(result!);
        };
        const onAbort = (): void => {
          child.kill('SIGKILL');
          finish(call.signal!.reason);
        };
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          finish(new EnvironmentError('COMMAND_TIMEOUT', `${JSON.stringify(argv)} did not finish within ${ms} ms and was killed`));
        }, ms);
        own?.addEventListener('abort', onAbort, { once: true });
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') finish(new EnvironmentError('COMMAND_NOT_FOUND', `cannot run ${JSON.stringify(argv[0])}: no such program${call.cwd ? ` (cwd ${call.cwd})` : ''}`, { cause: e }));
          else finish(new EnvironmentError('COMMAND_FAILED', `cannot run ${JSON.stringify(argv[0])}: ${e.message}`, { cause: e }));
        });
        child.on('close', (code, sig) => {
          finish(null, {
            exitCode: code ?? (sig ? 128 + (({ SIGKILL: 9, SIGTERM: 15, SIGINT: 2 } as Record<string, number>)[sig] ?? 0) : -1),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
            truncated,
          });
        });
      });
    },
  };
}
