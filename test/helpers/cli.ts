// Runs the CLI in-process (fast) or as a real process (end to end), capturing output.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import type { CliContext } from '../../src/cli/context.js';

export const BIN = fileURLToPath(new URL('../../bin/qualify.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `qualify args...` in this process with a fixed clock and no terminal. */
export async function runCli(args: string[], options: { cwd: string; env?: Record<string, string>; stdin?: string; now?: Date } ): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const ctx: CliContext = {
    cwd: options.cwd,
    env: { ...options.env },
    stdout: { write: (t) => { stdout += t; }, isTTY: false },
    stderr: { write: (t) => { stderr += t; }, isTTY: false },
    readStdin: async () => options.stdin ?? '',
    prompt: null,
    color: false,
    now: () => options.now ?? new Date(),
    signal: new AbortController().signal,
  };
  const code = await main(args, ctx);
  return { code, stdout, stderr };
}

/** Runs the built CLI (`bin/qualify.js`, needs `npm run build`) as a child process. */
export function spawnCli(args: string[], options: { cwd: string; env?: Record<string, string>; input?: string; timeoutMs?: number }): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
